"""A vision-language model as the perceiver (``perception: vlm``, ``describer: <chat model spec>``).

The camera frame goes to a chat model as an image content block (a base64 PNG data URL, the
``{"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}`` block) beside a
prompt (``prompts/describe.j2``, the scene's wording in ``describe.yaml``) that asks for the
task's state text in the exact format the planners read it (``forms.py``: BoxNet1's and
BoxNet2's dicts of places, BoxLift's names, Warehouse's carts and box slots).

The reply is parsed back, and nothing it does not say is invented:

* a reply that cannot be read at all (no dict, a place or cart name that does not exist, a
  value that is not a list or a cart's place, no box name) is fed back with what is wrong and
  asked again, at most ``retries`` times; then every place is reported uncertain and left as
  the robots' own moves make it (``Sighting.unread``; Warehouse: a cart where it was last seen,
  carrying what its arm picked, a box in its slot unless an arm took it);
* a place (a square, a box, a cart, Warehouse's box list) the reply leaves out or calls
  ``unsure`` is left the same way, uncertain;
* an item it cannot read (``'box_yelow'``, a box named under a square in BoxNet2, a slot or a
  place that is not in the warehouse) is left out and reported uncertain in its place.

Every call goes through :class:`ChatClient` (transient errors retried, tokens and latency
counted); the env puts them in the run record (``describer_calls``), with the number of
images sent but never their bytes. A fatal backend error (bad key or model) stops the run;
a backend that stays unreachable after its retries is reported like an unreadable reply.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import cv2
import jinja2
import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

from colony.envs import grid
from colony.envs.physics import CELL, COLOURS, TableScene
from colony.envs.warehouse.state import WarehouseState
from colony.perception.forms import (Description, GridForm, MalformedDescription, NamesForm, YardDescription,
                                     YardForm)
from colony.perception.tabletop import Sighting
from colony.planners.client import BackendFailure, ChatClient, LLMCall

RETRIES = 2  # unreadable replies fed back before every place is reported uncertain
BOX_COLOURS = [colour for colour in COLOURS if colour != "crate"]
Form = GridForm | NamesForm | YardForm


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scene: str
    reply: str
    naming: str
    unsure: str


# --- the prompts -----------------------------------------------------------------------------------
def _folder():
    return resources.files("colony.perception")


@cache
def _environment() -> jinja2.Environment:
    templates = {name: _folder().joinpath("prompts", f"{name}.j2").read_text(encoding="utf-8")
                 for name in ("describe", "describe_retry")}
    return jinja2.Environment(loader=jinja2.DictLoader(templates), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, autoescape=False)


@cache
def _wordings() -> dict[str, Wording]:
    data = yaml.safe_load(_folder().joinpath("describe.yaml").read_text(encoding="utf-8"))
    return {kind: Wording.model_validate(text) for kind, text in data.items()}


def render(role: str, form: Form, **variables: Any) -> str:
    environment = _environment()
    variables = {**form.variables, "colours": ", ".join(BOX_COLOURS), **variables}
    wording = {key: environment.from_string(text).render(**variables)
               for key, text in _wordings()[form.kind].model_dump().items()}
    return environment.get_template(role).render(wording=wording, template=form.template(), **variables).strip()


def png_data_url(rgb: np.ndarray) -> str:
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError("the camera frame could not be encoded as PNG")
    return "data:image/png;base64," + base64.b64encode(data.tobytes()).decode("ascii")


# --- the describer -----------------------------------------------------------------------------------
class VisionDescriber:
    """Asks a vision-language model what the camera shows, in the task's own text format."""

    def __init__(self, client: ChatClient, retries: int = RETRIES) -> None:
        self.client, self.retries = client, retries
        self._recorded = 0

    def describe(self, rgb: np.ndarray, form: Form) -> Description:
        url = png_data_url(rgb)
        messages = [("user", render("describe", form))]
        for _ in range(self.retries + 1):
            try:
                call = self.client.ask(messages, role="describer", images=[url])
            except BackendFailure as error:
                if error.fatal:
                    raise
                return form.unreadable()  # the calls, with their errors, are in the record
            try:
                return form.parse(call.response)
            except MalformedDescription as error:
                messages += [("assistant", call.response), ("user", render("describe_retry", form, problem=str(error)))]
        return form.unreadable()

    def new_calls(self) -> list[LLMCall]:
        """The calls made since the last time this was asked (for the step's record)."""
        calls = self.client.log[self._recorded:]
        self._recorded = len(self.client.log)
        return calls

    # --- the scenes ------------------------------------------------------------------------------
    def table_perceiver(self, scene: TableScene, boxes_on_corners: bool = False) -> DescribedTable:
        return DescribedTable(self, scene, boxes_on_corners)

    def read_boxes(self, scene: TableScene, layout: list[tuple[str, tuple[int, int]]]) -> Description:
        """BoxLift: which of the layout's boxes (name, square) still stand."""
        text = "; ".join(f"{name} in row {row}, column {col}" for name, (row, col) in layout)
        return self.describe(scene.capture()[0], NamesForm(tuple(name for name, _ in layout), {"layout": text}))

    def read_yard(self, scene: TableScene, state: WarehouseState, colours: dict[str, str]) -> YardDescription:
        """Warehouse: where each of ``state``'s carts (agent -> its colour's name) stands, which carry a box, and
        which of its slots still hold one."""
        carts = ", ".join(f"{agent} is {colour}" for agent, colour in colours.items())
        form = YardForm(tuple(state.agents), tuple(state.slots), state.tracks, state.columns,
                        {"tracks": state.tracks, "columns": state.columns, "carts": carts})
        return self.describe(scene.capture()[0], form)


