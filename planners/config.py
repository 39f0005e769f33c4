"""The typed configuration of a run: scenario, planner, LLM backend, records.

Scenario files are YAML (``configs/<name>.yaml`` or any path). ``--set key=value``
overrides are applied to the raw data and validated with it, so a bad key or value is
reported with the field's dotted name and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from colony.comms.broker import CommsConfig

Scheme = Literal["cmas", "dmas", "hmas1", "hmas2", "expert"]
SCHEMES = ("cmas", "dmas", "hmas1", "hmas2", "expert")
HistoryMode = Literal["none", "state_action", "all_dialogue", "compressed", "memory"]


class ConfigError(ValueError):
    """A configuration problem, worded for the user (field name and allowed values)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class LLMConfig(_Strict):
    spec: str = Field("local", description="backend spec: local (with the shipped adapter), local:base, local:<model.gguf>, "
                                           "openai:<model>, ollama:<model>, anthropic:<model>, scripted[:replies.yaml], "
                                           "oracle")
    adapter: str | None = Field(None, description="local backend: a llama.cpp GGUF LoRA file to apply, or none "
                                                   "(default: the adapter shipped with colony, for spec local)")
    base_url: str | None = Field(None, description="an OpenAI-compatible or Ollama server")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_tokens: int = Field(512, ge=1)
    timeout_s: float = Field(120.0, gt=0)
    retries: int = Field(3, ge=0, description="retries of a failed call (timeout, rate limit, refused, 5xx)")
    backoff_s: float = Field(1.0, ge=0, description="first retry delay; doubles each retry")
    seed: int | None = 0
    api_key_env: str | None = Field(None, description="environment variable holding the API key "
                                                      "(default: OPENAI_API_KEY / ANTHROPIC_API_KEY)")
    context_tokens: int = Field(8192, ge=512, description="the model's context window: the local model is loaded "
                                                            "with it; every prompt is checked against it")
    schema_style: Literal["auto", "json_schema", "json_object", "off"] = Field(
        "auto", description="how plan schemas reach the server: json_schema (OpenAI, vLLM, Ollama /v1), "
                            "json_object (llama.cpp servers), off; auto picks by base_url")


class PlannerConfig(_Strict):
    scheme: Scheme = "hmas2"
    prompt_style: Literal["paper", "compact"] = Field(
        "paper", description="paper: the released prompts word for word; compact: written for tokens")
    history: HistoryMode | None = Field(
        None, description="default: state_action, but none for CMAS (as the released code); memory: the "
                           "knowledge-graph memory (colony.memory) instead of the paper's variants")
    carry_memory: bool = Field(False, description="history=memory: keep the graphs from one episode to the next")
    organization: Literal["none", "role_chain", "hierarchy"] = Field(
        "none", description="team organization (tasks with a per-agent goal chain: crafter): role_chain (DAMCS: tool "
                            "maker, helpers, diamond seeker; help requests over comms), hierarchy (HAS: the central "
                            "planner assigns subtasks and groups, each group plans with HMAS-1; needs scheme hmas1)")
    regroup_every: int = Field(10, ge=1, description="hierarchy: steps between two subtask assignments")
    max_replans: int = Field(6, ge=0, description="re-prompts after an invalid plan before the episode fails")
    dialogue_rounds: int = Field(4, ge=1, description="DMAS / HMAS-1 rounds over all speaking agents")
    feedback_rounds: int | None = Field(None, ge=1, description="HMAS-2 agree/object rounds (task default if unset)")
    token_budget: int | None = Field(None, ge=100, description="prompt budget for history (task default if unset)")
    structured_output: bool = Field(True, description="constrain plans to a JSON schema of legal actions where the backend can")

    @model_validator(mode="after")
    def _default_history(self) -> PlannerConfig:
        if self.history is None:  # (a plain assignment would validate the model again)
            self.__dict__["history"] = "none" if self.scheme == "cmas" else "state_action"
        return self


