"""The hostile-input table (tests/cases/hostile.jsonl): archives, configs, files, names and killed processes. Each
row says what it tries and what must hold — a titled error naming the culprit, nothing written, no orphan, no
markup rendered. Files and archives are built here from the row's `make` (nothing big is committed)."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import CASES, REPO
from core import cli, launcher
from core.errors import YardstickError
from core.importers import import_path
from core.importers.upload import save
from core.store import queries
from core.store.store import Store

ROWS = [json.loads(line) for line in (CASES / "hostile.jsonl").read_text().splitlines() if line.strip()]
GOOD = {"question": "What is 2+2?", "gold": "4", "text": "It is <answer>4</answer>."}


def rows(kind: str) -> list:
    return [pytest.param(r, id=r["id"]) for r in ROWS if r["kind"] == kind]


def test_every_row_says_what_it_tries_and_what_must_hold():
    assert len(ROWS) >= 40 and len({r["id"] for r in ROWS}) == len(ROWS)
    assert all(r.get("tries") and r.get("must") for r in ROWS)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def jsonl(make: dict, path: Path) -> Path:
    """A completions JSONL whose line `make["line"]` is the hostile one, in `make["encoding"]`."""
    if "nested" in make:
        bad = json.dumps(GOOD)[:-1] + ', "x": ' + nested(make["nested"]) + "}"
    else:
        bad = json.dumps({**GOOD, **{k: make[k] for k in ("gold", "text") if k in make}}, ensure_ascii=False)
    lines = [json.dumps(GOOD)] * (make.get("line", 1) - 1) + [bad]
    path.write_bytes(("\n".join(lines) + "\n").encode(make.get("encoding", "utf-8")))
    return path


@pytest.mark.parametrize("row", rows("config"))
def test_config(row, tmp_path, capsys, isolated_env):
    path = tmp_path / "config.json"
    if "make" in row:
        path.write_text('{"name": ' + nested(row["make"]["nested"]) + "}")
    else:
        path.write_text(json.dumps(row["config"]).replace("{CASES}", str(CASES)))
    assert cli.main(["train", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {row['title']}:") and row["names"] in err, err
    assert launcher.folders() == [], "nothing may be created for a config that cannot run"


@pytest.mark.parametrize("row", rows("import"))
def test_import(row, tmp_path):
    path = jsonl(row["make"], tmp_path / "hostile.jsonl") if "make" in row else CASES / "hostile" / row["file"]
    store = Store(tmp_path / "s.duckdb")
    before, revision = queries.summary(store), store.revision()
    if "imports" in row:
        assert import_path(store, path)[1].completions == row["imports"]
        return
    with pytest.raises(YardstickError) as err:
        import_path(store, path)
    assert err.value.title == row["title"] and row["names"] in err.value.message, err.value
    assert queries.summary(store) == before and store.revision() == revision


@pytest.mark.parametrize("row", rows("score"))
def test_score(row, tmp_path):
    path = jsonl(row["make"], tmp_path / "hostile.jsonl")
    proc = subprocess.run([sys.executable, "-m", "core", "score", str(path)], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {row['title']}:"), proc.stderr[-2000:]
    assert row["names"] in proc.stderr and "Traceback" not in proc.stderr
