"""The run-folder contract is versioned: folders written by release 2 (before format.json existed) still import as
they did; a folder from a newer Yardstick is refused with a titled message and changes nothing; and a user's GPU job
imports the recorder as `yardstick.record` even beside a `core` package of its own."""
from __future__ import annotations

import json
import subprocess
import sys
import tarfile

import pandas as pd
import pytest
from conftest import REPO

from yardstick.errors import BadInput
from yardstick.importers import import_path
from yardstick.jobs.sync import sync
from yardstick.record.folder import FORMAT, RunFolder
from yardstick.store import queries
from yardstick.store.store import Store

FIXTURE = REPO / "tests" / "fixtures" / "runfolders-release2.tar.gz"
TRAINED, EVALUATION = "20261203-174038-legacy-s0", "20261203-174042-final-evaluation"
BASE, RECORDED = "base-tmp-legacy-home-tiny-model-20889f", "my-gpu-job"


@pytest.fixture
def release2(isolated_env):
    runs = isolated_env / "runs"
    runs.mkdir(parents=True)
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(runs, filter="data")
    return runs


def test_folders_written_by_release_2_import_as_they_did(release2, tmp_path):
    """The numbers release 2's own importer gave for these folders (fb84881): kinds read from their configs."""
    assert {p.name: RunFolder(p).kind() for p in release2.iterdir()} == {
        TRAINED: "training", EVALUATION: "evaluation", BASE: "model", RECORDED: "recorded"}
    store = Store(tmp_path / "s.duckdb")
    added = {p.name: import_path(store, p)[1] for p in sorted(release2.iterdir())}
    assert (added[TRAINED].completions, added[TRAINED].metrics) == (20, 58)
    assert added[EVALUATION].runs == 0 and added[BASE].completions == 4 and added[RECORDED].completions == 2
    runs = queries.runs(store).set_index("run_id")
    assert runs.loc[TRAINED, "reward_spec"] == "0.5*format + 0.5*lenient"
    assert runs.loc[BASE, "source"] == "base model"
    assert runs.loc[TRAINED, "eval_set"] == runs.loc[BASE, "eval_set"] == "pocket|n_eval=2|difficulty=2|eval_seed=0"
    assert pd.isna(runs.loc[RECORDED, "eval_set"]) and runs.loc[RECORDED, "reward_spec"] == "format"
    phases = store.cursor().execute("SELECT phase, decoding, count(*) FROM completions WHERE run_id = ? GROUP BY ALL "
                                    "ORDER BY ALL", [TRAINED]).fetchall()
    assert phases == [("eval", "greedy", 6), ("eval", "sampled", 6), ("final", "greedy", 2), ("final", "sampled", 2),
                      ("train", "sampled", 4)]
    question = store.cursor().execute("SELECT p.question FROM completions c JOIN problems p USING (problem_id) "
                                      "WHERE run_id = ?", [RECORDED]).fetchone()[0]
    assert question == "What is 2+2?"


def test_a_folder_from_a_newer_yardstick_is_refused_and_changes_nothing(release2, isolated_env):
    newer = release2 / TRAINED
    (newer / "format.json").write_text(json.dumps({"format": FORMAT + 1, "kind": "training"}))
    store = Store(isolated_env / "yardstick.duckdb")
    before = store.revision()
    with pytest.raises(BadInput) as caught:
        import_path(store, newer)
    assert caught.value.title == "Run folder from a newer Yardstick"
    assert f"format {FORMAT + 1}" in caught.value.message and store.revision() == before
    result = sync(store)  # one bad folder is one problem line; the others are read
    assert [p.split(":")[0] for p in result.problems] == [TRAINED]
    assert {BASE, RECORDED} <= set(queries.runs(store)["run_id"])


def test_new_folders_say_their_format_and_kind(isolated_env):
    folder = RunFolder(isolated_env / "runs" / "r").create("recorded", {"reward": "format"})
    assert json.loads((folder.path / "format.json").read_text()) == {"format": FORMAT, "kind": "recorded"}
    with pytest.raises(ValueError):
        RunFolder(isolated_env / "runs" / "x").create("evaluate", {})  # kinds are a closed set


def test_a_users_script_imports_the_recorder_beside_its_own_core_package(tmp_path):
    """A research repository with its own `core` package: its script imports both, and loads no store, plotting
    or UI library; the instrument registry exists once."""
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "__init__.py").write_text("WHOSE = 'the user'\n")
    script = tmp_path / "train.py"
    script.write_text(
        "import json, sys\n"
        "import core\n"
        "from yardstick.record.recorder import Recorder\n"
        "rec = Recorder(sys.argv[1], '0.3*format + 0.7*lenient', config={'model': 'mine'})\n"
        "names = [f.__name__ for f in rec.reward_funcs()]\n"
        "copies = [m for m in sys.modules if m.endswith('instruments.registry')]\n"
        "print(json.dumps({'core': core.WHOSE, 'names': names, 'copies': copies,\n"
        "                  'loaded': sorted({'duckdb', 'plotly', 'streamlit'} & set(sys.modules))}))\n")
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "run")], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    found = json.loads(out.stdout.splitlines()[-1])
    assert found == {"core": "the user", "names": ["format", "lenient"],
                     "copies": ["yardstick.instruments.registry"], "loaded": []}
    assert json.loads((tmp_path / "run" / "format.json").read_text())["kind"] == "recorded"
