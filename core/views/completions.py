"""Completions: filter by run, step, phase, decoding, problem, instrument verdicts and disagreement; read each
completion with every instrument's answer and span (highlighted, marked, or plain), or scan them as a sortable
table that exports to CSV and Parquet."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yardstick.instruments import all_instruments
from yardstick.store import selection
from yardstick.views import card_block, cards, source
from yardstick.views.blocks import Table, View
from yardstick.views.filters import Filter
from yardstick.views.state import State as Base, url

PAGE_SIZE = 50
TABLE_ROWS = 500  # shown in table mode; the export holds up to EXPORT_ROWS
EXPORT_ROWS = 100_000
TEXT = cards.MODES


@dataclass(frozen=True)
class State(Base):
    filter: Filter = Filter()
    page: int = url("page", 0)
    mode: str = url("mode", "cards", allowed=("cards", "table"))
    text: str = url("text", "highlight", allowed=TEXT)


def instruments() -> list[tuple[str, str]]:
    return [(i.name, i.kind) for i in all_instruments()]


def build(store: Any, state: State) -> View:
    view = View("completions", "Completions", state.to_params(), store.revision())
    q = state.filter.query(page=max(state.page, 0), page_size=PAGE_SIZE)
    src_text = "completions matching the filter, with every instrument's reading"
    if state.mode == "table":
        table = selection.completions_table(store, q, TABLE_ROWS)
        total = selection.queue_size(store, q)
        view.blocks.append(Table("table", frame=table, title=f"{total:,} completions match" + (
            f"; the first {TABLE_ROWS:,} shown (the export holds up to {EXPORT_ROWS:,})" if total > TABLE_ROWS else ""),
            columns={"reward": ("number", "%.3f")}, source=source(store, src_text, runs=state.filter.runs, n=total)))
        view.options.update(total=total, pages=1)
        return view
    rows, total = selection.completions_page(store, q)
    readings = selection.readings(store, rows["completion_id"].tolist())
    view.blocks.append(card_block("list", cards.build(rows, readings, instruments()), state.text, total,
                                  f"{total:,} completions match",
                                  source(store, src_text, runs=state.filter.runs, n=total)))
    view.options.update(total=total, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))
    return view


def export(store: Any, state: State) -> Any:
    """Every filtered completion (up to EXPORT_ROWS) as the table mode's rows, for CSV / Parquet."""
    return selection.completions_table(store, state.filter.query(), EXPORT_ROWS)
