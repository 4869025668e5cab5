"""The report: pinned findings as one self-contained HTML file to share in a meeting.

It renders the same Views the pages show (core.views), block by block; there is no per-page code here. Every piece
of text that came from a user, a file or a model is escaped; the only script in the file is plotly.js itself,
inlined once so the file works offline.
"""
from __future__ import annotations

from typing import Any

import plotly.io as pio

from core import browse, escape
from core.findings import Reopened
from core.views.blocks import Block, Cards, Chart, Links, Note, Stat, Table, View

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:1rem 0} .meta{color:#777;font-size:.85rem} .changed{color:#a15c00}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem;border-radius:4px;font-size:.85rem}
table{border-collapse:collapse;font-size:.85rem} td,th{border:1px solid #ddd;padding:.2rem .5rem}
.stat{display:inline-block;margin:0 1.5rem .5rem 0} .stat b{display:block;font-size:1.3rem}"""


def _e(text: Any) -> str:
    return escape.html("" if text is None else text)


def render(reopened: list[Reopened], title: str = "Yardstick findings") -> str:
    """The findings (findings.reopen_all) as one HTML document."""
    parts = [f"<!doctype html><meta charset='utf-8'><title>{_e(title)}</title><style>{STYLE}</style>",
             f"<h1>{_e(title)}</h1>"]
    plotly = _Plotly()
    for f in reopened:
        parts.append(finding_html(f, plotly))
    return "\n".join(parts)


def render_view(view: View, title: str) -> str:
    """One view (e.g. a replication) as a self-contained HTML document."""
    return (f"<!doctype html><meta charset='utf-8'><title>{_e(title)}</title><style>{STYLE}</style>"
            f"<h1>{_e(title)}</h1>" + view_html(view, _Plotly()))


def finding_html(f: Reopened, plotly: "_Plotly") -> str:
    if f.today is None:  # a text block between findings
        return f"<section><pre>{_e(f.note)}</pre></section>"
    parts = [f"<section><h2>{_e(f.title)}</h2>",
             f"<p class='meta'>{_e(f.page)} · view: <code>{_e(link(f.page, f.params))}</code></p>",
             f"<p class='{'changed' if f.changed else 'meta'}'>{_e(f.provenance())}</p>"]
    if f.note:
        parts.append(f"<pre>{_e(f.note)}</pre>")
    parts.append(view_html(f.today, plotly))
    if f.changed and f.pinned is not None:
        parts.append(f"<details><summary>As pinned (store revision {_e(f.pinned_revision)})</summary>"
                     f"{view_html(f.pinned, plotly)}</details>")
    return "".join(parts) + "</section>"


def link(page: str, params: dict[str, list[str]]) -> str:
    from urllib.parse import urlencode

    query = urlencode([(k, v) for k, values in params.items() for v in values])
    return ("/" if page == "overview" else f"/{page}") + (f"?{query}" if query else "")  # overview is the app's root


def view_html(view: View, plotly: "_Plotly") -> str:
    return "".join(block_html(b, plotly) for b in view.blocks)


def block_html(block: Block, plotly: "_Plotly") -> str:
    source = f"<p class='meta'>source: {_e(block.source.describe())}</p>" if block.source else ""
    if isinstance(block, Note):
        return f"<p>{_e(block.text)}</p>"
    if isinstance(block, Stat):
        return f"<div class='stat'>{_e(block.label)}<b>{_e(block.text())}</b></div>"
    if isinstance(block, Table):
        body = block.frame.to_html(index=False, float_format=lambda v: f"{v:.3f}", escape=True, na_rep="none")
        return f"<h3>{_e(block.title)}</h3>{body}<p class='meta'>{_e(block.caption)}</p>{source}"
    if isinstance(block, Chart):
        return f"<h3>{_e(block.title)}</h3>{plotly.figure(block.figure)}{source}"
    if isinstance(block, Cards):
        items = [f"<p class='meta'>{_e(block.title)}; showing {len(block.items):,}:</p>"]
        for card in block.items:
            items.append(f"<p class='meta'>{_e(card.get('header', ''))}</p>"
                         f"<pre>{_e(browse.preview(card.get('marked') or card.get('text', ''), False))}</pre>"
                         f"<p class='meta'>{_e('   '.join(card.get('lines', [])))}</p>")
            if card.get("aside"):
                items.append(f"<pre>{_e(card['aside'])}</pre>")
        return "".join(items) + source
    if isinstance(block, Links):
        return f"<h3>{_e(block.title)}</h3><ul>" + "".join(f"<li>{_e(detail or label)}</li>"
                                                           for label, _, _, detail in block.items) + f"</ul>{source}"
    return ""


class _Plotly:
    """plotly.js goes into the file once, with the first chart."""

    def __init__(self) -> None:
        self.inlined = False

    def figure(self, figure: dict) -> str:
        out = pio.to_html(figure, full_html=False, include_plotlyjs="inline" if not self.inlined else False)
        self.inlined = True
        return out


def markdown(reopened: list[Reopened], title: str = "Yardstick findings") -> str:
    """The same findings as Markdown (for a wiki or a doc): titles, notes, numbers and tables as text; completions
    in fences longer than any backtick run inside them; charts named, with their data in the HTML export."""
    out = [f"# {_md(title)}", ""]
    for f in reopened:
        if f.today is None:
            out += [_md(f.note), ""]
            continue
        out += [f"## {_md(f.title)}", "", f"*{_md(f.provenance())}*", f"View: `{link(f.page, f.params)}`", ""]
        if f.note:
            out += [_md(f.note), ""]
        for b in f.today.blocks:
            out += _block_md(b) + [""]
    return "\n".join(out)


_md = escape.markdown_file


def _fence(text: str) -> list[str]:
    import re

    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return [ticks, text, ticks]


def _block_md(b: Block) -> list[str]:
    source = [f"<sub>source: {_md(b.source.describe())}</sub>"] if b.source else []
    if isinstance(b, Note):
        return [_md(b.text)]
    if isinstance(b, Stat):
        return [f"**{_md(b.label)}**: {_md(b.text())}"]
    if isinstance(b, Table):
        frame = b.frame.fillna("none").astype(str)
        head = "| " + " | ".join(_md(c) for c in frame.columns) + " |"
        rows = ["| " + " | ".join(_md(v) for v in row) + " |" for row in frame.itertuples(index=False)]
        return [f"### {_md(b.title)}" if b.title else "", head, "|" + "---|" * len(frame.columns), *rows,
                _md(b.caption), *source]
    if isinstance(b, Chart):
        return [f"*(chart: {_md(b.title or b.key)} — drawn in the HTML export)*", *source]
    if isinstance(b, Cards):
        lines = [f"{_md(b.title)}; showing {len(b.items):,}:"]
        for card in b.items:
            lines += ["", _md(card.get("header", "")), *_fence(browse.preview(card.get("text", ""), False)),
                      _md("   ".join(card.get("lines", [])))]
        return lines + source
    if isinstance(b, Links):
        return [f"- {_md(detail or label)}" for label, _, _, detail in b.items] + source
    return []
