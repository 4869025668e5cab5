"""Findings pinned from a page, reopened, and rendered as one self-contained, escaped HTML report."""
from __future__ import annotations

import pandas as pd
from core import report
from core.store import queries
from core.store.store import Batch, Store
from test_pages import HOSTILE, open_page


def test_report_page_lists_findings_with_links(embedded_home):
    store = Store(embedded_home / "yardstick.duckdb")
    store.add_finding("Format-only games the metric", "reward up, accuracy down", "curves",
                      {"run": ["study-format-only"]})
    store.close()
    at = open_page("report")
    assert any(t.value.startswith("Format-only games the metric") for t in at.text)
    link = at.get("page_link")[-1].proto
    assert link.label == "Open this view" and "run=study-format-only" in link.query_string
    assert any(b.proto.label == "Download the report (HTML)" for b in at.get("download_button"))


def test_report_html_is_self_contained_and_escaped(isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = Store(isolated_env / "yardstick.duckdb")
    store.sync_instruments()
    store.ingest(Batch(runs=[{"run_id": "hostile", "reward_spec": "format"}], completions=pd.DataFrame(
        {"run_id": "hostile", "step": 0, "phase": "eval", "decoding": "sampled", "question": "q", "gold": "7",
         "sample": range(len(HOSTILE)), "text": HOSTILE})))
    store.ingest(Batch(runs=[{"run_id": "r", "reward_spec": "format"}], metrics=pd.DataFrame(
        {"run_id": "r", "step": [0, 10], "name": "reward", "value": [0.2, 0.9], "phase": "train",
         "decoding": "sampled"})))
    store.add_finding("<b>title</b>", "note <script>alert(1)</script>", "completions", {"run": ["hostile"]})
    store.add_finding("curve", "", "curves", {"run": ["r"]})
    html = report.render(store, queries.findings(store))
    assert "&lt;b&gt;title&lt;/b&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html and "window.pwned = 1</script>" not in html
    assert "onerror=&quot;window.pwned" in html and '<img src="x"' not in html
    assert html.count("<script") >= 1 and "plotly" in html.lower()  # plotly.js inlined: works offline
    assert "<script src=" not in html and "<script type=\"text/javascript\" src=" not in html  # nothing fetched
