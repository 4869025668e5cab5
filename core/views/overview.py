"""Overview: what is in the store, what to look at (flags), each run's verdict rates, and which extractor can be
trusted against a reference (the study's Table 2 shape)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yardstick.analysis import audit
from yardstick.analysis.flags import store_flags
from yardstick.store import queries, reviews
from yardstick.views import source
from yardstick.views.blocks import Links, Note, Stat, Table, View
from yardstick.views.curves import flag_links
from yardstick.views.state import State as Base, url

COUNTS = ("runs", "completions", "problems", "labels", "judgments")


@dataclass(frozen=True)
class State(Base):
    reference: str | None = url("reference")


def build(store: Any, state: State) -> View:
    revision = store.revision()
    counts = queries.summary(store)
    blocks: list = [Stat(f"count:{k}", label=k.capitalize(), value=counts[k],
                         source=source(store, f"number of {k} in the store", instruments=[])) for k in COUNTS]
    found = store_flags(store, None)
    if found:
        blocks.append(Links("flags", title="What to look at", icon="📉", source=source(
            store, "flags over every run's metrics (rule, numbers and interval in each)",
            runs=sorted({r for f in found for r in f.runs})),
            items=flag_links(found)))
    runs = queries.runs(store)
    names = queries.instrument_names()
    if runs.empty:
        blocks.append(Note("runs-empty", text="The store is empty. Import data with `yardstick import PATH` or "
                           "launch a run.", tone="info"))
    else:
        rates = queries.run_accuracy(store)
        table = runs.merge(rates, on="run_id", how="left", suffixes=("", "_read")) if len(rates) else runs
        shown = [c for c in names if c in table]
        blocks.append(Table("runs", frame=table[["run_id", "model", "reward_spec", "status", "completions", "steps",
                                                 "last_step"] + shown], title="Runs",
                            columns={c: ("progress", "%.3f") for c in shown},
                            caption="Instrument columns: share of a run's completions each extractor calls correct "
                                    "(for checks such as `format`: share that pass). `study_*` are the study's "
                                    "exact definitions.",
                            source=source(store, "share of each run's completions each instrument calls correct",
                                          runs=runs["run_id"].tolist())))
    refs = reviews.references(store)
    if refs.empty:
        blocks.append(Note("audit-empty", text="No reference verdicts yet: import `is_correct` labels, "
                           "hand-label, or run the judge.", tone="info"))
        return View("overview", "Overview", state.to_params(), revision, blocks)
    reference = state.reference if state.reference in set(refs["reference"]) else refs["reference"].iloc[0]
    pairs = reviews.audit_pairs(store, reference, None)
    blocks.append(Table("audit", frame=audit.table(pairs, answers=reference != "is_correct"),
                        title=f"Which extractor can you trust? (reference: {reference})",
                        columns={k: ("number", "%.3f") for k in ("precision", "recall", "f1", "answer_agreement")},
                        caption="An extractor's verdict counts as positive when it says the completion is correct; "
                                "the reference decides whether it is. High F1 here says the extractor measures "
                                "well — not that it is a good reward.",
                        source=source(store, f"extractor verdicts against the {reference} reference",
                                      n=int(pairs["completion_id"].nunique()),
                                      instruments=queries.instrument_names("extractor"))))
    return View("overview", "Overview", state.to_params(), revision, blocks)
