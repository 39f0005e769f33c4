"""The pure BoxNet2 simulator (no PettingZoo, no LLM, no rendering); spec in ``env.py``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from colony.envs import grid
from colony.envs.boxnet2.state import BoxNet2State
from colony.envs.collision import collisions_by_place
from colony.envs.feedback import RefusalReason, RefusedEntry, StepFeedback
from colony.envs.goal import CountdownGoal, Goal
from colony.envs.grid import BoxNetRules, Cell, Corner, Move
from colony.envs.instance_checks import Problems
from colony.envs.world import InvalidSize, Judgement, World, validate_agent_plan


class BoxNet2World(World):
    task = "boxnet2"
    rules_model = BoxNetRules

    def __init__(self, rows: int, cols: int, targets: Mapping[Cell, list[str]], boxes: Mapping[Corner, list[str]],
                 *, step_limit: int | None = None) -> None:
        self.check_size(rows, cols, len(self.task_rules().colours))
        self.state: BoxNet2State
        super().__init__(BoxNet2State(rows, cols, dict(targets), dict(boxes)), step_limit=step_limit)

    def make_goal(self) -> Goal:
        return CountdownGoal(self.declaration().goal, "boxes", self.state.boxes_left(), self.state.boxes_left)

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
        cls.check_size(rows, cols, len(cls.task_rules().colours))
        return {"rows": rows, "cols": cols}

    @classmethod
    def format_size(cls, rows: int, cols: int) -> str:
        return f"{rows}x{cols}"

    @classmethod
    def generate(cls, rng: np.random.Generator, step_limit: int | None = None, *, rows: int, cols: int) -> BoxNet2World:
        """One box per colour on a free corner of a random square; its target in a random square."""
        rules = cls.task_rules()
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
        return cls(rows, cols, targets, boxes, step_limit=step_limit)

    def size_label(self) -> str:
        return self.format_size(self.state.rows, self.state.cols)

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        cell = self.state.cell_of(agent)
        catalogue: list[str | None] = [None]
        for colour in self.task_rules().colours:
            catalogue += [grid.move_text(Move(colour, position=corner)) for corner in grid.cell_corners(cell)]
            catalogue.append(grid.move_text(Move(colour, target=colour)))
        return catalogue

    def observation_vector(self, agent: str) -> np.ndarray:
        """Per own corner a one-hot box colour; targets per colour in the square; row, column."""
        cell = self.state.cell_of(agent)
        colours = self.task_rules().colours
        boxes, targets = self.state.boxes, self.state.targets[cell]
        corners = [[float(f"box_{colour}" in boxes[corner]) for colour in colours] for corner in grid.cell_corners(cell)]
        counts = [targets.count(f"target_{colour}") for colour in colours]
        return np.array(sum(corners, []) + counts + list(cell), dtype=np.float32)

    # --- dynamics ------------------------------------------------------------------------
    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        return validate_agent_plan(plan, self.state, self._judge, "move(box_blue, position[0.0, 1.0])")

    def _judge(self, agent: str, value: str, claims: dict) -> Judgement:
        move = grid.parse_move(value)
        if move is None or move.square is not None:
            return RefusedEntry(agent, value, RefusalReason.MALFORMED_ACTION,
                                "BoxNet2 actions are move(box_<colour>, position[x, y]) or move(box_<colour>, target_<colour>)")
        action = grid.move_text(move)
        if not self.state.is_legal(agent, action):
            return RefusedEntry(agent, value, RefusalReason.ILLEGAL_ACTION, self._why_illegal(agent, move))
        if move.colour in claims:
            return RefusedEntry(agent, value, RefusalReason.CONFLICT,
                                f"box_{move.colour} is already moved by {claims[move.colour]} this step")
        claims[move.colour] = agent
        return action, move

    def _why_illegal(self, agent: str, move: Move) -> str:
        cell = self.state.cell_of(agent)
        here = grid.square_name(cell)
        box = f"box_{move.colour}"
        on = [corner for corner in grid.cell_corners(cell) if box in self.state.boxes[corner]]
        if not on:
            return f"{box} is not on a corner of {here}"
        if len(self.state.boxes[on[0]]) > 1:
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
        state = self.state
        for agent, _, move in accepted:
            box = f"box_{move.colour}"
            state.boxes[state.corner_of(box)].remove(box)
            if move.target is not None:
                cell = state.cell_of(agent)
                state.targets[cell].remove(f"target_{move.colour}")
                feedback.achieved.append(f"{box} matched target_{move.colour} in {grid.square_name(cell)}")
            else:
                state.boxes[move.position].append(box)
        feedback.events += collisions_by_place({grid.position_name(c): b for c, b in state.boxes.items()})

    # --- persistence ---------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        return {"rows": self.state.rows, "cols": self.state.cols,
                "targets": {grid.cell_key(c): list(t) for c, t in self.state.targets.items()},
                "boxes": {grid.corner_key(c): list(b) for c, b in self.state.boxes.items()}}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any], problems: Problems, step_limit: int | None) -> BoxNet2World:
        colours = cls.task_rules().colours
        rows, cols = grid.checked_grid(cls.task, data, problems, lambda r, c: cls.check_size(r, c, len(colours)))
        targets = grid.checked_squares(data, "targets", rows, cols, ("target",), colours, problems)
        box_data = problems.mapping(data, "boxes")
        boxes: dict[Corner, list[str]] = {}
        seen: set[str] = set()
        for key, things in box_data.items():
            corner = grid.corner_from_key(key, rows, cols)
            if corner is None:
                problems.add(f"boxes.{key}", key, f"a corner of the {rows}x{cols} grid ('0.0_0.0' .. '{float(rows)}_{float(cols)}')")
                continue
            for index, thing in enumerate(problems.sequence(things, f"boxes.{key}")):
                colour = grid.item_colour(thing, "box", colours)
                if colour is None:
                    problems.add(f"boxes.{key}[{index}]", thing, f"box_<colour>, colours: {', '.join(colours)}")
                elif thing in seen:
                    problems.add(f"boxes.{key}[{index}]", thing, "each colour once: boxes are named by their colour")
                elif not any(f"target_{colour}" in t for t in targets.values()):
                    problems.add(f"boxes.{key}[{index}]", thing, f"needs a target_{colour} somewhere, or the episode can never be won")
                else:
                    seen.add(thing)
                    boxes.setdefault(corner, []).append(thing)
            if len(boxes.get(corner, [])) > 1:
                problems.add(f"boxes.{key}", things, "at most one box per corner (two would already be a collision)")
        problems.raise_if_any(cls.task)
        return cls(rows, cols, targets, boxes, step_limit=step_limit)
