"""The pure BoxNet1 simulator (no PettingZoo, no LLM, no rendering); spec in ``env.py``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from colony.envs import grid
from colony.envs.feedback import RefusalReason, RefusedEntry, StepFeedback
from colony.envs.grid import Cell, Move
from colony.envs.rules import BoxNetRules, load_rules
from colony.envs.world import Judgement, World, validate_agent_plan


class BoxNet1World(World):
    task = "boxnet1"

    def __init__(self, rows: int, cols: int, cells: Mapping[Cell, list[str]], *, step_limit: int | None = None,
                 rules: BoxNetRules | None = None) -> None:
        grid.check_grid(self.task, rows, cols)
        self.rules = rules or self.task_rules()
        super().__init__(step_limit=step_limit or self.rules.step_limit.for_agents(rows * cols))
        self.rows, self.cols = rows, cols
        self.cell_list: list[Cell] = [(r, c) for r in range(rows) for c in range(cols)]
        self.items: dict[Cell, list[str]] = {cell: list(cells.get(cell, [])) for cell in self.cell_list}
        self._agents = [grid.agent_name(cell) for cell in self.cell_list]
        self._cell_of = dict(zip(self._agents, self.cell_list))

    @classmethod
    def task_rules(cls) -> BoxNetRules:
        return load_rules().boxnet1

    # --- generation ----------------------------------------------------------------------
    @classmethod
    def parse_size(cls, label: str) -> dict[str, int]:
        rows, cols = grid.parse_grid_size(cls.task, label)
        return {"rows": rows, "cols": cols}

    @classmethod
    def format_size(cls, rows: int, cols: int) -> str:
        return f"{rows}x{cols}"

    @classmethod
    def generate(cls, rng: np.random.Generator, rows: int, cols: int, step_limit: int | None = None) -> BoxNet1World:
        """Per colour 1-3 boxes; each box and its target in uniformly drawn squares."""
        grid.check_grid(cls.task, rows, cols)
        rules = cls.task_rules()
        low, high = rules.boxes_per_colour
        cells: dict[Cell, list[str]] = {}
        for colour in rules.colours:
            for _ in range(int(rng.integers(low, high + 1))):
                box_at, target_at = (divmod(int(rng.integers(rows * cols)), cols) for _ in range(2))
                cells.setdefault(box_at, []).append(f"box_{colour}")
                cells.setdefault(target_at, []).append(f"target_{colour}")
        return cls(rows, cols, cells, step_limit=step_limit, rules=rules)

    # --- description ---------------------------------------------------------------------
    @property
    def agents(self) -> list[str]:
        return self._agents

    def size_label(self) -> str:
        return f"{self.rows}x{self.cols}"

    def boxes_left(self) -> int:
        return sum(item.startswith("box_") for items in self.items.values() for item in items)

    def _box_colours(self, cell: Cell) -> list[str]:
        return list(dict.fromkeys(item[4:] for item in self.items[cell] if item.startswith("box_")))

    def _legal_actions(self, agent: str) -> list[str]:
        cell = self._cell_of[agent]
        actions = []
        for colour in self._box_colours(cell):
            actions += [grid.move_text(Move(colour, square=n)) for n in grid.neighbours(cell, self.rows, self.cols)]
            if f"target_{colour}" in self.items[cell]:
                actions.append(grid.move_text(Move(colour, target=colour)))
        return actions

    def observation_text(self, agent: str) -> str:
        cell = self._cell_of[agent]
        return (f"{agent}: I am in {grid.square_name(cell)}, I can observe {self.items[cell]}, "
                f"I can do {self.legal_actions(agent)}")

    def state_text(self) -> str:
        return repr({grid.cell_key(cell): items for cell, items in self.items.items()})

    def plan_example(self) -> str:
        return '{"Agent[0.5, 0.5]":"move(box_blue, square[0.5, 1.5])", "Agent[1.5, 0.5]":"move(box_red, target_red)"}'

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        cell = self._cell_of[agent]
        catalogue: list[str | None] = [None]
        for colour in self.rules.colours:
            catalogue += [grid.move_text(Move(colour, square=n)) for n in grid.neighbours(cell, self.rows, self.cols)]
            catalogue.append(grid.move_text(Move(colour, target=colour)))
        return catalogue

    def observation_vector(self, agent: str) -> np.ndarray:
        """Own square: box count and target count per colour, then row and column."""
        cell = self._cell_of[agent]
        items = self.items[cell]
        counts = [items.count(f"{kind}_{colour}") for kind in ("box", "target") for colour in self.rules.colours]
        return np.array(counts + list(cell), dtype=np.float32)

    # --- dynamics ------------------------------------------------------------------------
    def resolve_agent(self, key: str) -> str | None:
        cell = grid.parse_agent(key)
        return grid.agent_name(cell) if cell in self.items else None

    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        return validate_agent_plan(plan, self.agents, self.resolve_agent, self._judge, "move(box_blue, square[0.5, 1.5])")

    def _judge(self, agent: str, value: str, claims: dict) -> Judgement:
        move = grid.parse_move(value)
        if move is None or move.position is not None:
            return RefusedEntry(agent, value, RefusalReason.MALFORMED_ACTION,
                                "BoxNet1 actions are move(box_<colour>, square[x, y]) or move(box_<colour>, target_<colour>)")
        action = grid.move_text(move)
        if self.is_legal(agent, action):
            return action, move
        return RefusedEntry(agent, value, RefusalReason.ILLEGAL_ACTION, self._why_illegal(agent, move))

    def _why_illegal(self, agent: str, move: Move) -> str:
        cell = self._cell_of[agent]
        here = grid.square_name(cell)
        if f"box_{move.colour}" not in self.items[cell]:
            return f"there is no box_{move.colour} in {here}"
        if move.target is not None:
            if move.target != move.colour:
                return f"box_{move.colour} can only go to target_{move.colour}"
            return f"there is no target_{move.colour} in {here}"
        return f"{grid.square_name(move.square)} is not a square next to {here}"

    def _execute(self, accepted: list[tuple[str, str, Move]], feedback: StepFeedback) -> None:
        # Each agent acts only on its own square and was judged against the state at the
        # start of the step, so applying the entries in turn equals applying them together.
        for agent, _, move in accepted:
            cell = self._cell_of[agent]
            self.items[cell].remove(f"box_{move.colour}")
            if move.target is not None:
                self.items[cell].remove(f"target_{move.colour}")
                feedback.removed.append(f"box_{move.colour} matched target_{move.colour} in {grid.square_name(cell)}")
            else:
                self.items[move.square].append(f"box_{move.colour}")

    # --- persistence ---------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "cols": self.cols, "items": {grid.cell_key(c): list(i) for c, i in self.items.items()}}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any]) -> BoxNet1World:
        rows, cols = int(data["rows"]), int(data["cols"])
        cells = {}
        for key, items in data["items"].items():
            row, col = (float(part) - 0.5 for part in key.split("_"))
            cells[(int(row), int(col))] = list(items)
        return cls(rows, cols, cells, step_limit=int(data["step_limit"]))
