"""The pure BoxNet2 simulator (no PettingZoo, no LLM, no rendering); spec in ``env.py``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from colony.envs import grid
from colony.envs.feedback import RefusalReason, RefusedEntry, StepFeedback
from colony.envs.grid import Cell, Corner, Move
from colony.envs.rules import BoxNetRules, load_rules
from colony.envs.world import InvalidSize, Judgement, World, collisions_by_place, validate_agent_plan


class BoxNet2World(World):
    task = "boxnet2"

    def __init__(self, rows: int, cols: int, targets: Mapping[Cell, list[str]], boxes: Mapping[Corner, list[str]],
                 *, step_limit: int | None = None, rules: BoxNetRules | None = None) -> None:
        self.rules = rules or load_rules().boxnet2
        self.check_size(rows, cols, len(self.rules.colours))
        super().__init__(step_limit=step_limit or self.rules.step_limit.for_agents(rows * cols))
        self.rows, self.cols = rows, cols
        self.cell_list: list[Cell] = [(r, c) for r in range(rows) for c in range(cols)]
        self.corner_list: list[Corner] = [(x, y) for x in range(rows + 1) for y in range(cols + 1)]
        self.targets: dict[Cell, list[str]] = {cell: list(targets.get(cell, [])) for cell in self.cell_list}
        self.boxes: dict[Corner, list[str]] = {corner: list(boxes.get(corner, [])) for corner in self.corner_list}
        self._agents = [grid.agent_name(cell) for cell in self.cell_list]
        self._cell_of = dict(zip(self._agents, self.cell_list))

    @classmethod
    def check_size(cls, rows: int, cols: int, box_count: int) -> None:
        grid.check_grid(cls.task, rows, cols)
        if (rows + 1) * (cols + 1) < box_count:
            raise InvalidSize(f"{cls.task}: a {rows}x{cols} grid has {(rows + 1) * (cols + 1)} corners, "
                              f"too few for {box_count} boxes on distinct corners")

    # --- generation ----------------------------------------------------------------------
    @classmethod
    def parse_size(cls, label: str) -> dict[str, int]:
        rows, cols = grid.parse_grid_size(cls.task, label)
        cls.check_size(rows, cols, len(load_rules().boxnet2.colours))
        return {"rows": rows, "cols": cols}

    @classmethod
    def format_size(cls, rows: int, cols: int) -> str:
        return f"{rows}x{cols}"

    @classmethod
    def generate(cls, rng: np.random.Generator, rows: int, cols: int, step_limit: int | None = None) -> BoxNet2World:
        """One box per colour on a free corner of a random square; its target in a random square."""
        rules = load_rules().boxnet2
        if tuple(rules.boxes_per_colour) != (1, 1):
            raise ValueError("boxnet2 rules: boxes are named by colour, so boxes_per_colour must be [1, 1]")
        cls.check_size(rows, cols, len(rules.colours))
        boxes: dict[Corner, list[str]] = {}
        targets: dict[Cell, list[str]] = {}
        for colour in rules.colours:
            while True:  # a square whose corners are all taken is drawn again
                cell = divmod(int(rng.integers(rows * cols)), cols)
                free = [corner for corner in grid.cell_corners(cell) if not boxes.get(corner)]
                if free:
                    break
            boxes[free[int(rng.integers(len(free)))]] = [f"box_{colour}"]
            targets.setdefault(divmod(int(rng.integers(rows * cols)), cols), []).append(f"target_{colour}")
        return cls(rows, cols, targets, boxes, step_limit=step_limit, rules=rules)

    # --- description ---------------------------------------------------------------------
    @property
    def agents(self) -> list[str]:
        return self._agents

    def size_label(self) -> str:
        return f"{self.rows}x{self.cols}"

    def boxes_left(self) -> int:
        return sum(len(items) for items in self.boxes.values())

    def _movable_boxes(self, cell: Cell) -> list[tuple[Corner, str]]:
        """Boxes alone on a corner of ``cell``, in corner order."""
        return [(corner, self.boxes[corner][0]) for corner in grid.cell_corners(cell) if len(self.boxes[corner]) == 1]

    def _legal_actions(self, agent: str) -> list[str]:
        cell = self._cell_of[agent]
        actions = []
        for here, box in self._movable_boxes(cell):
            colour = box[4:]
            actions += [grid.move_text(Move(colour, position=corner))
                        for corner in grid.cell_corners(cell) if corner != here]
            if f"target_{colour}" in self.targets[cell]:
                actions.append(grid.move_text(Move(colour, target=colour)))
        return actions

    def observation_text(self, agent: str) -> str:
        cell = self._cell_of[agent]
        seen = list(self.targets[cell]) + [f"{box} at {grid.position_name(corner)}"
                                            for corner in grid.cell_corners(cell) for box in self.boxes[corner]]
        return f"{agent}: I am in {grid.square_name(cell)}, I can observe {seen}, I can do {self.legal_actions(agent)}"

    def state_text(self) -> str:
        state = {grid.cell_key(cell): items for cell, items in self.targets.items()}
        state.update({grid.corner_key(corner): items for corner, items in self.boxes.items()})
        return repr(state)

    def plan_example(self) -> str:
        return '{"Agent[0.5, 0.5]":"move(box_blue, position[0.0, 1.0])", "Agent[1.5, 0.5]":"move(box_red, target_red)"}'

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        cell = self._cell_of[agent]
        catalogue: list[str | None] = [None]
        for colour in self.rules.colours:
            catalogue += [grid.move_text(Move(colour, position=corner)) for corner in grid.cell_corners(cell)]
            catalogue.append(grid.move_text(Move(colour, target=colour)))
        return catalogue

    def observation_vector(self, agent: str) -> np.ndarray:
        """Per own corner a one-hot box colour; targets per colour in the square; row, column."""
        cell = self._cell_of[agent]
        colours = self.rules.colours
        corners = [[float(f"box_{colour}" in self.boxes[corner]) for colour in colours] for corner in grid.cell_corners(cell)]
        targets = [self.targets[cell].count(f"target_{colour}") for colour in colours]
        return np.array(sum(corners, []) + targets + list(cell), dtype=np.float32)

    # --- dynamics ------------------------------------------------------------------------
    def resolve_agent(self, key: str) -> str | None:
        cell = grid.parse_agent(key)
        return grid.agent_name(cell) if cell in self.targets else None

    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        return validate_agent_plan(plan, self.agents, self.resolve_agent, self._judge, "move(box_blue, position[0.0, 1.0])")

    def _judge(self, agent: str, value: str, claims: dict) -> Judgement:
        move = grid.parse_move(value)
        if move is None or move.square is not None:
            return RefusedEntry(agent, value, RefusalReason.MALFORMED_ACTION,
                                "BoxNet2 actions are move(box_<colour>, position[x, y]) or move(box_<colour>, target_<colour>)")
        action = grid.move_text(move)
        if not self.is_legal(agent, action):
            return RefusedEntry(agent, value, RefusalReason.ILLEGAL_ACTION, self._why_illegal(agent, move))
        if move.colour in claims:
            return RefusedEntry(agent, value, RefusalReason.CONFLICT,
                                f"box_{move.colour} is already moved by {claims[move.colour]} this step")
        claims[move.colour] = agent
        return action, move

    def _why_illegal(self, agent: str, move: Move) -> str:
        cell = self._cell_of[agent]
        here = grid.square_name(cell)
        box = f"box_{move.colour}"
        on = [corner for corner in grid.cell_corners(cell) if box in self.boxes[corner]]
        if not on:
            return f"{box} is not on a corner of {here}"
        if len(self.boxes[on[0]]) > 1:
            return f"{box} shares {grid.position_name(on[0])} with another box and cannot be moved"
        if move.target is not None:
            if move.target != move.colour:
                return f"{box} can only go to target_{move.colour}"
            return f"there is no target_{move.colour} in {here}"
        if move.position == on[0]:
            return f"{box} is already at {grid.position_name(on[0])}"
        return f"{grid.position_name(move.position)} is not a corner of {here}"

    def _execute(self, accepted: list[tuple[str, str, Move]], feedback: StepFeedback) -> None:
        # Every box is moved by at most one entry (claims), so order does not matter.
        for agent, _, move in accepted:
            box = f"box_{move.colour}"
            self.boxes[next(c for c in self.corner_list if box in self.boxes[c])].remove(box)
            if move.target is not None:
                cell = self._cell_of[agent]
                self.targets[cell].remove(f"target_{move.colour}")
                feedback.removed.append(f"{box} matched target_{move.colour} in {grid.square_name(cell)}")
            else:
                self.boxes[move.position].append(box)
        feedback.collisions = collisions_by_place({grid.position_name(c): b for c, b in self.boxes.items()})

    # --- persistence ---------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "cols": self.cols,
                "targets": {grid.cell_key(c): list(t) for c, t in self.targets.items()},
                "boxes": {grid.corner_key(c): list(b) for c, b in self.boxes.items()}}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any]) -> BoxNet2World:
        def pair(key: str, offset: float) -> tuple[int, int]:
            a, b = (float(part) - offset for part in key.split("_"))
            return int(a), int(b)

        targets = {pair(key, 0.5): list(items) for key, items in data["targets"].items()}
        boxes = {pair(key, 0.0): list(items) for key, items in data["boxes"].items()}
        return cls(int(data["rows"]), int(data["cols"]), targets, boxes, step_limit=int(data["step_limit"]))
