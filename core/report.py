"""The report: pinned findings as one self-contained HTML file to share in a meeting.

Every piece of text that came from a user or a model (titles, notes, completions, run names) is escaped; the only
script in the file is plotly.js itself, inlined once so the file works offline.
"""
from __future__ import annotations

import json
from typing import Any

import pandas as pd

from core import audit, browse, charts, escape
from core.flags import store_flags
from core.store import queries
from core.store.queries import CompletionQuery

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:1rem 0} .meta{color:#777;font-size:.85rem}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem;border-radius:4px;font-size:.85rem}
table{border-collapse:collapse;font-size:.85rem} td,th{border:1px solid #ddd;padding:.2rem .5rem}"""
MAX_COMPLETIONS = 5


def render(store: Any, findings: pd.DataFrame, title: str = "Yardstick findings") -> str:
    parts = [f"<!doctype html><meta charset='utf-8'><title>{_e(title)}</title><style>{STYLE}</style>",
             f"<h1>{_e(title)}</h1>"]
    plotly_inlined = False
    for f in findings.itertuples():
        state = json.loads(f.state) if isinstance(f.state, str) else dict(f.state)
        parts.append(f"<section><h2>{_e(f.title)}</h2><p class='meta'>{_e(f.page)} · {_e(str(f.created_at))} · "
                     f"view: <code>{_e(_link(f.page, state))}</code></p>")
        if f.note:
            parts.append(f"<pre>{_e(f.note)}</pre>")
        body, used_plotly = _body(store, f.page, state, include_plotly=not plotly_inlined)
        plotly_inlined = plotly_inlined or used_plotly
        parts.append(body + "</section>")
    return "\n".join(parts)


_e = escape.html


def _link(page: str, state: dict[str, list[str]]) -> str:
    query = "&".join(f"{k}={v}" for k, values in state.items() for v in values)
    return f"/{page}" + (f"?{query}" if query else "")


def _body(store: Any, page: str, state: dict[str, list[str]], include_plotly: bool) -> tuple[str, bool]:
    if page == "curves" and state.get("run"):
        data = queries.metrics(store, state["run"])
        fig = charts.curves(data, state.get("metric") or None)
        flags = "".join(f"<li>{_e(fl.run_id)}: {_e(fl.message)}</li>" for fl in store_flags(store, state["run"]))
        return ((f"<ul>{flags}</ul>" if flags else "") +
                fig.to_html(full_html=False, include_plotlyjs="inline" if include_plotly else False), True)
    if page in ("completions", "label"):
        q = CompletionQuery.from_params(state)
        q.page_size = MAX_COMPLETIONS
        rows, total = queries.completions_page(store, q)
        readings = queries.readings(store, rows["completion_id"].tolist())
        checks = set(queries.instrument_names("check"))
        items = [f"<p class='meta'>{total:,} completions match; the first {len(rows)}:</p>"]
        for row in rows.to_dict("records"):
            mine = readings[readings["completion_id"] == row["completion_id"]]
            verdicts = "   ".join(browse.verdict_line(r.instrument, r.answer, r.verdict, row["gold"], r.instrument in checks)
                                  for r in mine.itertuples())
            items.append(f"<p class='meta'>{_e(row['run_id'])} · step {row['step']} · gold {_e(row['gold'])}</p>"
                         f"<pre>{_e(browse.preview(browse.mark_spans(row['text'], mine), False))}</pre>"
                         f"<p class='meta'>{_e(verdicts)}</p>")
        return "".join(items), False
    if page in ("audit", "overview"):
        reference = (state.get("reference") or ["hand"])[-1]
        pairs = queries.audit_pairs(store, reference, state.get("run") or None)
        if pairs.empty:
            return "<p>No reference verdicts.</p>", False
        table = audit.table(pairs, answers=reference != "is_correct")
        return f"<p class='meta'>reference: {_e(reference)}</p>" + table.to_html(index=False, float_format="%.3f"), False
    return "", False
