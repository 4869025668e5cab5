"""Where Yardstick keeps things: the store and run folders under $YARDSTICK_HOME, shared data beside the checkout."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def home(create: bool = True) -> Path:
    """The data folder: $YARDSTICK_HOME, or ./data of the checkout (made unless `create` is false)."""
    path = Path(os.environ.get("YARDSTICK_HOME") or REPO_ROOT / "data")
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def store_path(create: bool = True) -> Path:
    return home(create) / "yardstick.duckdb"


def runs_dir() -> Path:
    """Run folders: training runs, final evaluations and base models' folders (the Launch page's queue)."""
    path = home() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def jobs_dir() -> Path:
    """Folders of the other jobs: judge jobs and imports (each page shows its own)."""
    path = home() / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pocket_dir() -> Path:
    """Where the pocket models are built and kept: $YARDSTICK_POCKET_DIR, else the home's pocket/."""
    return Path(os.environ.get("YARDSTICK_POCKET_DIR") or home() / "pocket")


def shared_data() -> Path:
    """The embedded default content: ../shared/data (override with $YARDSTICK_SHARED_DATA)."""
    return Path(os.environ.get("YARDSTICK_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")
