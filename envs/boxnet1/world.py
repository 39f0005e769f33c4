"""The pure BoxNet1 simulator (no PettingZoo, no LLM, no rendering); spec in ``env.py``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from colony.envs import grid
from colony.envs.boxnet1.state import BoxNet1State
from colony.envs.feedback import RefusalReason, RefusedEntry, StepFeedback
from colony.envs.goal import CountdownGoal, Goal
from colony.envs.grid import BoxNetRules, Cell, Move
from colony.envs.instance_checks import Problems
from colony.envs.world import Judgement, World, validate_agent_plan


class BoxNet1World(World):
    task = "boxnet1"
    rules_model = BoxNetRules

    def __init__(self, rows: int, cols: int, cells: Mapping[Cell, list[str]], *, step_limit: int | None = None) -> None:
        grid.check_grid(self.task, rows, cols)
        self.state: BoxNet1State
        super().__init__(BoxNet1State(rows, cols, dict(cells)), step_limit=step_limit)

    def make_goal(self) -> Goal:
        return CountdownGoal(self.declaration().goal, "boxes", self.state.boxes_left(), self.state.boxes_left)

    # --- generation ----------------------------------------------------------------------
    @classmethod
    def parse_size(cls, label: str) -> dict[str, int]:
        rows, cols = grid.parse_grid_size(cls.task, label)
        return {"rows": rows, "cols": cols}

    @classmethod
    def format_size(cls, rows: int, cols: int) -> str:
        return f"{rows}x{cols}"

    @classmethod
    def generate(cls, rng: np.random.Generator, step_limit: int | None = None, *, rows: int, cols: int) -> BoxNet1World:
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
        return cls(rows, cols, cells, step_limit=step_limit)

    def size_label(self) -> str:
        return self.format_size(self.state.rows, self.state.cols)

    # --- PettingZoo view -----------------------------------------------------------------
    def action_catalogue(self, agent: str) -> list[str | None]:
        cell = self.state.cell_of(agent)
        catalogue: list[str | None] = [None]
        for colour in self.task_rules().colours:
            catalogue += [grid.move_text(Move(colour, square=n)) for n in grid.neighbours(cell, self.state.rows, self.state.cols)]
            catalogue.append(grid.move_text(Move(colour, target=colour)))
        return catalogue

    def observation_vector(self, agent: str) -> np.ndarray:
        """Own square: box count and target count per colour, then row and column."""
        cell = self.state.cell_of(agent)
        items = self.state.items[cell]
        colours = self.task_rules().colours
        counts = [items.count(f"{kind}_{colour}") for kind in ("box", "target") for colour in colours]
        return np.array(counts + list(cell), dtype=np.float32)

    # --- dynamics ------------------------------------------------------------------------
    def _validate(self, plan: Mapping[str, Any]) -> tuple[list, list[RefusedEntry]]:
        return validate_agent_plan(plan, self.state, self._judge, "move(box_blue, square[0.5, 1.5])")

    def _judge(self, agent: str, value: str, claims: dict) -> Judgement:
        move = grid.parse_move(value)
        if move is None or move.position is not None:
            return RefusedEntry(agent, value, RefusalReason.MALFORMED_ACTION,
                                "BoxNet1 actions are move(box_<colour>, square[x, y]) or move(box_<colour>, target_<colour>)")
        action = grid.move_text(move)
        if self.state.is_legal(agent, action):
            return action, move
        return RefusedEntry(agent, value, RefusalReason.ILLEGAL_ACTION, self._why_illegal(agent, move))

    def _why_illegal(self, agent: str, move: Move) -> str:
        cell = self.state.cell_of(agent)
        here = grid.square_name(cell)
        if f"box_{move.colour}" not in self.state.items[cell]:
            return f"there is no box_{move.colour} in {here}"
        if move.target is not None:
            if move.target != move.colour:
                return f"box_{move.colour} can only go to target_{move.colour}"
            return f"there is no target_{move.colour} in {here}"
        return f"{grid.square_name(move.square)} is not a square next to {here}"

    def _execute(self, accepted: list[tuple[str, str, Move]], feedback: StepFeedback) -> None:
        # Each agent acts only on its own square and was judged against the state at the start
        # of the step, so applying the entries in turn equals applying them together.
        items = self.state.items
        for agent, _, move in accepted:
            cell = self.state.cell_of(agent)
            items[cell].remove(f"box_{move.colour}")
            if move.target is not None:
                items[cell].remove(f"target_{move.colour}")
                feedback.achieved.append(f"box_{move.colour} matched target_{move.colour} in {grid.square_name(cell)}")
            else:
                items[move.square].append(f"box_{move.colour}")

    # --- persistence ---------------------------------------------------------------------
    def _state_dict(self) -> dict[str, Any]:
        return {"rows": self.state.rows, "cols": self.state.cols,
                "items": {grid.cell_key(c): list(i) for c, i in self.state.items.items()}}

    @classmethod
    def _from_state_dict(cls, data: Mapping[str, Any], problems: Problems, step_limit: int | None) -> BoxNet1World:
        rows, cols = grid.checked_grid(cls.task, data, problems, lambda r, c: grid.check_grid(cls.task, r, c))
        colours = cls.task_rules().colours
        cells = grid.checked_squares(data, "items", rows, cols, ("box", "target"), colours, problems)
        for colour in colours:
            boxes = sum(things.count(f"box_{colour}") for things in cells.values())
            targets = sum(things.count(f"target_{colour}") for things in cells.values())
            if boxes > targets:
                problems.add(f"items (box_{colour})", boxes, f"at most as many box_{colour} as target_{colour} "
                                                             f"({targets}), or the episode can never be won")
        problems.raise_if_any(cls.task)
        return cls(rows, cols, cells, step_limit=step_limit)
