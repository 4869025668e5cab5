"""Final evaluation: each model (final checkpoints, the base model) on one fixed held-out set, greedy and sampled,
under every instrument and the judge — the study's Tables 3 and 6 as one table with intervals — and the ranking
flips between decodings and between an instrument and the judge, each with its paired interval."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from yardstick.analysis import final
from yardstick.store import queries, reviews
from yardstick.views import source
from yardstick.views.blocks import Note, Table, View
from yardstick.views.state import State as Base, url


@dataclass(frozen=True)
class State(Base):
    runs: tuple[str, ...] = url("run", ())


def numbers(store: Any, runs: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The final evaluation of these runs as a long table (unit × instrument × decoding, with n and interval) and
    its ranking flips — what this page and `yardstick evaluate` show."""
    per_problem = queries.by_problem(store, runs, ("final",), judge=True)
    summary = queries.final_summary(store, runs)
    info = queries.runs(store)
    unit_of = final.units(info[info["run_id"].isin(runs)])
    return final.table(per_problem, unit_of, summary), final.flips(per_problem, unit_of, summary)


def options(store: Any) -> list[str]:
    """The runs with a final evaluation (what the page's picker offers)."""
    return queries.final_runs(store)


def build(store: Any, state: State) -> View:
    view = View("final", "Final evaluation", state.to_params(), store.revision())
    available = options(store)
    runs = [r for r in state.runs if r in available] or available
    view.options.update(available=available, runs=runs)
    if not runs:
        view.blocks.append(Note("empty", tone="info", text="No final evaluation yet: evaluate finished runs' final "
                                "checkpoints (and the base model) here, or import the study."))
        return view
    long, flips = numbers(store, runs)
    judges = sorted(set(reviews.judge_costs(store)["model"])) if "judge" in set(long["instrument"]) else []
    src = source(store, "final completions per problem (accuracy: mean over problems of per-problem means)",
                 runs=runs, n=int(long["n"].max()) if len(long) else 0, judge=", ".join(judges) or None)
    view.blocks.append(Table("table", frame=final.wide(long), title="Accuracy under every instrument and decoding",
                             caption="Each cell: accuracy [95% interval]. Wilson over problems for one seed (or from "
                                     "the n a source stated); a bootstrap over seeds and problems for a seed group.",
                             source=src))
    view.blocks.append(Table("orders", frame=final.orders(long), title="Rankings (best first)", source=src))
    view.blocks.append(Table("flips", frame=flips, title="Ranking flips", source=src,
                             caption="A pair whose order differs between two views of the same models. 'significant': "
                                     "both differences are clear of zero (paired bootstrap over shared problems, or "
                                     "Newcombe from the stated n); 'within noise': at least one is not."))
    if flips.empty:
        view.blocks.append(Note("no-flips", text="No pair of models changes order between decodings or against the "
                                "judge.", tone="caption"))
    return view
