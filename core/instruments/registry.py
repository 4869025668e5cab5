"""The instrument registry: the one place that says which instruments exist.

Rewards, metrics, browser columns, the audit and the judge comparison all iterate `all_instruments()`,
so registering one decorated function makes it appear everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from yardstick.errors import BadInput
from yardstick.instruments.numbers import normalize, same


@dataclass(frozen=True)
class Extraction:
    """What an extractor read: the answer the text gives (normalised) and where it sits."""

    answer: str | None
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class Reading:
    """One instrument applied to one completion: the answer (extractors only), its span, and the verdict.

    For an extractor the verdict is "the answer equals gold" (None when there is no gold to compare with); for a
    check it is the check's outcome.
    """

    answer: str | None
    span: tuple[int, int] | None
    verdict: bool | None


@dataclass(frozen=True)
class Instrument:
    name: str
    kind: Literal["extractor", "check"]
    fn: Callable
    version: str
    description: str
    needs_gold: bool = False
    time_limit_s: float | None = None  # set: run in worker processes, killed past this limit (math-verify)
    family: str = ""  # instruments that read the same thing (lenient, study_lenient): never independent metrics
    sql: str | None = None  # a vectorised form: a DuckDB query over `batch(text, gold)` (see sqlforms.py)

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", self.name)

    @property
    def isolated(self) -> bool:
        return self.time_limit_s is not None

    def read(self, text: str, gold: str | None) -> Reading:
        """Apply the instrument to one completion in this process (batches: batch.read_all)."""
        raw = self.fn(text, gold) if self.needs_gold else self.fn(text)
        if self.kind == "check":
            return Reading(None, None, bool(raw))
        return Reading(normalize(raw.answer), raw.span, None if normalize(gold) is None else same(raw.answer, gold))


_REGISTRY: dict[str, Instrument] = {}


def _register(kind: str, version: str, needs_gold: bool, time_limit_s: float | None, name: str | None,
              family: str | None = None, sql: str | None = None):
    def decorate(fn: Callable) -> Callable:
        key = name or fn.__name__
        if not key.isidentifier():
            raise ValueError(f"instrument name {key!r} must be an identifier (it is used in reward specs)")
        doc = (fn.__doc__ or "").strip().split("\n")[0]
        _REGISTRY[key] = Instrument(key, kind, fn, version, doc, needs_gold, time_limit_s, family or key, sql)
        return fn

    return decorate


def extractor(*, version: str = "1", needs_gold: bool = False, time_limit_s: float | None = None,
              name: str | None = None, family: str | None = None, sql: str | None = None):
    """Register `fn(text[, gold]) -> Extraction` as an extractor; its verdict is "answer equals gold".

    With `time_limit_s` it runs in worker processes and a completion past the limit reads as no answer. `family`
    groups variants of one idea (the study's `study_lenient` is in the `lenient` family): a metric is never
    independent of a reward in its own family. `sql` is an optional vectorised form for bulk reading; `fn` stays the
    definition (vectorised.py).
    """
    return _register("extractor", version, needs_gold, time_limit_s, name, family, sql)


def check(*, version: str = "1", name: str | None = None, family: str | None = None, sql: str | None = None):
    """Register `fn(text) -> bool` as a check (e.g. format compliance); `family` and `sql` as for extractors."""
    return _register("check", version, False, None, name, family, sql)


def family(name: str) -> str:
    """The family of an instrument (its own name for names that are not instruments, e.g. "judge")."""
    inst = next((i for i in all_instruments() if i.name == name), None)
    return inst.family if inst else name


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def all_instruments() -> list[Instrument]:
    from yardstick.instruments import builtin  # noqa: F401  (registers the built-ins on first use)

    return list(_REGISTRY.values())


def get(name: str) -> Instrument:
    for inst in all_instruments():
        if inst.name == name:
            return inst
    known = ", ".join(i.name for i in all_instruments())
    raise BadInput("Unknown instrument", f"There is no instrument called {name!r}. Known: {known}.")
