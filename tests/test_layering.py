"""core/ is plain Python: importing it never loads Streamlit (nor torch/trl for the data-side modules)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

DATA_SIDE = ["core.instruments", "core.store.store", "core.store.queries", "core.importers", "core.audit",
             "core.charts", "core.browse", "core.rewardspec", "core.embedded", "core.cli", "core.escape",
             "core.jsontext", "core.preflight", "core.access", "core.score", "core.importers.upload"]


def loaded_after(modules: list[str]) -> set[str]:
    code = ("import json, sys\n" + "".join(f"import {m}\n" for m in modules) +
            "from core.instruments import all_instruments; all_instruments()\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return set(json.loads(out.stdout))


def test_core_never_imports_streamlit_or_training_libraries():
    loaded = loaded_after(DATA_SIDE)
    for banned in ("streamlit", "torch", "trl", "transformers"):
        assert banned not in loaded, f"{banned} was imported by a data-side core module"


def test_no_core_file_imports_streamlit():
    offenders = [p.name for p in (REPO / "core").rglob("*.py") if "import streamlit" in p.read_text()]
    assert offenders == []
