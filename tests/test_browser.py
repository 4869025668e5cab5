"""Real browser: hostile completions are shown as text on the Completions page — plain, and highlighted (HTML made
from escaped text) — and nothing in them runs or renders as markup."""
from __future__ import annotations

import pytest
from browser import browser_page, streamlit_server
from test_pages import hostile_store

pytestmark = pytest.mark.slow


def test_hostile_completions_stay_text_plain_and_highlighted(isolated_env):
    hostile_store(isolated_env)
    dialogs = []
    with streamlit_server(isolated_env) as url, browser_page() as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{url}/completions?run=hostile&text=plain")
        page.get_by_text("completions match").wait_for(timeout=60_000)
        page.get_by_text("<script>window.pwned = 1</script>", exact=False).first.wait_for(timeout=30_000)
        page.get_by_text("**bold** and [link]", exact=False).first.wait_for(timeout=30_000)  # every card drawn
        body = page.inner_text("body")
        assert '<img src="x" onerror="window.pwned = 2">' in body
        assert "**bold** and [link](http://example.com)" in body
        assert page.evaluate("window.pwned") is None and page.locator('img[src="x"]').count() == 0

        page.goto(f"{url}/completions?run=hostile")  # highlighted, the default
        page.get_by_text("completions match").wait_for(timeout=60_000)
        page.locator("mark").first.wait_for(timeout=30_000)
        for hostile in ("<script>window.pwned = 1</script>", '<img src="x" onerror="window.pwned = 2">'):
            page.locator("pre", has_text=hostile).first.wait_for(timeout=30_000)  # drawn as text (shadow roots too)
        assert page.evaluate("window.pwned") is None and dialogs == []
        assert page.locator('img[src="x"]').count() == 0 and page.locator("a[href='http://example.com']").count() == 0
