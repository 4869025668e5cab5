"""Managing runs: what deleting one removes (store rows and its run folder, said in words), and how two runs'
configs differ. The store does the writing; this module adds the folder and the wording."""
from __future__ import annotations

import shutil
from typing import Any

import pandas as pd

from yardstick import home
from yardstick.errors import BadInput
from yardstick.record.folder import LIVE, RunFolder


def delete(store: Any, run_id: str) -> str:
    """Delete a run from the store and its folder from this home; a live run must be cancelled first."""
    folder = RunFolder(home.runs_dir() / run_id)
    if folder.path.is_dir() and folder.status().get("state") in LIVE:
        raise BadInput("Run still live", f"{run_id} is queued or training: cancel it on the Launch page first.")
    removed = store.delete_run(run_id)
    said = ", ".join(f"{n:,} {what}" for what, n in removed.items() if n and what != "runs")
    if folder.path.resolve().is_relative_to(home.runs_dir().resolve()) and folder.path.is_dir():
        shutil.rmtree(folder.path)
        said += (", " if said else "") + f"its run folder {folder.path}"
    return f"Deleted {run_id}: " + (said or "it held nothing else") + "."


def config_diff(a: dict[str, Any], b: dict[str, Any], names: tuple[str, str] = ("a", "b")) -> pd.DataFrame:
    """The settings where two runs differ (missing on one side shows as "—")."""
    rows = [{"setting": key, names[0]: str(a.get(key, "—")), names[1]: str(b.get(key, "—"))}
            for key in sorted(set(a) | set(b)) if a.get(key, "—") != b.get(key, "—")]
    return pd.DataFrame(rows, columns=["setting", *names])
