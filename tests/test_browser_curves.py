"""Real browser: a click on a folded seed-group curve opens that group's runs at that step; a first visit by deep
link runs the app (navigation and all)."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from browser import browser_page, streamlit_server, wait_for_text

from yardstick.store.store import Batch, Store

pytestmark = pytest.mark.slow


def seed_group_store(home) -> None:
    home.mkdir(parents=True, exist_ok=True)
    store = Store(home / "yardstick.duckdb")
    store.sync_instruments()
    for seed in (1, 2):
        rows = [{"run_id": f"seed-{seed}", "step": step, "phase": "eval", "decoding": "sampled", "sample": 0,
                 "question": f"q{k}", "gold": "4", "text": "<answer>4</answer>" if (k + step + seed) % 2 else "4"}
                for step in (0, 10) for k in range(3)]
        store.ingest(Batch(runs=[{"run_id": f"seed-{seed}", "reward_spec": "format", "seed": seed,
                                  "seed_group": "format-group"}], completions=pd.DataFrame(rows)))
    store.close()


def test_a_click_on_a_folded_seed_group_opens_its_runs_at_that_step(isolated_env):
    seed_group_store(isolated_env)
    with streamlit_server(isolated_env) as url, browser_page() as page:
        page.goto(f"{url}/curves?run=seed-1&run=seed-2&metric=last_number")
        points = page.locator(".js-plotly-plot .scatterlayer path.point")
        points.last.wait_for(timeout=60_000)
        points.last.click(force=True)  # the step-10 point of the group's mean line
        page.wait_for_url(re.compile(r"/completions\?"), timeout=60_000)
        query = parse_qs(urlparse(page.url).query)
        assert sorted(query["run"]) == ["seed-1", "seed-2"] and query["step"] == ["10"]
        assert query["phase"] == ["eval"] and query["decoding"] == ["sampled"]
        wait_for_text(page, re.compile(r"^6 completions match$"), 60_000)


def test_a_first_visit_by_deep_link_runs_the_whole_app(isolated_env):
    """pages/_serve.py marks the app as st.navigation-driven before the server starts (Streamlit would otherwise
    treat `pages/` as a v1 app until a session has run app.py). If Streamlit changes that, this fails."""
    seed_group_store(isolated_env)
    with streamlit_server(isolated_env) as url, browser_page() as page:
        page.goto(f"{url}/audit")  # the very first request to a fresh server
        wait_for_text(page, "Before trusting an accuracy curve, audit the instrument that drew it.", 60_000)
        page.get_by_role("link", name="Overview").first.wait_for(timeout=30_000)  # app.py's navigation ran
        assert page.get_by_text("Page not found").count() == 0
