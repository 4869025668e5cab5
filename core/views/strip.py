"""One prompt through training: a problem's completions at every step of each chosen run, side by side (eval and
final; training ones where the problem was trained on), each with its verdicts and a word-level diff against the
same run's previous step — what the policy learned to write for this one question."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yardstick.instruments import all_instruments
from yardstick.store import selection
from yardstick.views import card_block, cards, source
from yardstick.views.blocks import Note, View
from yardstick.views.state import State as Base, url

PHASES = ("eval", "final", "train")


@dataclass(frozen=True)
class State(Base):
    problem: str | None = url("problem")
    runs: tuple[str, ...] = url("run", ())
    steps: tuple[int, ...] = url("strip_step", ())  # empty: every step
    phase: str = url("phase", "eval", allowed=PHASES)
    decoding: str = url("decoding", "greedy", allowed=("greedy", "sampled"))
    samples: int = url("samples", 1)


def options(store: Any, problem: str) -> dict[str, Any]:
    """What the page offers for one problem, before the View is built: every run and step that has a completion of
    it (all runs, not only those chosen), its question and gold."""
    rows = selection.prompt_strip(store, problem, None)
    return {"runs": sorted(rows["run_id"].unique()), "steps": sorted(rows["step"].unique().tolist()),
            "question": rows["question"].iloc[0] if len(rows) else "", "gold": rows["gold"].iloc[0] if len(rows)
            else ""}


def build(store: Any, state: State) -> View:
    view = View("strip", "One prompt through training", state.to_params(), store.revision())
    if not state.problem:
        view.blocks.append(Note("empty", tone="info", text="Choose a problem: open this page from a completion "
                                "(\"Follow this prompt\") or pick one below."))
        return view
    rows = selection.prompt_strip(store, state.problem, list(state.runs) or None)
    rows = rows[(rows["phase"] == state.phase) & (rows["sample"] < max(state.samples, 1))]
    if state.phase != "train":
        rows = rows[rows["decoding"] == state.decoding]
    if state.steps:
        rows = rows[rows["step"].isin(state.steps)]
    if rows.empty:
        view.blocks.append(Note("none", tone="info", text=f"No {state.phase} completions of this problem in these "
                                "runs (training completions exist only where it was a training problem)."))
        return view
    readings = selection.readings(store, rows["completion_id"].tolist())
    items = cards.build(rows, readings, [(i.name, i.kind) for i in all_instruments()])
    by_key = {}
    for card in items:  # the diff is against the same run, sample and decoding at the previous step shown
        key = (card.run_id, card.decoding, card.sample)
        previous = by_key.get(key)
        card.diff = cards.word_diff(previous.text, card.text) if previous else None
        card.previous_step = previous.step if previous else None
        by_key[key] = card
    src = source(store, f"completions of problem {state.problem} ({state.phase}, {state.decoding})",
                 runs=sorted(rows["run_id"].unique()), n=len(rows))
    view.blocks.append(card_block("strip", items, title=f"{len(items)} completions", source=src))
    return view
