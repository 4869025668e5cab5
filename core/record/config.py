"""The run config: one typed object whose field help is the Launch form's help. Unknown keys, wrong types and
out-of-range values are errors that name the field; presets reproduce the study's experiments."""
from __future__ import annotations

import functools
import json
import math
import re
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from yardstick.errors import BadInput
from yardstick.guard import jsontext
from yardstick.instruments.rewardspec import parse as parse_reward


def slug(text: str) -> str:
    """Lower-case letters, digits and single hyphens: a name that is safe as a folder name and in a URL."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _f(default: Any, help: str, why: str = "", **limits: Any) -> Any:
    """A field whose help states its bounds and why they are there (the Launch form shows it)."""
    low, high = limits.get("min"), limits.get("max")
    if high is not None:
        bounds = f"{low:,} to {high:,}" if isinstance(low, int) else f"{low:g} to {high:g}"
        help = f"{help} {bounds}" + (f": {why}." if why else ".")
    elif "max_len" in limits:
        help = f"{help} At most {limits['max_len']} characters."
    return field(default=default, metadata={"help": help, **limits})


@dataclass
class RunConfig:
    name: str = _f("", "A short name for the run (default: preset and seed).", max_len=100)
    model: str = _f("pocket", "pocket (built in), a hub id such as Qwen/Qwen2.5-0.5B-Instruct, or a local folder.",
                    max_len=500)
    data: str = _f("pocket", "pocket (synthetic problems), a GSM8K-style JSONL path, or a hub id such as "
                   "openai/gsm8k.", max_len=500)
    reward: str = _f("format", "Weighted sum of instruments, e.g. format or 0.3*format + 0.7*lenient.", max_len=500)
    n_train: int = _f(200, "Training problems.", "all are generated or read into memory before the first step "
                      "(GSM8K's train split has 7,473)", min=1, max=100_000)
    n_eval: int = _f(50, "Held-out problems for the independent evaluation.", "each evaluation generates n_eval × "
                     "(greedy + eval_samples) completions", min=1, max=10_000)
    steps: int = _f(100, "GRPO optimizer steps.", "each step writes its completions and metrics to the run folder",
                    min=1, max=100_000)
    prompts_per_step: int = _f(2, "Problems per step; each gets num_generations completions.", "and at most "
                               "n_train, since a step needs that many different problems", min=1, max=256)
    num_generations: int = _f(8, "Completions per problem (the GRPO group).", "a step holds prompts_per_step × "
                              "num_generations completions in memory at once", min=2, max=64)
    max_completion_length: int = _f(48, "Maximum completion tokens.", "memory grows with batch × length × "
                                    "vocabulary", min=4, max=8192)
    temperature: float = _f(1.0, "Sampling temperature during training and sampled evaluation.", "above a few, "
                            "sampling is noise", min=0.01, max=10.0)
    learning_rate: float = _f(1e-4, "Adam learning rate.", "larger steps diverge at once", min=1e-9, max=1.0)
    beta: float = _f(0.0, "KL penalty to the reference model (0 = none, no reference model kept).", "larger "
                     "values only pin the model to the reference", min=0.0, max=100.0)
    seed: int = _f(0, "Random seed (initialisation of sampling and training order). The problems do not depend on it.",
                   "what every random generator accepts, with room for the per-step evaluation seeds", min=0,
                   max=2**31 - 1)
    eval_seed: int = _f(0, "Chooses the held-out and training problems. Runs that share the data, n_eval, difficulty "
                        "and eval_seed are evaluated on the same problems, so they compare problem by problem.",
                        "what every random generator accepts", min=0, max=2**31 - 1)
    seed_group: str = _f("", "The experiment this run is a seed of (default: derived from the config without the seed, "
                         "so every seed of one config joins one group).", max_len=100)
    eval_every: int = _f(20, "Evaluate at step 0 and every this many steps.", "the most steps a run may have",
                         min=1, max=100_000)
    eval_samples: int = _f(4, "Sampled completions per eval problem (0: no sampled evaluation).", "like "
                           "num_generations", min=0, max=64)
    eval_greedy: bool = _f(True, "Also evaluate with greedy decoding.")
    difficulty: int = _f(2, "Pocket problems: operations per problem.", "the pocket generator's range", min=1, max=4)
    torch_threads: int = _f(1, "CPU threads for torch (one was faster on 2 busy cores).", "and at most this "
                            "machine's cores", min=1, max=256)

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
            kind = _types()[name]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise BadInput("Bad config value", f"{name} must be {kind.__name__}, not {value!r}.")
            if kind is float and not math.isfinite(value):
                raise BadInput("Bad config value", f"{name} must be a finite number (got {value}).")
            if kind is str and len(value) > f.metadata.get("max_len", len(value)):
                raise BadInput("Bad config value", f"{name} is longer than {f.metadata['max_len']} characters.")
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
            data = Path(path).read_bytes()
        except OSError as exc:
            raise BadInput("Cannot read config", f"{path}: {exc.strerror}.") from None
        raw = jsontext.loads(data, str(path), bad_title="Cannot read config")
        return cls.from_dict(raw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def experiment(self) -> str:
        """The seed group's identity: a readable name and a hash of everything but the seed (and the name)."""
        import hashlib

        rest = {k: v for k, v in self.to_dict().items() if k not in ("seed", "name", "seed_group")}
        digest = hashlib.blake2b(json.dumps(rest, sort_keys=True).encode(), digest_size=3).hexdigest()
        label = slug(self.name or f"{self.model}-{self.reward}")[:32]
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


@functools.cache
def _types() -> dict[str, type]:
    """Each RunConfig field's type (the annotations are strings under `from __future__ import annotations`)."""
    return typing.get_type_hints(RunConfig)


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
