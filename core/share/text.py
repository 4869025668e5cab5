"""A View as plain text for the terminal (`yardstick view PAGE`): one RENDER entry per block kind, so a kind added
to the views shows up here too (a test walks every kind through every renderer). Text from files and models is
escaped for the terminal (guard/escape.terminal); `--json` prints the snapshot instead."""
from __future__ import annotations

from typing import Any, Callable

from yardstick.guard.escape import terminal as _t
from yardstick.views.blocks import Cards, Chart, Links, Note, Stat, Table, View


def view(v: View) -> str:
    return "\n".join(line for b in v.blocks for line in [f"== {_t(b.key)} ({b.kind})", *RENDER[b.kind](b)])


def _note(b: Note) -> list[str]:
    return [_t(b.text)]


def _stat(b: Stat) -> list[str]:
    return [f"{_t(b.label)}: {_t(b.text())}"]


def _table(b: Table) -> list[str]:
    frame = b.frame.astype(object).where(b.frame.notna(), "none")
    return ([_t(b.title)] if b.title else []) + ["\t".join(_t(c) for c in frame.columns)] + \
        ["\t".join(_t(v) for v in row) for row in frame.itertuples(index=False)]


def _chart(b: Chart) -> list[str]:
    names = [t.get("name") for t in b.figure.get("data", []) if t.get("name")]
    return [_t(f"chart {b.title or b.key}: {len(b.figure.get('data', []))} traces" +
               (f" ({', '.join(dict.fromkeys(names))})" if names else ""))]


def _cards(b: Cards) -> list[str]:
    return [_t(f"{b.title} ({len(b.items):,} of {b.total:,} shown)")] + \
        [_t(line) for card in b.items for line in ["", card.header, card.shown(b.mode), *card.lines]]


def _links(b: Links) -> list[str]:
    return ([_t(b.title)] if b.title else []) + [f"- {_t(label)}" for label, *_ in b.items]


RENDER: dict[str, Callable[[Any], list[str]]] = {
    "note": _note, "stat": _stat, "table": _table, "chart": _chart, "cards": _cards, "links": _links}
