"""Which layer may import which: import-linter's contracts (pyproject.toml), and what the light contracts load."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

from conftest import REPO

LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
        "sys.exit(lint_imports_command())"]


def lint(cwd) -> subprocess.CompletedProcess:
    return subprocess.run(LINT, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, cwd=REPO, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_contracts_hold():
    proc = lint(REPO)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "BROKEN" not in proc.stdout


def test_the_contract_catches_a_run_folder_that_imports_the_store(tmp_path):
    """The edge release 1 had (runfolder → store.Batch) breaks the contract: the test above can fail."""
    shutil.copytree(REPO / "core", tmp_path / "core", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    runfolder = tmp_path / "core" / "runfolder.py"
    runfolder.write_text(runfolder.read_text() + "\nfrom core.store.store import Batch  # noqa\n")
    proc = lint(tmp_path)
    assert proc.returncode != 0
    assert "core.runfolder is not allowed to import core.store" in proc.stdout


def test_the_recorder_loads_no_store_or_plotting():
    loaded = loaded_after("import core.train.recorder")
    assert not {"duckdb", "plotly", "streamlit"} & loaded


def test_data_side_core_never_loads_streamlit_or_training_libraries():
    loaded = loaded_after("import core.cli, core.store.queries, core.importers, core.audit, core.charts, core.views\n"
                          "from core.instruments import all_instruments; all_instruments()")
    for banned in ("streamlit", "torch", "trl", "transformers"):
        assert banned not in loaded, f"{banned} was imported by a data-side core module"
