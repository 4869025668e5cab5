"""Real browser: pin the Curves view from the sidebar, find it on the Report page, reopen it."""
from __future__ import annotations

import re

import pytest
from browser import browser_page, streamlit_server

from yardstick.store import reviews
from yardstick.store.store import Store

pytestmark = pytest.mark.slow


def test_pin_a_view_and_reopen_it(embedded_home):
    with streamlit_server(embedded_home) as url, browser_page() as page:
        page.goto(f"{url}/curves?run=study-format-only")
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        page.get_by_text("Pin this view").click()
        page.get_by_label("Title").fill("Format-only games the metric")
        page.get_by_label("Note").fill("reward up, accuracy down")
        page.get_by_role("button", name="Pin", exact=True).click()
        page.get_by_text("Pinned; see the Report page.").wait_for(timeout=30_000)
        page.goto(f"{url}/report")
        page.get_by_text(re.compile("Format-only games the metric")).wait_for(timeout=60_000)
        page.get_by_role("link", name=re.compile("Open this view")).click()
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        assert "run=study-format-only" in page.url
    store = Store(embedded_home / "yardstick.duckdb")
    (finding,) = reviews.findings(store).itertuples()
    assert finding.page == "curves" and finding.note == "reward up, accuracy down"
