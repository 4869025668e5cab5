"""Real browser: launch a short format-only run (a tiny local model folder) from the Launch page; it finishes; its curves and its
completions (with instrument highlights) appear."""
from __future__ import annotations

import re

import pytest
from browser import browser_page, streamlit_server, wait_for_text

from yardstick.jobs import queue

pytestmark = pytest.mark.slow


def test_launch_a_run_and_see_its_curves_and_completions(isolated_env, tiny_model):
    isolated_env.mkdir(parents=True, exist_ok=True)
    with streamlit_server(isolated_env) as url, browser_page() as page:
        page.goto(f"{url}/launch")
        page.get_by_text("Preset").first.wait_for(timeout=60_000)
        for field, value in {"model": tiny_model, "steps": "4", "eval_every": "2", "n_train": "16",
                             "n_eval": "6", "num_generations": "4", "max_completion_length": "16",
                             "eval_samples": "1"}.items():
            box = page.get_by_label(field, exact=True)
            box.fill(value)
            box.press("Tab")
        page.get_by_role("button", name="Launch").click()
        wait_for_text(page, re.compile(r"Queued 1 run"), 60_000)
        (run,) = queue.folders()
        assert run.config()["steps"] == 4, run.config()  # the form's values, not the preset's defaults
        log = run.path / "worker.log"
        wait_for_text(page, re.compile(r" · finished · step 4/4"), 400_000, lambda: f"status: {run.status()}; "
                      f"worker log: {log.read_text()[-1500:] if log.exists() else '(none)'}")
        assert run.config()["reward"] == "format" and run.config()["model"] == tiny_model

        page.goto(f"{url}/curves?run={run.run_id}")
        page.locator(".js-plotly-plot .annotation-text", has_text="reward").first.wait_for(timeout=60_000)
        titles = page.locator(".js-plotly-plot .annotation-text").evaluate_all("els => els.map(e => e.textContent)")
        assert titles[0] == "reward" and "format" in titles  # one panel per metric: the reward, its circular twin
        legend = page.locator(".js-plotly-plot .legendtext").evaluate_all("els => els.map(e => e.textContent)")
        assert legend == [run.config()["seed_group"]]  # one legend entry (one colour) per run, or per seed group

        page.goto(f"{url}/completions?run={run.run_id}&step=4")
        wait_for_text(page, "completions match", 60_000)
        page.locator("mark").first.wait_for(timeout=30_000)  # instrument spans highlighted in the text
        body = page.inner_text("body")
        assert "format:" in body and "last_number → " in body
