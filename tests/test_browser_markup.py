"""Real browser: markup in files reaches no renderer. A run folder whose status message and error title hold a
Markdown image (a tracking beacon), bold and a link, on the Launch page; a run and a metric named with an HTML link
on the Curves page (plotly renders its HTML subset in legends). No request leaves for the beacon, no link, no bold:
each is shown as the text written."""
from __future__ import annotations

import http.server
import threading
import urllib.parse
from contextlib import contextmanager

import pandas as pd
import pytest
from browser import browser_page, free_port, streamlit_server, wait_for_text

from yardstick.guard import escape
from yardstick.record.folder import RunFolder
from yardstick.store.store import Batch, Store

pytestmark = pytest.mark.slow


@contextmanager
def beacon():
    """A server that counts every request it gets; yields (base URL, hits)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()


LINKS_AND_BOLD = """() => {
  const links = [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '');
  const bold = [...document.querySelectorAll('strong, b, [style*="font-weight:bold"], [style*="font-weight: bold"]')]
    .map(e => e.textContent);
  const images = [...document.querySelectorAll('img')].map(i => i.getAttribute('src') || '');
  return {links, bold, images};
}"""


def test_hostile_status_and_names_render_as_text(isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    with beacon() as (base, hits):
        message = f"![x]({base}/beacon) **bold** <a href=\"{base}/link\">click</a> {base}/auto :red[red]"
        title = f"**Crashed** ![t]({base}/beacon-title)"
        folder = RunFolder(isolated_env / "runs" / "hostile-run").create("recorded", {"reward": "format", "steps": 2})
        folder.set_status(state="failed", message=message, error={"title": title, "message": "see the log"})
        name = f'<a href="{base}/legend">x</a> <b>bold</b>'
        store = Store(isolated_env / "yardstick.duckdb")
        store.ingest(Batch(runs=[{"run_id": name, "name": name, "reward_spec": "format"}], metrics=pd.DataFrame(
            {"run_id": name, "step": [0, 1, 0, 1], "name": ["reward", "reward", name, name],
             "value": [0.2, 0.5, 0.3, 0.4], "phase": "eval",
             "decoding": "sampled"})))
        store.close()

        requests: list[str] = []
        with streamlit_server(isolated_env) as url, browser_page() as page:
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"{url}/launch")
            wait_for_text(page, "hostile-run · failed")
            wait_for_text(page, "see the log")  # the error, drawn after the state line: wait for what is read
            wait_for_text(page, ":red[red]")  # and the message
            body = page.inner_text("body").replace(escape.ZERO_WIDTH_SPACE, "")
            assert message in body and title in body, body[-2000:]
            seen = page.evaluate(LINKS_AND_BOLD)
            assert not [link for link in seen["links"] + seen["images"] if link.startswith(base + "/")], seen
            assert not any("bold" in text or "Crashed" in text for text in seen["bold"]), seen

            quoted = urllib.parse.quote(name)
            page.goto(f"{url}/curves?run={quoted}&metric=reward&metric={quoted}")
            try:
                page.locator(".js-plotly-plot .legendtext").first.wait_for(timeout=60_000)
            except Exception:
                raise AssertionError(page.inner_text("body")[-3000:])
            legend = page.locator(".js-plotly-plot .legendtext").evaluate_all("els => els.map(e => e.textContent)")
            assert any(name in text for text in legend), legend  # the name as written, tags and all
            seen = page.evaluate(LINKS_AND_BOLD)
            assert not any(link.startswith(base + "/") for link in seen["links"] + seen["images"]), seen
            assert not any("bold" in text for text in seen["bold"]), seen
        assert hits == [] and not [r for r in requests if r.startswith(base + "/")], "a request left for the beacon"
