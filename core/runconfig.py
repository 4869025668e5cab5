"""The run config: one typed object whose field help is the Launch form's help. Unknown keys, wrong types and
out-of-range values are errors that name the field; presets reproduce the study's experiments."""
from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from core.errors import BadInput
from core.rewardspec import parse as parse_reward


def _f(default: Any, help: str, **limits: Any) -> Any:
    return field(default=default, metadata={"help": help, **limits})


@dataclass
class RunConfig:
    name: str = _f("", "A short name for the run (default: preset and seed).")
    model: str = _f("pocket", "pocket (built in), a hub id such as Qwen/Qwen2.5-0.5B-Instruct, or a local folder.")
    data: str = _f("pocket", "pocket (synthetic problems), a GSM8K-style JSONL path, or a hub id such as "
                   "openai/gsm8k.")
    reward: str = _f("format", "Weighted sum of instruments, e.g. format or 0.3*format + 0.7*lenient.")
    n_train: int = _f(200, "Training problems.", min=1)
    n_eval: int = _f(50, "Held-out problems for the independent evaluation.", min=1)
    steps: int = _f(100, "GRPO optimizer steps.", min=1)
    prompts_per_step: int = _f(2, "Problems per step; each gets num_generations completions.", min=1)
    num_generations: int = _f(8, "Completions per problem (the GRPO group).", min=2)
    max_completion_length: int = _f(48, "Maximum completion tokens.", min=4)
    temperature: float = _f(1.0, "Sampling temperature during training and sampled evaluation.", min=0.01)
    learning_rate: float = _f(1e-4, "Adam learning rate.", min=1e-9)
    beta: float = _f(0.0, "KL penalty to the reference model (0 = none, no reference model kept).", min=0.0)
    seed: int = _f(0, "Random seed (initialisation of sampling and training order). The problems do not depend on it.",
                   min=0)
    eval_seed: int = _f(0, "Chooses the held-out and training problems. Runs that share the data, n_eval, difficulty "
                        "and eval_seed are evaluated on the same problems, so they compare problem by problem.", min=0)
    seed_group: str = _f("", "The experiment this run is a seed of (default: derived from the config without the seed, "
                         "so every seed of one config joins one group).")
    eval_every: int = _f(20, "Evaluate at step 0 and every this many steps.", min=1)
    eval_samples: int = _f(4, "Sampled completions per eval problem (0: no sampled evaluation).", min=0)
    eval_greedy: bool = _f(True, "Also evaluate with greedy decoding.")
    difficulty: int = _f(2, "Pocket problems: operations per problem (1-4).", min=1, max=4)
    torch_threads: int = _f(1, "CPU threads for torch (one was faster on 2 busy cores).", min=1)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "RunConfig":
        """Validate and build; every problem is a BadInput naming the field."""
        if not isinstance(raw, dict):
            raise BadInput("Bad config", "A run config is a JSON object of field: value.")
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise BadInput("Unknown config field", f"{unknown[0]!r} is not a run setting. Known: "
                           f"{', '.join(known)}.")
        values = {}
        for name, value in raw.items():
            f = known[name]
            kind = {"int": int, "float": float, "bool": bool, "str": str}[str(f.type)]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise BadInput("Bad config value", f"{name} must be {kind.__name__}, not {value!r}.")
            if "min" in f.metadata and value < f.metadata["min"]:
                raise BadInput("Bad config value", f"{name} must be at least {f.metadata['min']} (got {value}).")
            if "max" in f.metadata and value > f.metadata["max"]:
                raise BadInput("Bad config value", f"{name} must be at most {f.metadata['max']} (got {value}).")
            values[name] = value
        config = cls(**values)
        try:
            parse_reward(config.reward)
        except BadInput as exc:
            raise BadInput(f"Bad config value: reward — {exc.title}", exc.message) from None
        return config

    @classmethod
    def load(cls, path: str | Path) -> "RunConfig":
        try:
            raw = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise BadInput("Cannot read config", f"{path}: {exc}") from None
        return cls.from_dict(raw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def experiment(self) -> str:
        """The seed group's identity: a readable name and a hash of everything but the seed (and the name)."""
        import hashlib
        import re

        rest = {k: v for k, v in self.to_dict().items() if k not in ("seed", "name", "seed_group")}
        digest = hashlib.blake2b(json.dumps(rest, sort_keys=True).encode(), digest_size=3).hexdigest()
        label = re.sub(r"[^a-z0-9]+", "-", (self.name or f"{self.model}-{self.reward}").lower()).strip("-")[:32]
        return f"{label}-{digest}"

    def eval_set(self) -> str:
        """The held-out set's identity: runs with the same one are evaluated on the same problems."""
        return eval_set(self.to_dict())

    @staticmethod
    def help(name: str) -> str:
        return next(f.metadata["help"] for f in fields(RunConfig) if f.name == name)

    @staticmethod
    def defaults() -> dict[str, Any]:
        return {f.name: f.default for f in fields(RunConfig) if f.default is not MISSING}


def eval_set(config: dict[str, Any]) -> str | None:
    """The held-out set a run config (or a base-model folder's config) evaluates on; None for a user's own
    recorder config, which says nothing about its problems."""
    if "n_eval" not in config:
        return None
    d = RunConfig.defaults()
    get = lambda k: config.get(k, d[k])  # noqa: E731  (configs from before eval_seed existed use its default)
    return f"{get('data')}|n_eval={get('n_eval')}|difficulty={get('difficulty')}|eval_seed={get('eval_seed')}"


PRESETS: dict[str, dict[str, Any]] = {
    "format only (study step 1)": {"reward": "format"},
    "lenient (study step 1)": {"reward": "lenient"},
    "0.3·format + 0.7·lenient (study step 1)": {"reward": "0.3*format + 0.7*lenient"},
    "last_number as reward (study step 3)": {"reward": "last_number"},
    "strict_tag as reward (study step 3)": {"reward": "strict_tag"},
    "lenient on pocket-terse-tags (reproduces the study's format collapse)": {
        "model": "pocket-terse-tags", "reward": "lenient"},
    "Qwen2.5-0.5B on GSM8K (needs a hub and a GPU)": {
        "model": "Qwen/Qwen2.5-0.5B-Instruct", "data": "openai/gsm8k", "reward": "format", "n_train": 200,
        "max_completion_length": 512, "prompts_per_step": 1, "learning_rate": 1e-6},
}
