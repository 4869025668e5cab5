"""The report as Markdown (for a wiki or a doc): titles, notes, numbers and tables as text, completions in fences
longer than any backtick run inside them, charts named (their data is in the HTML export). One RENDER entry per
block kind; every value is escaped for Markdown (escape.markdown_file), so nothing from a file becomes markup."""
from __future__ import annotations

import re
from typing import Any, Callable

from yardstick.guard import escape
from yardstick.share.findings import Reopened
from yardstick.views import cards, path
from yardstick.views.blocks import Block, Cards, Chart, Links, Note, Stat, Table

_md = escape.markdown_file


def document(reopened: list[Reopened], title: str = "Yardstick findings") -> str:
    out = [f"# {_md(title)}", ""]
    for f in reopened:
        if f.today is None:
            out += [_md(f.note), ""]
            continue
        out += [f"## {_md(f.title)}", "", f"*{_md(f.provenance())}*", f"View: `{path(f.page, f.params)}`", ""]
        if f.note:
            out += [_md(f.note), ""]
        for b in f.today.blocks:
            out += RENDER[b.kind](b) + [""]
        if f.changed and f.pinned is not None:
            out += [f"### As pinned (store revision {f.pinned_revision})", ""]
            for b in f.pinned.blocks:
                out += RENDER[b.kind](b) + [""]
    return "\n".join(out)


def _fence(text: str) -> list[str]:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return [ticks, text, ticks]


def _source(b: Block) -> list[str]:
    return [f"<sub>source: {_md(b.source.describe())}</sub>"] if b.source else []


def _note(b: Note) -> list[str]:
    return [_md(b.text)]


def _stat(b: Stat) -> list[str]:
    return [f"**{_md(b.label)}**: {_md(b.text())}"]


def _table(b: Table) -> list[str]:
    frame = b.frame.fillna("none").astype(str)
    head = "| " + " | ".join(_md(c) for c in frame.columns) + " |"
    rows = ["| " + " | ".join(_md(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return [f"### {_md(b.title)}" if b.title else "", head, "|" + "---|" * len(frame.columns), *rows,
            _md(b.caption), *_source(b)]


def _chart(b: Chart) -> list[str]:
    return [f"*(chart: {_md(b.title or b.key)} — drawn in the HTML export)*", *_source(b)]


def _cards(b: Cards) -> list[str]:
    lines = [f"{_md(b.title)}; showing {len(b.items):,}:"]
    for card in b.items:
        lines += ["", _md(card.header), *_fence(cards.preview(card.shown(b.mode), False)), _md("   ".join(card.lines))]
        if card.aside:
            lines += _fence(card.aside)
    return lines + _source(b)


def _links(b: Links) -> list[str]:
    return [f"- {_md(detail or label)}" for label, _, _, detail in b.items] + _source(b)


RENDER: dict[str, Callable[[Any], list[str]]] = {
    "note": _note, "stat": _stat, "table": _table, "chart": _chart, "cards": _cards, "links": _links}
