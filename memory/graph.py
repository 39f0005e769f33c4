"""One agent's (or one team's) hierarchical knowledge graph, after DAMCS (arXiv 2502.05453).

Three levels of nodes in a ``networkx.DiGraph``:

=============  ===================  =========================================================
level          node id              attributes
=============  ===================  =========================================================
long-term (0)  ``long-term:<goal>``  name, status, done_step
goal (1)       ``goal:<goal>``       name, status, reason, first_step, last_step, done_step, efforts
step (2)       ``step:<ep>:<t>``     episode, time, action, goal, inventory/facts, events, result,
                                    last_action, last_result, goals, shared, prerequisites_met, missing
=============  ===================  =========================================================

Edges (``relation``): long-term -> next long-term (``next``), long-term -> goal (``has``),
goal -> the goal the owner turned to after it (``then``), goal -> step (``step``), step ->
the owner's next step (``next``, with ``same_goal``). Statuses are :class:`GoalStatus`.

The graph saves to JSON and loads back unchanged (memory carried across episodes), exports
GraphML (nested attributes as JSON text) and draws itself with matplotlib.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import networkx as nx

LONG_TERM, GOAL, STEP = 0, 1, 2


class GoalStatus(StrEnum):
    OPEN = "open"  # not begun (long-term goals ahead)
    ACTIVE = "active"  # being worked on
    DONE = "done"  # its achievement happened
    SWITCHED = "switched"  # the owner turned to another goal before it was done


class KnowledgeGraph:
    def __init__(self, owner: str, long_term: list[str] | tuple[str, ...] = ()) -> None:
        self.graph = nx.DiGraph(owner=owner, episode=0)
        self.current: str | None = None  # the goal being worked on
        self.last_step: str | None = None
        previous = None
        for name in long_term:
            node = self.long_term_node(name)
            self.graph.add_node(node, level=LONG_TERM, name=name, status=GoalStatus.OPEN.value, done_step=None)
            if previous:
                self.graph.add_edge(previous, node, relation="next")
            previous = node

    # --- naming ------------------------------------------------------------------------
    @property
    def owner(self) -> str:
        return self.graph.graph["owner"]

    @property
    def episode(self) -> int:
        return self.graph.graph["episode"]

    @staticmethod
    def long_term_node(name: str) -> str:
        return f"long-term:{name}"

    @staticmethod
    def goal_node(name: str) -> str:
        return f"goal:{name}"

    def nodes(self, level: int) -> list[str]:
        return [node for node, data in self.graph.nodes(data=True) if data["level"] == level]

    def steps(self, episode: int | None = None) -> list[dict[str, Any]]:
        """The step nodes' attributes in time order (this episode's by default)."""
        episode = self.episode if episode is None else episode
        found = [data for data in (self.graph.nodes[node] for node in self.nodes(STEP)) if data["episode"] == episode]
        return sorted(found, key=lambda data: data["time"])

    def steps_of(self, goal: str) -> list[dict[str, Any]]:
        """This episode's steps that served ``goal``, in time order."""
        node = self.goal_node(goal)
        if node not in self.graph:
            return []
        found = [self.graph.nodes[step] for step in self.graph.successors(node)
                 if self.graph.nodes[step]["level"] == STEP and self.graph.nodes[step]["episode"] == self.episode]
        return sorted(found, key=lambda data: data["time"])

    def goals(self) -> list[dict[str, Any]]:
        return [self.graph.nodes[node] for node in self.nodes(GOAL)]

    def long_term(self) -> list[dict[str, Any]]:
        """The long-term goals in their sequence."""
        nodes = self.nodes(LONG_TERM)
        return [self.graph.nodes[node] for node in nx.topological_sort(self.graph.subgraph(nodes))]

    def next_long_term(self) -> str | None:
        """The first long-term goal not yet done."""
        return next((data["name"] for data in self.long_term() if data["status"] != GoalStatus.DONE), None)

    # --- updates ---------------------------------------------------------------------------
    def _ensure_goal(self, name: str, time: int) -> str:
        node = self.goal_node(name)
        if node not in self.graph:
            self.graph.add_node(node, level=GOAL, name=name, status=GoalStatus.OPEN.value, reason="", first_step=time,
                                last_step=time, done_step=None, efforts=0)
            parent = self.long_term_node(name)
            if parent not in self.graph:
                ahead = self.next_long_term()
                parent = self.long_term_node(ahead) if ahead else None
            if parent:
                self.graph.add_edge(parent, node, relation="has")
        return node

    def add_step(self, time: int, goal: str | None, attributes: dict[str, Any]) -> str:
        """A decision at ``time`` serving ``goal`` (None: the goal being worked on, if any)."""
        goal = goal or (self.graph.nodes[self.current]["name"] if self.current else None)
        node = f"step:{self.episode}:{time}"
        self.graph.add_node(node, level=STEP, episode=self.episode, time=time, goal=goal, **attributes)
        if goal is not None:
            goal_id = self._ensure_goal(goal, time)
            if self.current and self.current != goal_id:
                current = self.graph.nodes[self.current]
                if current["status"] == GoalStatus.ACTIVE:
                    current.update(status=GoalStatus.SWITCHED.value, reason=f"turned to {goal} at step {time}")
                self.graph.add_edge(self.current, goal_id, relation="then")
            data = self.graph.nodes[goal_id]
            data.update(status=GoalStatus.ACTIVE.value, reason="", last_step=time, efforts=data["efforts"] + 1)
            self.current = goal_id
            self.graph.add_edge(goal_id, node, relation="step")
        if self.last_step is not None:
            self.graph.add_edge(self.last_step, node, relation="next",
                                same_goal=self.graph.nodes[self.last_step].get("goal") == goal)
        self.last_step = node
        return node

    def attach(self, goal: str, step: str, time: int) -> None:
        """``step`` also serves ``goal`` (a team step moving several boxes)."""
        node = self._ensure_goal(goal, time)
        data = self.graph.nodes[node]
        if data["status"] != GoalStatus.DONE:
            data.update(status=GoalStatus.ACTIVE.value, last_step=time, efforts=data["efforts"] + 1)
        self.graph.add_edge(node, step, relation="step")

    def set_result(self, node: str, result: str, events: list[str]) -> None:
        self.graph.nodes[node].update(result=result, events=events)

    def mark_done(self, goal: str, time: int) -> None:
        """``goal``'s achievement happened at ``time``."""
        long_term = self.long_term_node(goal)
        node = self.goal_node(goal)
        if node in self.graph or long_term not in self.graph:
            self._ensure_goal(goal, time)
            self.graph.nodes[node].update(status=GoalStatus.DONE.value, reason=f"achieved at step {time}",
                                          done_step=time, last_step=time)
        if long_term in self.graph and self.graph.nodes[long_term]["status"] != GoalStatus.DONE:
            self.graph.nodes[long_term].update(status=GoalStatus.DONE.value, done_step=time)
        if self.current == node:
            self.current = None

    def start_episode(self) -> None:
        """A new episode in a new world: what was learned stays, every goal is open again."""
        self.graph.graph["episode"] = self.episode + 1
        for node in self.nodes(LONG_TERM) + self.nodes(GOAL):
            data = self.graph.nodes[node]
            data.update(status=GoalStatus.OPEN.value, done_step=None)
            if "reason" in data:
                data["reason"] = ""
        self.current = self.last_step = None

    # --- files -------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        data = nx.node_link_data(self.graph, edges="edges")
        return {"format": "colony-knowledge-graph/1", "current": self.current, "last_step": self.last_step,
                "graph": data}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KnowledgeGraph:
        if data.get("format") != "colony-knowledge-graph/1":
            raise ValueError(f"not a Colony knowledge graph (format {data.get('format')!r})")
        memory = cls.__new__(cls)
        memory.graph = nx.node_link_graph(data["graph"], directed=True, edges="edges")
        memory.current, memory.last_step = data["current"], data["last_step"]
        return memory

    def save(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
        return path

    @classmethod
    def load(cls, path: Path | str) -> KnowledgeGraph:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    def write_graphml(self, path: Path | str) -> Path:
        """GraphML for Gephi, yEd, Cytoscape: lists and dicts become JSON text, None an empty string."""
        flat = nx.DiGraph(**{k: _scalar(v) for k, v in self.graph.graph.items()})
        for node, data in self.graph.nodes(data=True):
            flat.add_node(node, **{k: _scalar(v) for k, v in data.items()})
        for a, b, data in self.graph.edges(data=True):
            flat.add_edge(a, b, **{k: _scalar(v) for k, v in data.items()})
        nx.write_graphml(flat, str(path))
        return Path(path)

    def draw(self, path: Path | str, last_steps: int = 24) -> Path:
        """A picture: long-term goals on top, goals below, this episode's last ``last_steps`` steps at the bottom."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        steps = [f"step:{self.episode}:{data['time']}" for data in self.steps()][-last_steps:]
        goals = {self.goal_node(data["goal"]) for data in (self.graph.nodes[s] for s in steps) if data.get("goal")}
        view = self.graph.subgraph(self.nodes(LONG_TERM) + sorted(goals) + steps)
        rows = [[n for n in (self.long_term_node(d["name"]) for d in self.long_term())],
                sorted(goals, key=lambda n: self.graph.nodes[n]["first_step"]), steps]
        position = {node: ((i + 0.5) / len(row), 2 - level) for level, row in enumerate(rows) for i, node in enumerate(row)}
        colours = {GoalStatus.DONE: "#6ab04c", GoalStatus.ACTIVE: "#f0932b", GoalStatus.SWITCHED: "#95afc0",
                   GoalStatus.OPEN: "#dfe6e9"}
        fill = [colours.get(view.nodes[n].get("status"), "#74b9ff") for n in view]
        labels = {n: (view.nodes[n]["name"].replace("_", "\n", 1) if view.nodes[n]["level"] < STEP else
                      f"t{view.nodes[n]['time']}\n{str(view.nodes[n].get('action', ''))[:14].replace(' ', chr(10), 1)}")
                  for n in view}
        figure, axes = plt.subplots(figsize=(max(12, len(steps) * 0.8), 6))
        nx.draw_networkx(view, position, ax=axes, node_color=fill, labels=labels, font_size=6, node_size=900,
                         arrowsize=8, edge_color="#636e72")
        axes.set_title(f"Knowledge graph of {self.owner}, episode {self.episode} (green done, orange active, "
                       "grey switched, blue steps)", fontsize=9)
        axes.axis("off")
        figure.tight_layout()
        figure.savefig(path, dpi=110)
        plt.close(figure)
        return Path(path)


def _scalar(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value
