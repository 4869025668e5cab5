"""The completions filter as a URL: shared by the Completions, Label and Judge views, so "label these" and "judge
these" are links. It becomes a selection.CompletionQuery; nothing here reads the store."""
from __future__ import annotations

from dataclasses import dataclass

from yardstick.store.selection import VERDICT_NAMES, CompletionQuery
from yardstick.views.state import State, url

PHASES = ("train", "eval", "final")
DECODINGS = ("sampled", "greedy")


@dataclass(frozen=True)
class Filter(State):
    runs: tuple[str, ...] = url("run", ())
    step: int | None = url("step")
    phase: str | None = url("phase", allowed=PHASES)
    decoding: str | None = url("decoding", allowed=DECODINGS)
    problem: str | None = url("problem")
    verdicts: tuple[tuple[str, str], ...] = url("v.", (), allowed=VERDICT_NAMES)  # v.lenient=correct
    disagree: tuple[str, ...] = url("disagree", ())
    search: str = url("q", "")
    completion: int | None = url("id")

    def query(self, **extra) -> CompletionQuery:
        """The query this filter describes (instrument names are checked against the registry there)."""
        from yardstick.store.queries import instrument_names

        names = set(instrument_names())
        return CompletionQuery(run_ids=self.runs, step=self.step, phase=self.phase, decoding=self.decoding,
                               problem_id=self.problem or None,
                               verdicts=tuple((n, v) for n, v in self.verdicts if n in names),
                               disagree=tuple(d for d in self.disagree if d in names), search=self.search,
                               completion_id=self.completion, **extra)
