"""Real browser, reading runs: Curves as small multiples (one panel per metric, one colour per run) that a copied URL
reopens; one prompt through training across two runs; meeting mode paged with the arrow keys."""
from __future__ import annotations

import pandas as pd
import pytest
from browser import browser_page, streamlit_server, wait_for_text

from yardstick.share import findings
from yardstick.store.store import Batch, Store

pytestmark = pytest.mark.slow


RUNS = ("alpha", "bravo", "charlie")
STEPS = (0, 10, 20)
METRICS = ("format", "last_number", "lenient", "strict_tag")


def three_run_store(home) -> Store:
    """Three runs evaluated at steps 0/10/20 on the same four problems; answers drift so every metric moves."""
    home.mkdir(parents=True, exist_ok=True)
    store = Store(home / "yardstick.duckdb")
    store.sync_instruments()
    for r, run in enumerate(RUNS):
        rows = [{"run_id": run, "step": step, "phase": "eval", "decoding": "sampled", "sample": 0,
                 "question": f"What is {k} + 2?", "gold": str(k + 2),
                 "text": f"{k} + 2 = {k + 2}. <answer>{k + 2}</answer>" if (k + r + step // 10) % 3 else
                 f"I think it is {k + 3}, or {k + 2}."}
                for step in STEPS for k in range(4)]
        store.ingest(Batch(runs=[{"run_id": run, "reward_spec": "format", "seed": 1}],
                           completions=pd.DataFrame(rows)))
    return store


PLOT = """() => document.querySelector('.js-plotly-plot').data
  .filter(t => t.meta && t.meta.line && t.meta.band === undefined)
  .map(t => ({line: t.meta.line, metric: t.meta.metric, colour: t.line.color}))"""


def traces(page) -> list[dict]:
    page.wait_for_function("() => { const g = document.querySelector('.js-plotly-plot'); return g && g.data }",
                           timeout=60_000)
    return page.evaluate(PLOT)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for this module's readers: the three runs, three findings pinned about them (each test reads, none
    writes), served once."""
    home = tmp_path_factory.mktemp("reading") / "home"
    store = three_run_store(home)
    for run in RUNS:
        findings.pin(store, "curves", {"run": [run], "metric": ["format"]}, f"Finding about {run}")
    problem = store.cursor().execute("SELECT problem_id FROM problems WHERE question = 'What is 1 + 2?'").fetchone()[0]
    store.close()
    with streamlit_server(home) as url:
        yield url, problem


def test_curves_three_runs_four_metrics_four_panels_one_colour_per_run_and_the_url_reopens_them(app):
    url, _ = app
    query = "&".join([f"run={r}" for r in RUNS] + [f"metric={m}" for m in METRICS] + ["smooth=0.3"])
    with browser_page() as page:
        page.goto(f"{url}/curves?{query}")
        seen = traces(page)
        assert {t["metric"] for t in seen} == set(METRICS)  # one panel per metric, each drawn
        titles = page.evaluate("() => document.querySelector('.js-plotly-plot').layout.annotations.map(a => a.text)")
        assert sorted(titles) == sorted(METRICS)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .cartesianlayer .subplot')"
                               ".length === 4", timeout=30_000)
        colour = {}
        for t in seen:
            colour.setdefault(t["line"], set()).add(t["colour"])
        assert set(colour) == set(RUNS) and all(len(c) == 1 for c in colour.values())  # one colour per run …
        assert len({next(iter(c)) for c in colour.values()}) == 3  # … and a different one for each
        page.get_by_role("slider").first.focus()  # the smoothing slider, moved by the keyboard: 0.30 → 0.31
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => location.search.includes('smooth=0.31')", timeout=30_000)  # the page wrote it
        copied = page.url
        assert all(f"run={r}" in copied for r in RUNS) and all(f"metric={m}" in copied for m in METRICS)

    with browser_page() as page:  # a colleague opens the copied link, in a browser session of their own
        page.goto(copied)
        again = traces(page)
        assert sorted((t["line"], t["metric"]) for t in again) == sorted((t["line"], t["metric"]) for t in seen)
        assert float(page.get_by_test_id("stSliderThumbValue").first.inner_text()) == 0.31  # the smoothing


def test_one_prompt_shows_its_completions_at_every_eval_step_of_two_runs(app):
    url, problem = app
    with browser_page() as page:
        page.goto(f"{url}/strip?problem={problem}&run=alpha&run=charlie&decoding=sampled")
        wait_for_text(page, "What is 1 + 2?", 60_000)
        for run in ("alpha", "charlie"):
            for step in STEPS:
                page.get_by_text(f"{run} · step {step} · sample 0", exact=True).wait_for(timeout=30_000)
        body = page.inner_text("body")
        assert "bravo · step" not in body
        assert all(f"step {s}" in body for s in STEPS)


def test_meeting_mode_pages_through_three_findings_with_the_arrow_keys(app):
    url, _ = app
    with browser_page() as page:
        page.goto(f"{url}/report?present=1&slide=0")
        wait_for_text(page, "1 / 3 · Finding about alpha", 60_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        # the arrow keys' component mounts after the slide is drawn; a key pressed before is lost
        page.wait_for_function("() => window.__ysArrows && window.__ysArrows.handler", timeout=60_000)
        for expected in ("2 / 3 · Finding about bravo", "3 / 3 · Finding about charlie"):
            page.keyboard.press("ArrowRight")
            wait_for_text(page, expected, 60_000)
        page.keyboard.press("ArrowLeft")
        wait_for_text(page, "2 / 3 · Finding about bravo", 60_000)
        assert "slide=1" in page.url