class DescribedTable:
    """The describer as a tabletop perceiver: the same :class:`Sighting` as ``TabletopPerceiver``."""

    def __init__(self, describer: VisionDescriber, scene: TableScene, boxes_on_corners: bool) -> None:
        self.describer, self.scene, self.boxes_on_corners = describer, scene, boxes_on_corners
        rows, cols = scene.rows, scene.cols
        boxes = tuple(f"box_{colour}" for colour in BOX_COLOURS)
        targets = tuple(f"target_{colour}" for colour in BOX_COLOURS)
        self.cells = {grid.cell_key((r, c)): (r, c) for r in range(rows) for c in range(cols)}
        self.corners = {grid.corner_key((r, c)): (r, c) for r in range(rows + 1) for c in range(cols + 1)} \
            if boxes_on_corners else {}
        allowed = {key: targets if boxes_on_corners else boxes + targets for key in self.cells}
        allowed.update({key: boxes for key in self.corners})
        self.form = GridForm("corners" if boxes_on_corners else "squares", allowed, {"rows": rows, "cols": cols})

    def perceive(self) -> Sighting:
        description = self.describer.describe(self.scene.capture()[0], self.form)
        sighting = Sighting(unread=set(description.unread))
        for key, items in description.places.items():
            if key in self.cells:
                row, col = self.cells[key]
                for item in items:
                    sighting.add((row, col), item)
                    sighting.points.append((item, (col + 0.5) * CELL, -(row + 0.5) * CELL))
            else:
                row, col = self.corners[key]
                sighting.points += [(item, col * CELL, -row * CELL) for item in items]
        for key, notes in description.notes.items():
            for cell in self._cells_at(key):
                for note in notes:
                    sighting.doubt(cell, note if key in self.cells else f"{grid.position_name(self.corners[key])}: {note}")
        return sighting

    def _cells_at(self, key: str) -> list[tuple[int, int]]:
        """The squares a place's notes are told in: its own, or the squares around a crossing."""
        if key in self.cells:
            return [self.cells[key]]
        row, col = self.corners[key]
        return [(r, c) for r in (row - 1, row) for c in (col - 1, col) if (r, c) in self.cells.values()]


def make_describer(setting: Any) -> VisionDescriber:
    """The describer named by ``env.describer``: a chat model spec (``openai:gpt-4o-mini``,
    ``ollama:llava``), a mapping of ``llm.*`` settings (``{spec: openai:llava, base_url: ...}``), or a
    ready LangChain chat model (tests inject a scripted one)."""
    from pydantic import ValidationError

    from colony.planners.backends import BackendConfigError, make_chat_model, parse_spec
    from colony.planners.config import LLMConfig
    from colony.planners.tokens import gpt4_counter

    if isinstance(setting, (str, Mapping)):
        try:
            config = LLMConfig(spec=setting) if isinstance(setting, str) else LLMConfig.model_validate(dict(setting))
            spec = parse_spec(config.spec)
            if spec.provider in ("local", "oracle"):
                raise BackendConfigError(f"{spec.label} cannot see images; name a vision-language model "
                                         "(openai:gpt-4o-mini, ollama:llava, anthropic:<model>)")
            model = make_chat_model(config)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}" for problem in error.errors())
            raise ValueError(f"describer: {problems}") from None
        except BackendConfigError as error:
            raise ValueError(f"describer: {error}") from None
        label, retries, backoff_s, timeout_s = spec.label, config.retries, config.backoff_s, config.timeout_s
    else:
        model, label, retries, backoff_s, timeout_s = setting, getattr(setting, "_llm_type", "model"), 3, 0.0, 120.0
    counter = getattr(model, "token_counter", None) or gpt4_counter()
    return VisionDescriber(ChatClient(model, label=label, counter=counter, retries=retries, backoff_s=backoff_s,
                                      max_wait_s=timeout_s))
