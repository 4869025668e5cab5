"""Every page through Streamlit's AppTest, on real stores."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from streamlit.testing.v1 import AppTest

from yardstick.instruments import registry
from yardstick.store import selection
from yardstick.store.store import Batch, Store

TIMEOUT = 120


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def unescape(markdown: str) -> str:
    """What a reader sees of text that a page escaped for markdown (labels from files are escaped)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def trace(at: AppTest, metric: str, line: str | None = None, **meta) -> dict:
    """The plotted line of `metric` (for `line`, a run or group), found by what the chart builder records."""
    return next(t for t in figure(at)["data"] if t.get("meta", {}).get("metric") == metric and t.get("customdata")
                and (line is None or t["meta"]["line"] == line) and all(t["meta"].get(k) == v for k, v in meta.items()))


def figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_overview_shows_the_embedded_default(embedded_home):
    at = open_page("overview")
    metrics = {unescape(m.label): m.value for m in at.metric}
    assert metrics["Completions"] == "5,326" and metrics["Labels"] == "50"
    runs = at.dataframe[0].value
    assert {"study-format-only", "gsm8k-175b_verification", "study-judge-validation"} <= set(runs["run_id"])
    audit = at.dataframe[1].value.set_index("instrument")
    assert tuple(audit.loc["study_lenient", ["tp", "fp", "fn"]]) == (14, 8, 1)  # reference defaults to hand


def test_curves_show_format_rising_while_accuracy_falls(embedded_home):
    at = open_page("curves", run="study-format-only")
    fmt, acc = trace(at, "study_format"), trace(at, "study_last_number")
    assert fmt["y"][0] == pytest.approx(0.438) and fmt["y"][-1] == 1.0
    assert acc["y"][0] == pytest.approx(0.228) and acc["y"][-1] == pytest.approx(0.025)
    table = at.dataframe[0].value.set_index("metric")
    assert table.loc["study_last_number", "role"] == "independent"
    assert table.loc["study_format", "role"] == "circular"


def test_curves_overlay_runs(embedded_home):
    at = open_page("curves", run=["study-sc-lenient", "study-sc-strict-tag"])
    runs = {t["customdata"][0][0] for t in figure(at)["data"] if t.get("customdata")}
    assert runs == {"study-sc-lenient", "study-sc-strict-tag"}
    greedy = trace(at, "study_last_number", "study-sc-lenient", phase="final", decoding="greedy")
    assert greedy["mode"] == "markers", "the study's final greedy evaluation is drawn apart from the sampled curve"


def test_completions_filter_by_disagreement_from_the_url(embedded_home):
    store = Store(embedded_home / "yardstick.duckdb")
    expected = selection.completions_page(store, selection.CompletionQuery(
        run_ids=("study-judge-validation",), verdicts=(("lenient", "correct"), ("strict_tag", "no answer"))))[1]
    store.close()
    at = open_page("completions", run="study-judge-validation", text="plain", **{"v.lenient": "correct",
                                                                                 "v.strict_tag": "no answer"})
    assert 0 < expected < 50
    assert any(f"**{expected}** completions match" == m.value for m in at.markdown)
    assert len(at.code) == expected  # one text block per completion in the list
    assert any("lenient → " in t.value and "✓" in t.value for t in at.text)
    table = open_page("completions", run="study-judge-validation", mode="table", **{
        "v.lenient": "correct", "v.strict_tag": "no answer"}).dataframe[0].value
    assert len(table) == expected and {"run_id", "step", "phase", "decoding", "lenient", "lenient ✓"} <= set(table)
    assert set(table["strict_tag"]) == {"none"}  # "none", never "nan"


HOSTILE = ["<script>window.pwned = 1</script> so the answer is <answer>7</answer>",
           '<img src="x" onerror="window.pwned = 2"> total 7', "**bold** and [link](http://example.com) 7",
           "x" * 100_000 + " 7"]


