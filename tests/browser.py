"""A real Streamlit server and Debian's Chromium driven by Playwright, for the browser tests."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from conftest import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(home: Path, address: str = "127.0.0.1", env: dict | None = None) -> Iterator[str]:
    """The app (pages/_serve.py) on a free port with YARDSTICK_HOME=home, bound to `address` (reached through
    loopback either way); yields its base URL."""
    port = free_port()
    env = {**os.environ, "YARDSTICK_HOME": str(home), **(env or {})}
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, str(REPO / "pages/_serve.py"), "--server.headless", "true",
                             "--server.port", str(port), "--server.address", address], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        server.proc = proc
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not come up: " + (home / "server.log").read_text()[-2000:])
        yield url
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
        log.close()


class server:
    """The running server's process, so a test can kill it mid-session."""

    proc: subprocess.Popen | None = None


class _Chromium:
    """One Chromium per test process, started on first use: each test gets a context of its own (its own cookies and
    storage, as a separate browser profile would), and the browser's start-up is paid once, not per test."""

    playwright = None
    browser = None

    @classmethod
    def get(cls):
        if cls.browser is None or not cls.browser.is_connected():
            from playwright.sync_api import sync_playwright

            cls.playwright = cls.playwright or sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return cls.browser

    @classmethod
    def stop(cls) -> None:
        if cls.browser is not None:
            cls.browser.close()
        if cls.playwright is not None:
            cls.playwright.stop()
        cls.browser = cls.playwright = None


@contextmanager
def browser_page(separate: bool = False) -> Iterator:
    """A page in a fresh browser context; `separate`: in a Chromium process of its own (a second browser)."""
    if separate:
        _Chromium.get()  # one Playwright per process; this browser is a Chromium process of its own
        browser = _Chromium.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()
        return
    context = _Chromium.get().new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


def wait_for_text(page, pattern, timeout_ms: int = 60_000, context=lambda: "") -> None:
    """Wait for text on the page; on timeout, fail with what the page showed and `context()`."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_text(pattern).first.wait_for(timeout=timeout_ms)
    except PlaywrightTimeout:
        raise AssertionError(f"{pattern!r} did not appear within {timeout_ms / 1000:.0f} s. {context()}\n"
                             f"page: {page.url}\n{page.inner_text('body')[-3000:]}") from None
