"""Which layer may import which: import-linter's contracts (pyproject.toml), and what the light contracts load."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib

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


def contracts() -> list[dict]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_every_package_has_a_contract_and_each_contract_can_fail(tmp_path):
    """One contract per package of yardstick; each is broken by an import it forbids, injected into its own package
    (in a copy of the tree): none is a contract that cannot fail."""
    packages = {p.parent.relative_to(REPO / "core").parts[0] for p in (REPO / "core").glob("*/__init__.py")}
    covered = {m.split(".")[1] for c in contracts() for m in c["source_modules"]}
    assert packages <= covered, f"packages without a contract: {packages - covered}"
    copy = tmp_path / "yardstick"
    shutil.copytree(REPO / "core", copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    for contract in contracts():
        source = contract["source_modules"][0].split(".")[1:]
        file = copy.joinpath(*source) / "__init__.py" if copy.joinpath(*source).is_dir() else \
            copy.joinpath(*source[:-1], source[-1] + ".py")
        file.write_text(file.read_text() + f"\nimport {contract['forbidden_modules'][-1]}  # noqa\n")
    proc = lint(tmp_path)
    assert proc.returncode != 0
    text = " ".join(proc.stdout.split())
    for contract in contracts():
        assert f"{contract['name']} BROKEN" in text, contract["name"]


def test_the_package_list_matches_the_folders():
    """pyproject lists every sub-package (the import name `yardstick` maps onto core/), so none is left out of a
    wheel."""
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(("yardstick",) + p.parent.relative_to(REPO / "core").parts)
             for p in (REPO / "core").rglob("__init__.py")}
    assert listed == found


def test_the_package_refuses_its_folder_name():
    """Imported as `core` (the folder's name), a second copy of every module — and of the instrument registry —
    would load beside `yardstick`; it refuses instead."""
    proc = subprocess.run([sys.executable, "-c", "import core"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode != 0 and "imported as `yardstick`" in proc.stderr


def test_the_recorder_loads_no_store_or_plotting():
    loaded = loaded_after("import yardstick.record.recorder")
    assert not {"duckdb", "plotly", "streamlit"} & loaded


def test_data_side_core_never_loads_streamlit_or_training_libraries():
    loaded = loaded_after("import yardstick.cli, yardstick.store.queries, yardstick.importers, yardstick.analysis.audit, yardstick.views.charts, yardstick.views\n"
                          "from yardstick.instruments import all_instruments; all_instruments()")
    for banned in ("streamlit", "torch", "trl", "transformers"):
        assert banned not in loaded, f"{banned} was imported by a data-side core module"