class RunConfig(_Strict):
    name: str | None = Field(None, description="folder under out_dir (default: scenario-scheme-time)")
    out_dir: str = "runs"
    picture: bool = Field(True, description="save a picture of each episode's final state")
    frames: bool | None = Field(None, description="save the picture after every step as frames/episode_NN/step_MMM.png "
                                                  "(default: on for the 3D tasks, off for the 2D ones)")

    @field_validator("frames", mode="before")
    @classmethod
    def _frames_flag(cls, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        raise ValueError("allowed: true, false, or unset (on for the 3D tasks, off for the 2D ones)")


class ScenarioConfig(_Strict):
    scenario: str = "custom"
    task: str = Field(description="a registered task (colony envs lists them)")
    size: str | None = Field(None, description="the task's size label (default: the task's default size)")
    instances: int = Field(1, ge=1, description="episodes: the first N of the fixed benchmark set (or of seed, seed+1, ...)")
    seed: int | None = Field(None, description="generate instances from seed, seed+1, ... instead of the benchmark set")
    instances_from: str | None = Field(None, description="play the instance files in this folder (or this one file) instead")
    step_limit: int | None = Field(None, ge=1)
    env: dict[str, Any] = Field(default_factory=dict, description="the task env's own settings (3D: perception, "
                                                                "grasp_failure, placement_noise, mass, describer, "
                                                                "observe_image, robot)")
    planner: PlannerConfig = PlannerConfig()
    comms: CommsConfig = CommsConfig()
    llm: LLMConfig = LLMConfig()
    run: RunConfig = RunConfig()

    @field_validator("size", mode="before")
    @classmethod
    def _size_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("task")
    @classmethod
    def _registered(cls, value: str) -> str:
        from colony.envs.registry import task_names, task_spec

        try:
            return task_spec(value).name
        except KeyError:
            raise ValueError(f"unknown task {value!r}; registered tasks: {', '.join(task_names())}") from None

    @model_validator(mode="after")
    def _size_fits_task(self) -> ScenarioConfig:
        from colony.envs.registry import task_spec

        spec = task_spec(self.task)
        if self.instances_from is not None:
            self._take_size_from_instances(spec)
            return self
        try:
            label = spec.canonical_size(self.size if self.size is not None else spec.default_size())
        except ValueError as error:
            raise ValueError(f"size: {error}") from None
        if label != self.size:
            self.size = label
        if self.seed is None:
            available = spec.benchmark_seeds(self.size)
            if available is None:
                raise ValueError(f"size: there is no fixed benchmark set for {self.task} {self.size}; "
                                 "set seed to generate instances")
            if self.instances > len(available):
                raise ValueError(f"instances: the benchmark set has {len(available)} instances; set seed to generate more")
        self._organization_fits(spec)
        self._env_settings_fit(spec)
        return self

    def _env_settings_fit(self, spec: Any) -> None:
        import inspect

        fixed = {"self", "size", "instance", "step_limit", "render_mode", "kwargs"}
        allowed = [name for name, parameter in inspect.signature(spec.env.__init__).parameters.items()
                   if name not in fixed and parameter.kind is parameter.KEYWORD_ONLY]
        for key in self.env:
            if key not in allowed:
                raise ValueError(f"env.{key}: unknown for {self.task}; allowed: {', '.join(allowed) or 'none'}")
        if self.env:
            try:
                spec.env(size=self.size, **self.env).close()
            except (TypeError, ValueError) as error:
                raise ValueError(f"env: {error}") from None

    def _organization_fits(self, spec: Any) -> None:
        organization, scheme = self.planner.organization, self.planner.scheme
        if organization == "none":
            return
        memory = spec.declaration.memory
        if not (memory.per_agent and memory.long_term):
            raise ValueError(f"planner.organization: {organization} needs a task with a per-agent goal chain "
                             f"(crafter); {self.task} has none (use none)")
        if scheme == "expert":
            raise ValueError(f"planner.organization: the expert keeps its own team rules; {organization} applies to "
                             "cmas, dmas, hmas1 and hmas2")
        if organization == "hierarchy" and scheme != "hmas1":
            raise ValueError("planner.organization: hierarchy runs HMAS-1 inside each group; set planner.scheme=hmas1")

    def _take_size_from_instances(self, spec: Any) -> None:
        from colony.envs.instances import instance_files, instance_size, load_instance

        if self.seed is not None:
            raise ValueError("instances_from: give instance files or a seed, not both")
        sizes = {}
        try:
            files = instance_files(self.instances_from)
        except OSError as error:
            raise ValueError(f"instances_from: {error}") from None
        for path in files:
            data = load_instance(path)
            if spec.name != data["task"] and spec.env_name != data["task"]:
                raise ValueError(f"instances_from: {path} is a {data['task']} instance, this scenario is {self.task}")
            sizes[str(path)] = instance_size(data)
        if len(set(sizes.values())) > 1:
            raise ValueError(f"instances_from: one run plays one size; these files differ: {sizes}")
        size = next(iter(sizes.values()))
        if self.size is not None and spec.canonical_size(self.size) != size:
            raise ValueError(f"size: {self.size!r} contradicts the instance files, whose size is {size!r}")
        self.__dict__.update(size=size, instances=len(sizes))  # (an assignment would validate the model again)

    def instance_files(self) -> list[str]:
        from colony.envs.instances import instance_files

        return [str(path) for path in instance_files(self.instances_from)] if self.instances_from else []

    def instance_seeds(self) -> list[int | None]:
        if self.instances_from is not None:
            return [None] * self.instances
        if self.seed is not None:
            return [self.seed + i for i in range(self.instances)]
        from colony.envs.instances import benchmark_seeds

        return benchmark_seeds(self.task, self.size)[: self.instances]


def _explain(error: ValidationError, model: type[BaseModel], source_of: Callable[[str], str]) -> str:
    """One line per problem: the setting, what is wrong or allowed, and where its value came from."""
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not where:  # a check across settings names its field at the start of its message
            field, sep, rest = message.partition(": ")
            where, message = (field, rest) if sep and " " not in field else ("(scenario)", message)
            lines.append(f"{where}: {message} ({source_of(where)})")
        elif problem["type"] == "extra_forbidden":
            parent = model
            for part in problem["loc"][:-1]:
                parent = parent.model_fields[str(part)].annotation
            allowed = ", ".join(parent.model_fields)
            lines.append(f"{where}: unknown setting; allowed here: {allowed} ({source_of(where)})")
        else:
            lines.append(f"{where}: {message} (got {problem.get('input')!r}, {source_of(where)})")
    return "\n".join(lines)


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{dotted}: {part} is a value, not a section")
        node = child
    node[parts[-1]] = value


def scenario_path(name_or_path: str) -> Path | None:
    """An existing file or folder path, or a packaged scenario (``boxnet1``)."""
    path = Path(name_or_path)
    if path.exists():
        return path
    packaged = resources.files("colony.configs").joinpath(f"{name_or_path}.yaml")
    return Path(str(packaged)) if packaged.is_file() else None


def read_scenario_file(path: Path) -> dict[str, Any]:
    """A scenario file's settings, or one clear line about what is wrong with the file."""
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; a scenario is a YAML file of settings, or one of: "
                          f"{', '.join(packaged_scenarios())}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{where}: malformed YAML ({problem}); a scenario is a mapping of settings, "
                          "e.g. 'task: boxnet1'") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level is a YAML {type(data).__name__}; a scenario is a mapping of settings, "
                          "e.g. 'task: boxnet1'")
    return data