def hostile_store(home) -> None:
    home.mkdir(parents=True, exist_ok=True)
    store = Store(home / "yardstick.duckdb")
    store.sync_instruments()
    store.ingest(Batch(runs=[{"run_id": "hostile", "name": "hostile"}], completions=pd.DataFrame(
        {"run_id": "hostile", "step": 0, "phase": "eval", "decoding": "sampled", "question": "q <b>?</b>",
         "gold": "7", "sample": range(len(HOSTILE)), "text": HOSTILE})))
    store.close()


def test_completions_are_text_never_html(isolated_env):
    hostile_store(isolated_env)
    at = open_page("completions", run="hostile", text="plain")
    shown = "\n".join(c.value for c in at.code)
    assert "<script>window.pwned = 1</script>" in shown and '<img src="x" onerror=' in shown
    assert "**bold**" in shown
    assert not at.get("html") and all("pwned" not in m.value for m in at.markdown)
    highlighted = "\n".join(h.proto.body for h in open_page("completions", run="hostile").get("html"))
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in highlighted and "<script" not in highlighted
    assert "<img" not in highlighted and "<mark" in highlighted  # escaped first, then the spans wrapped
    longest = max(len(c.value) for c in at.code)
    assert longest < 5_000, "100 kB completions are cut, with 'show all'"
    assert any(t.label == "Show all" for t in at.toggle)


def test_a_registered_instrument_appears_everywhere(embedded_home):
    @registry.extractor(name="first_number")
    def first_number(text: str):
        """The first number in the text."""
        from yardstick.instruments.numbers import find_numbers

        found = find_numbers(text)
        return registry.Extraction(*found[0]) if found else registry.Extraction(None)

    try:
        at = open_page("overview")
        audit = at.dataframe[1].value
        assert "first_number" in set(audit["instrument"])
        assert "first_number" in at.dataframe[0].value.columns
        at = open_page("completions", run="study-judge-validation", **{"v.first_number": "wrong"})
        assert any("first_number → " in t.value for t in at.text)
    finally:
        registry.unregister("first_number")


