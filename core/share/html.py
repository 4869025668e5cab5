"""The report as one self-contained HTML file to share in a meeting: pinned findings (or one view) rendered block by
block through RENDER, one entry per block kind. Every piece of text that came from a user, a file or a model is
escaped; the only script in the file is plotly.js itself, inlined once so the file works offline."""
from __future__ import annotations

from typing import Any, Callable

import plotly.io as pio

from yardstick.guard import escape
from yardstick.share.findings import Reopened
from yardstick.views import cards, path
from yardstick.views.blocks import Block, Cards, Chart, Links, Note, Stat, Table, View

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:1rem 0} .meta{color:#777;font-size:.85rem} .changed{color:#a15c00}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem;border-radius:4px;font-size:.85rem}
table{border-collapse:collapse;font-size:.85rem} td,th{border:1px solid #ddd;padding:.2rem .5rem}
.stat{display:inline-block;margin:0 1.5rem .5rem 0} .stat b{display:block;font-size:1.3rem}"""


def _e(text: Any) -> str:
    return escape.html("" if text is None else text)


def document(reopened: list[Reopened], title: str = "Yardstick findings") -> str:
    """The findings (findings.reopen_all) as one HTML document."""
    plotly = _Plotly()
    return "\n".join([_head(title)] + [_finding(f, plotly) for f in reopened])


def view_document(view: View, title: str) -> str:
    """One view (e.g. a replication) as a self-contained HTML document."""
    return _head(title) + _view(view, _Plotly())


def _head(title: str) -> str:
    return f"<!doctype html><meta charset='utf-8'><title>{_e(title)}</title><style>{STYLE}</style><h1>{_e(title)}</h1>"


def _finding(f: Reopened, plotly: "_Plotly") -> str:
    if f.today is None:  # a text block between findings
        return f"<section><pre>{_e(f.note)}</pre></section>"
    parts = [f"<section><h2>{_e(f.title)}</h2>",
             f"<p class='meta'>{_e(f.page)} · view: <code>{_e(path(f.page, f.params))}</code></p>",
             f"<p class='{'changed' if f.changed else 'meta'}'>{_e(f.provenance())}</p>"]
    if f.note:
        parts.append(f"<pre>{_e(f.note)}</pre>")
    parts.append(_view(f.today, plotly))
    if f.changed and f.pinned is not None:
        parts.append(f"<details><summary>As pinned (store revision {_e(f.pinned_revision)})</summary>"
                     f"{_view(f.pinned, plotly)}</details>")
    return "".join(parts) + "</section>"


def _view(view: View, plotly: "_Plotly") -> str:
    return "".join(RENDER[b.kind](b, plotly) for b in view.blocks)


def _source(b: Block) -> str:
    return f"<p class='meta'>source: {_e(b.source.describe())}</p>" if b.source else ""


def _note(b: Note, plotly: "_Plotly") -> str:
    return f"<p>{_e(b.text)}</p>"


def _stat(b: Stat, plotly: "_Plotly") -> str:
    return f"<div class='stat'>{_e(b.label)}<b>{_e(b.text())}</b></div>"


def _table(b: Table, plotly: "_Plotly") -> str:
    body = b.frame.to_html(index=False, float_format=lambda v: f"{v:.3f}", escape=True, na_rep="none")
    return f"<h3>{_e(b.title)}</h3>{body}<p class='meta'>{_e(b.caption)}</p>{_source(b)}"


def _chart(b: Chart, plotly: "_Plotly") -> str:
    return f"<h3>{_e(b.title)}</h3>{plotly.figure(b.figure)}{_source(b)}"


def _cards(b: Cards, plotly: "_Plotly") -> str:
    items = [f"<p class='meta'>{_e(b.title)}; showing {len(b.items):,}:</p>"]
    for card in b.items:
        if b.mode == "highlight" and card.spans:
            shown = cards.preview(card.text, False)
            text = cards.highlight_html(shown, [s for s in card.spans if s["span_end"] <= len(shown)], b.colours)
        else:
            text = f"<pre>{_e(cards.preview(card.shown(b.mode), False))}</pre>"
        items.append(f"<p class='meta'>{_e(card.header)}</p>{text}<p class='meta'>{_e('   '.join(card.lines))}</p>")
        if card.aside:
            items.append(f"<pre>{_e(card.aside)}</pre>")
    return "".join(items) + _source(b)


def _links(b: Links, plotly: "_Plotly") -> str:
    return f"<h3>{_e(b.title)}</h3><ul>" + "".join(f"<li>{_e(detail or label)}</li>"
                                                   for label, _, _, detail in b.items) + f"</ul>{_source(b)}"


RENDER: dict[str, Callable[[Any, "_Plotly"], str]] = {
    "note": _note, "stat": _stat, "table": _table, "chart": _chart, "cards": _cards, "links": _links}


class _Plotly:
    """plotly.js goes into the file once, with the first chart."""

    def __init__(self) -> None:
        self.inlined = False

    def figure(self, figure: dict) -> str:
        out = pio.to_html(figure, full_html=False, include_plotlyjs="inline" if not self.inlined else False)
        self.inlined = True
        return out
