"""Shared fixtures: every test gets its own YARDSTICK_HOME, no API key, no hub; real stores in temp folders."""
from __future__ import annotations

import fcntl
import os
import shutil
import sys
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("YARDSTICK_SHARED_DATA") or REPO.parent / "shared" / "data")
CASES = Path(__file__).parent / "cases"
sys.path.insert(0, str(REPO))


def shared_dir(factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder shared by every test of this run, across xdist's worker processes too (their base folders are
    siblings): what is built there once — the pocket models — serves all of them."""
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / name
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def pocket_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pocket models of this test run, built on first use and shared ($YARDSTICK_POCKET_DIR): the build is
    deterministic, so one build serves every test (a test of the build itself points elsewhere)."""
    return shared_dir(tmp_path_factory, "pocket")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A random tiny Llama with the pocket tokenizer, saved like a hub model (tests/tiny.py): for every test that
    needs TRL to train and generate but not a model that has learnt anything. Built once per test run, in about a
    second; the pocket build itself is tested where the build is the point."""
    from tiny import random_llama

    folder = shared_dir(tmp_path_factory, "tiny-model")
    with open(folder.parent / ".tiny-model.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "config.json").exists():
            random_llama(folder)
    return str(folder)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pocket_models: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("YARDSTICK_HOME", str(home))
    monkeypatch.setenv("YARDSTICK_POCKET_DIR", str(pocket_models))
    monkeypatch.setenv("YARDSTICK_SHARED_DATA", str(tmp_path / "no-shared-data"))  # opt in per test
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    for name in ("YARDSTICK_TOKEN", "YARDSTICK_TOKEN_FILE", "YARDSTICK_IMPORT_ROOTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    yield home
    from yardstick.jobs import scheduler
    scheduler.stop_all()  # a page may have started one for this test's home


@pytest.fixture(autouse=True, scope="session")
def kept_instrument_workers() -> Iterator[None]:
    """math-verify reads in worker processes it can kill; starting them costs ~2 s, and every ingest needs them.
    The session keeps one pool (what `yardstick score` does for a stream), so each test pays for its own work."""
    from yardstick.instruments.isolation import kept_workers

    with kept_workers():
        yield


@pytest.fixture(autouse=True, scope="session")
def served_on_localhost() -> None:
    """AppTest runs pages in this process without a server: give it the address `make app` serves on, so the
    login gate (pages/_login.py) sees the app as its user's own, as it is under `make app`."""
    from streamlit import config

    config.set_option("server.address", "localhost")


@pytest.fixture(scope="session")
def embedded_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the embedded default (study + GSM8K solutions), built once per test run (the first worker
    to need it builds it; the others wait for it) and copied by each test that uses it."""
    from yardstick.importers.embedded import open_store

    assert SHARED.exists(), f"shared data missing at {SHARED}"
    folder = shared_dir(tmp_path_factory, "embedded")
    path = folder / "yardstick.duckdb"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            old = os.environ.get("YARDSTICK_SHARED_DATA")
            os.environ["YARDSTICK_SHARED_DATA"] = str(SHARED)
            try:
                open_store(path).close()
            finally:
                if old is None:
                    os.environ.pop("YARDSTICK_SHARED_DATA")
                else:
                    os.environ["YARDSTICK_SHARED_DATA"] = old
            (folder / "done").touch()
    return path


@pytest.fixture
def embedded_home(isolated_env: Path, embedded_store_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """YARDSTICK_HOME holding a private copy of the embedded store (tests may write to it)."""
    isolated_env.mkdir(parents=True, exist_ok=True)
    shutil.copy(embedded_store_file, isolated_env / "yardstick.duckdb")
    monkeypatch.setenv("YARDSTICK_SHARED_DATA", str(SHARED))
    return isolated_env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first (a stable sort: every xdist worker collects the same order), so the short ones fill in at
    the end and the two workers finish together."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Close stores the pages cached, so DuckDB's bindings don't report leaks after pytest's summary line; close the
    test process's Chromium."""
    import gc

    from browser import _Chromium

    _Chromium.stop()

    import streamlit as st

    st.cache_resource.clear()
    gc.collect()