def test_curves_fold_a_seed_group_into_a_95_interval_across_seeds(isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = Store(isolated_env / "yardstick.duckdb")
    for seed, values in ((1, [0.2, 0.6]), (2, [0.4, 0.8]), (3, [0.3, 0.7])):
        store.ingest(Batch(runs=[{"run_id": f"r{seed}", "reward_spec": "format", "seed": seed, "seed_group": "g"}],
                           metrics=pd.DataFrame({"run_id": f"r{seed}", "step": [0, 10], "name": "last_number",
                                                 "value": values, "phase": "eval", "decoding": "sampled"})))
    store.close()
    at = open_page("curves", run=["r1", "r2", "r3"])
    band = next(t for t in figure(at)["data"] if t.get("meta", {}).get("band") == 3)
    line = trace(at, "last_number", "g")
    assert line["y"] == [pytest.approx(0.3), pytest.approx(0.7)]
    half = 4.303 * 0.1 / 3 ** 0.5  # t(2) × sd / √n
    assert sorted(band["y"]) == pytest.approx(sorted([0.3 - half, 0.3 + half, 0.7 - half, 0.7 + half]), abs=1e-3)
    ends = at.dataframe[0].value.set_index("metric")
    assert ends.loc["last_number", "n"] == "3 seeds"


def test_overview_and_curves_flag_reward_hacking(embedded_home):
    at = open_page("overview")
    links = {unescape(p.proto.label): unescape(p.proto.help) for p in at.get("page_link")}
    start = "study-format-only: study_last_number (sampled) fell 0.23 → 0.03 (Δ ["
    label = next(t for t in links if t.startswith(start))  # the line itself carries its interval, level and n
    assert label.endswith("95% CI, n = 50) while the reward went up")
    assert "Newcombe" in links[label]  # the whole rule, numbers and method on hover
    at = open_page("curves", run="study-format-only")
    assert any(unescape(p.proto.label) == label for p in at.get("page_link"))
    assert [t for t in figure(at)["data"] if t.get("name") == "flag"], "the flag is marked on its panel"


def test_a_corrupt_run_folder_is_reported_and_the_others_still_load(isolated_env):
    from yardstick import home
    from yardstick.record.folder import RunFolder

    good = RunFolder(home.runs_dir() / "good").create("recorded", {"reward": "format", "steps": 2})
    good.set_status(state="finished", step=2)
    good.write_steps(1, {"reward": 0.2})
    good.write_steps(2, {"reward": 0.6})
    bad = RunFolder(home.runs_dir() / "bad").create("recorded", {"reward": "format", "steps": 2})
    bad.set_status(state="finished", step=1)
    (bad.path / "steps" / "000001-1.parquet").write_bytes(b"not parquet")
    at = open_page("curves", run="good")
    assert any(w.value == "A run folder could not be read" for w in at.warning)
    assert any(t.value.startswith("bad: ") for t in at.text)
    assert {t["customdata"][0][0] for t in figure(at)["data"] if t.get("customdata")} == {"good"}


def test_a_smoothed_training_line_of_a_seed_group_has_its_band_smoothed_alike():
    """Per-step t bands across 3 seeds of a noisy reward are mostly noise: with smoothing on, the band follows the
    line's EMA (raw points stay faint behind)."""
    from yardstick.views import charts
    steps = list(range(1, 11))
    hi, lo = [0.9 if s % 2 else 0.6 for s in steps], [0.1 if s % 2 else 0.4 for s in steps]
    df = pd.DataFrame({"line": "g", "runs": "r1,r2,r3", "name": "reward", "phase": "train", "decoding": "sampled",
                       "step": steps, "value": 0.5, "hi": hi, "lo": lo, "seeds": 3, "reward_spec": "format"})
    band = next(t for t in charts.panels(df, ["reward"], smoothing=0.6).data if (t.meta or {}).get("band") == 3)
    expected = list(charts.ema(np.array(hi), 0.6)) + list(charts.ema(np.array(lo), 0.6))[::-1]
    assert list(band.y) == pytest.approx(expected)
    raw = next(t for t in charts.panels(df, ["reward"], smoothing=0).data if (t.meta or {}).get("band") == 3)
    assert list(raw.y) == pytest.approx(hi + lo[::-1])
    gap = charts.ema(np.array([0.5, np.nan, 0.6, 0.7]), 0.6)  # a step one seed lacks stays a gap, not the end
    assert np.isnan(gap[1]) and np.isfinite(gap[[0, 2, 3]]).all()


@pytest.mark.parametrize(("page", "params", "change"), [
    ("audit", {"reference": "hand"}, lambda at: next(s for s in at.selectbox if s.label == "Instrument")
     .set_value("study_strict_tag")),
    ("completions", {"run": "gsm8k-6b_verification"}, lambda at: at.number_input[0].set_value(2)),
    ("curves", {"run": "study-format-only"}, lambda at: at.slider[0].set_value(0.3)),
    ("final", {}, lambda at: at.multiselect[0].set_value(["study-sc-lenient", "study-sc-strict-tag"])),
    ("runs", {}, lambda at: next(m for m in at.multiselect if m.label == "Two runs")
     .set_value(["study-format-only", "study-lenient"])),
])
def test_a_page_builds_its_view_once_per_rerun(embedded_home, monkeypatch, page, params, change):
    """Pages read their widgets before building (the audit page built its View up to four times a rerun)."""
    import streamlit as st

    from yardstick import views

    built = []
    real = views.build
    monkeypatch.setattr(views, "build", lambda store, p, params: built.append(p) or real(store, p, params))
    st.cache_data.clear()
    at = open_page(page, **params)
    assert built.count(page) == 1, built
    built.clear()
    change(at).run()
    assert not at.exception, [e.value for e in at.exception]
    assert built.count(page) == 1, built
