"""Completions: filter by run, step, phase, decoding, problem, instrument verdicts and disagreement; every
completion as plain text with each instrument's answer and span; one problem side by side across runs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import browse
from core.instruments import all_instruments
from core.store import queries
from core.views import source
from core.views.blocks import Cards, View
from core.views.filters import Filter
from core.views.state import State as Base, url

PAGE_SIZE = 50
SIDE = 4


@dataclass(frozen=True)
class State(Base):
    filter: Filter = Filter()
    page: int = url("page", 0)
    marks: bool = url("marks", True)
    side: str | None = url("side")  # the problem shown side by side


def instruments() -> list[tuple[str, str]]:
    return [(i.name, i.kind) for i in all_instruments()]


def build(store: Any, state: State) -> View:
    view = View("completions", "Completions", state.to_params(), store.revision())
    q = state.filter.query(page=max(state.page, 0), page_size=PAGE_SIZE)
    rows, total = queries.completions_page(store, q)
    readings = queries.readings(store, rows["completion_id"].tolist())
    view.blocks.append(Cards("list", items=browse.cards(rows, readings, instruments(), state.marks), total=total,
                             title=f"{total:,} completions match",
                             source=source(store, "completions matching the filter, with every instrument's reading",
                                           runs=state.filter.runs, n=total)))
    shared = queries.shared_problems(store)
    view.options.update(pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), shared=shared)
    if len(shared):
        problem = state.side if state.side in set(shared["problem_id"]) else shared["problem_id"].iloc[0]
        side, _ = queries.completions_page(store, queries.CompletionQuery(problem_id=problem, page_size=SIDE))
        side_readings = queries.readings(store, side["completion_id"].tolist())
        view.blocks.append(Cards("side", items=browse.cards(side, side_readings, instruments()),
                                 total=len(side), title=f"Problem {problem} side by side",
                                 source=source(store, "one problem's completions across runs", n=len(side))))
    return view
