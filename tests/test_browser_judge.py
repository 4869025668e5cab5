"""Real browser: a judge job on the Message Batches API is owned by its own worker, not by the page — it survives a
restart of the app, and a second browser sees its progress and cancels it. The network is faked: a local server
speaks the Batches API, and the real SDK reaches it through ANTHROPIC_BASE_URL."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from browser import browser_page, free_port, streamlit_server, wait_for_text

from yardstick.jobs import judging

pytestmark = pytest.mark.slow


class FakeBatches:
    """The Batches API's create, retrieve and cancel; a batch stays in progress until it is cancelled."""

    def __init__(self) -> None:
        self.created: list[int] = []  # requests per created batch
        self.cancelled = 0
        self.retrieved = 0
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path.endswith("/cancel"):
                    fake.cancelled += 1
                    self.reply(fake.batch("canceling"))
                elif self.path.endswith("/messages/batches"):
                    fake.created.append(len(json.loads(body)["requests"]))
                    self.reply(fake.batch("in_progress"))
                else:
                    self.send_error(404)

            def do_GET(self):
                fake.retrieved += 1
                self.reply(fake.batch("canceling" if fake.cancelled else "in_progress"))

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def batch(status: str) -> dict:
        return {"id": "msgbatch_fake1", "type": "message_batch", "processing_status": status,
                "request_counts": {"processing": 50, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
                "ended_at": None, "created_at": "2026-12-03T00:00:00Z", "expires_at": "2026-12-04T00:00:00Z",
                "cancel_initiated_at": None, "archived_at": None, "results_url": None}


def test_a_batches_job_survives_a_restart_and_is_cancelled_from_a_second_browser(embedded_home):
    api = FakeBatches()
    env = {"ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": api.url}
    try:
        with streamlit_server(embedded_home, env=env) as url, browser_page() as first:
            first.goto(f"{url}/judge")
            wait_for_text(first, "Calls to make")
            first.get_by_text("Message Batches (half price, slower)").click()
            first.get_by_role("button", name="Start judging").click()
            wait_for_text(first, re.compile(r"running · .* · batch msgbatch_fake1"), 120_000,
                          lambda: f"jobs: {judging.jobs()}")
        # The app is gone; the job is not.
        (job,) = judging.jobs()
        assert job["state"] == "running" and job["batch_id"] == "msgbatch_fake1" and api.created == [50]
        with streamlit_server(embedded_home, env=env) as url, browser_page(separate=True) as second:
            second.goto(f"{url}/judge")
            wait_for_text(second, re.compile(r"running · .* · batch msgbatch_fake1"))
            second.get_by_role("button", name="Cancel").click()
            wait_for_text(second, re.compile(r"cancelled · "), 60_000, lambda: f"jobs: {judging.jobs()}")
        (job,) = judging.jobs()
        assert job["state"] == "cancelled" and api.cancelled == 1 and api.created == [50]  # never paid twice
    finally:
        api.server.shutdown()