def packaged_scenarios() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files("colony.configs").iterdir() if p.name.endswith(".yaml"))


def parse_setting(item: str) -> tuple[str, Any]:
    """``key=value`` as given with ``--set``: the dotted key and the value read as YAML (the text itself
    when it is not YAML)."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {item!r}: write key=value, e.g. planner.max_replans=3")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def load_scenario(name_or_path: str, overrides: list[str] | None = None, *, flags: dict[str, str] | None = None,
                  **settings: Any) -> ScenarioConfig:
    """Read a scenario, apply ``key=value`` overrides and keyword settings, validate.

    ``flags`` names the command-line flag each keyword setting came from, for error messages."""
    from colony.envs.registry import task_names

    path = scenario_path(name_or_path)
    if path is None and name_or_path in task_names():
        data: dict[str, Any] = {"scenario": name_or_path, "task": name_or_path}  # a task with no scenario file
        origin = f"the defaults of task {name_or_path}"
    elif path is None:
        choices = sorted(set(packaged_scenarios()) | set(task_names()))
        raise ConfigError(f"scenario {name_or_path!r} is neither a YAML file nor one of: {', '.join(choices)}")
    else:
        data = read_scenario_file(path)
        data.setdefault("scenario", path.stem)
        origin = f"from {path}"
    given: dict[str, tuple[Any, str]] = {}
    for item in overrides or []:
        key, value = parse_setting(item)
        given[key] = (value, f"from --set {key}")
    for dotted, value in settings.items():
        if value is not None:
            given[dotted] = (value, f"from {(flags or {}).get(dotted, 'the caller')}")
    if "instances_from" in given and "size" not in given:
        data.pop("size", None)  # instance files decide the size unless the user names one
    for dotted, (value, _) in given.items():
        _set_dotted(data, dotted, value)

    def source_of(dotted: str) -> str:
        for key in (dotted, *(dotted.rsplit(".", n)[0] for n in range(1, dotted.count(".") + 1))):
            if key in given:
                return given[key][1]
        return origin

    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"invalid configuration:\n{_explain(error, ScenarioConfig, source_of)}") from None
