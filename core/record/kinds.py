"""The typed configs of run folders that are not training runs (a training run's is record.config.RunConfig): a
final-evaluation job and the base model's folder it writes. Each reads the config.json of its kind, including the
shape release 2 wrote (format 1: `"kind": "evaluate"` with placeholder `reward` and `steps`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from yardstick.errors import BadInput

HELD_OUT = ("data", "n_eval", "difficulty", "eval_seed")  # what fixes an evaluation's held-out problems


@dataclass(frozen=True)
class Target:
    """One model a final evaluation reads: a run's final checkpoint, or a base model (hub id or folder)."""

    label: str
    run_dir: str  # where its final completions go: the run's own folder, or a base model's folder
    model: str
    step: int
    base: bool = False


@dataclass(frozen=True)
class Evaluation:
    """A final-evaluation job: its targets on one held-out set, greedy and with `samples` sampled completions."""

    name: str
    targets: tuple[Target, ...]
    samples: int
    greedy: bool
    data: str
    n_eval: int
    difficulty: int
    eval_seed: int
    max_completion_length: int
    temperature: float
    torch_threads: int = 1
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "targets": [asdict(t) for t in self.targets]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "Evaluation":
        known = {f.name for f in fields(cls)}
        try:
            targets = tuple(Target(**{k: v for k, v in t.items() if k in {f.name for f in fields(Target)}})
                            for t in raw["targets"])
            return cls(**{k: v for k, v in raw.items() if k in known and k != "targets"}, targets=targets)
        except (KeyError, TypeError) as exc:
            raise BadInput("Bad evaluation job", f"its config is not an evaluation job's ({exc}).") from None


@dataclass(frozen=True)
class BaseModel:
    """A base model's folder: its final completions on one held-out set (written by an evaluation job)."""

    name: str
    model: str
    held_out: dict[str, Any] = field(default_factory=dict)  # HELD_OUT settings

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "model": self.model, **self.held_out}
