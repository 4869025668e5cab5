"""Findings pinned from a view, reopened on today's data, and rendered as one self-contained, escaped HTML report."""
from __future__ import annotations

import pandas as pd
from test_pages import HOSTILE, open_page

from yardstick.share import findings, html as report_html, markdown as report_markdown
from yardstick.store.store import Batch, Store


def test_report_page_lists_findings_with_links(embedded_home):
    store = Store(embedded_home / "yardstick.duckdb")
    findings.pin(store, "curves", {"run": ["study-format-only"]}, "Format-only games the metric",
                 "reward up, accuracy down")
    store.close()
    at = open_page("report")
    assert any(t.value.startswith("1. Format-only games the metric") for t in at.text)
    link = next(p.proto for p in at.get("page_link") if p.proto.label == "Open this view")
    assert "run=study-format-only" in link.query_string
    assert {b.proto.label for b in at.get("download_button")} >= {"HTML report", "Markdown"}


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
    findings.pin(store, "completions", {"run": ["hostile"]}, "<b>title</b>", "note <script>alert(1)</script>")
    findings.pin(store, "curves", {"run": ["r"]}, "curve")
    html = report_html.document(findings.reopen_all(store))
    assert "&lt;b&gt;title&lt;/b&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html and "window.pwned = 1</script>" not in html
    assert "onerror=&quot;window.pwned" in html and '<img src="x"' not in html
    assert html.count("<script") >= 1 and "plotly" in html.lower()  # plotly.js inlined: works offline
    assert "<script src=" not in html and "<script type=\"text/javascript\" src=" not in html  # nothing fetched


def test_a_report_says_when_the_data_changed_since_pinning(isolated_env):
    """A finding keeps what it showed; rebuilt later on changed data, it shows today's numbers and says so."""
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = Store(isolated_env / "yardstick.duckdb")
    metric = lambda values: Batch(runs=[{"run_id": "r", "reward_spec": "format"}], metrics=pd.DataFrame(  # noqa: E731
        {"run_id": "r", "step": [0, 10], "name": "reward", "value": values, "phase": "train", "decoding": "sampled"}))
    store.ingest(metric([0.2, 0.9]))
    findings.pin(store, "curves", {"run": ["r"], "metric": ["reward"]}, "reward rises")
    (same,) = findings.reopen_all(store)
    assert not same.changed and "Unchanged since pinned" in same.provenance()

    store.ingest(metric([0.2, 0.4]))  # the run's numbers were re-imported differently
    (f,) = findings.reopen_all(store)
    assert f.changed and "changed since this was pinned" in f.provenance()
    ends = f.today.get("ends").frame.set_index("metric")
    pinned = f.pinned.get("ends").frame.set_index("metric")
    assert ends.loc["reward", "end"] == 0.4 and pinned.loc["reward", "end"] == 0.9
    html = report_html.document([f])
    assert "changed since this was pinned" in html and "As pinned" in html


def test_findings_are_edited_reordered_deleted_and_exported_as_markdown(isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = Store(isolated_env / "yardstick.duckdb")
    store.ingest(Batch(runs=[{"run_id": "r", "reward_spec": "format"}], metrics=pd.DataFrame(
        {"run_id": "r", "step": [0, 10], "name": "reward", "value": [0.2, 0.9], "phase": "train",
         "decoding": "sampled"})))
    a = findings.pin(store, "curves", {"run": ["r"]}, "first")
    b = findings.pin(store, "overview", {}, "second")
    store.add_note_block("Context for the meeting | with a *pipe*")
    store.move_finding(b, -1)
    store.edit_finding(a, "first, renamed", "a note")
    assert [f.title for f in findings.reopen_all(store)] == ["second", "first, renamed",
                                                             "Context for the meeting | with a *pipe*"]
    md = report_markdown.document(findings.reopen_all(store))
    assert "## first, renamed" in md and "Context for the meeting \\| with a \\*pipe\\*" in md
    store.delete_finding(b)
    assert [f.title for f in findings.reopen_all(store)][0] == "first, renamed"


def test_exported_charts_keep_their_colours(isolated_env):
    import re

    isolated_env.mkdir(parents=True, exist_ok=True)
    store = Store(isolated_env / "yardstick.duckdb")
    for run in ("a", "b", "c"):
        store.ingest(Batch(runs=[{"run_id": run, "reward_spec": "format"}], metrics=pd.DataFrame(
            {"run_id": run, "step": [0, 10], "name": "reward", "value": [0.2, 0.9], "phase": "train",
             "decoding": "sampled"})))
    findings.pin(store, "curves", {"run": ["a", "b", "c"]}, "three runs")
    html = report_html.document(findings.reopen_all(store))
    from yardstick.views.charts import colours

    drawn = set(re.findall(r'"line":\{"color":"(#[0-9a-f]{6})"', html))
    runs = set(colours(["a", "b", "c"]).values())
    assert len(runs) == 3 and runs <= drawn  # one distinct colour per run, as on the page
    assert not re.search(r"#00000[1-9]", html)  # no theme placeholders (#000001…) left for a renderer to fill
