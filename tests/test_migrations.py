"""Stores made by an earlier release open and migrate; a store from a newer release is refused, unchanged."""
from __future__ import annotations

import gzip
import shutil

import pytest
from conftest import REPO

from yardstick.errors import YardstickError
from yardstick.store import queries, reviews
from yardstick.store.migrations import LATEST, version
from yardstick.store.store import Store

V1 = REPO / "tests" / "fixtures" / "store-v1.duckdb.gz"  # made by release 1 (tests/fixtures/make_store_v1.py)


def v1_store(tmp_path):
    path = tmp_path / "yardstick.duckdb"
    with gzip.open(V1) as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def test_a_release_1_store_opens_and_migrates(tmp_path):
    store = Store(v1_store(tmp_path))
    assert store.migrated == list(range(2, LATEST + 1)) and version(store.cursor()) == LATEST
    runs = queries.runs(store).set_index("run_id")
    assert runs.loc["v1-run", "name"] == "a run from release 1" and runs.loc["v1-run", "completions"] == 3
    assert queries.summary(store)["labels"] == 2 and queries.summary(store)["judgments"] == 1
    (finding,) = reviews.findings(store).itertuples()
    assert finding.title == "Pinned in release 1"
    store.close()
    assert Store(tmp_path / "yardstick.duckdb").migrated == []  # once only


def test_a_store_from_a_newer_release_is_refused_and_left_alone(tmp_path):
    path = v1_store(tmp_path)
    store = Store(path)
    store.set_meta("schema_version", str(LATEST + 1))
    store.close()
    before = path.read_bytes()
    with pytest.raises(YardstickError, match="newer Yardstick"):
        Store(path)
    assert path.read_bytes() == before
