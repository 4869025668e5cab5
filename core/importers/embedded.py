"""Opening the store the app and CLI use, with the embedded default content imported on first start.

The defaults are real published data read from ../shared/data (never copied into the repo): the study's
trajectories and hand-labelled completions, and GSM8K's 5,276 labelled model solutions.
"""
from __future__ import annotations

from pathlib import Path

from yardstick import home
from yardstick.errors import BadInput
from yardstick.importers import import_path
from yardstick.store.store import Store

EMBEDDED = ("grpo-reward-vs-eval", "gsm8k/example_model_solutions.jsonl")


def open_store(path: str | Path | None = None, embedded: bool = True) -> Store:
    """The store at `path` (default $YARDSTICK_HOME/yardstick.duckdb), instruments synced, defaults imported."""
    store = Store(path or home.store_path())
    store.sync_instruments()
    if embedded:
        ensure_embedded(store)
    return store


def open_read_only() -> Store:
    """The store for commands that only read (`yardstick audit`): nothing is created, imported or synced."""
    path = home.store_path(create=False)
    if not path.exists():
        raise BadInput("The store is empty", f"Nothing has been imported under {path.parent} yet. Import data with "
                       "`yardstick import PATH`, or start the app once (it imports the embedded default).")
    return Store(path, read_only=True)


def ensure_embedded(store: Store) -> list[str]:
    """Import each embedded data set once (remembered in the store); returns what was imported."""
    done = store.meta_keys("embedded:")
    imported = []
    for rel in EMBEDDED:
        path = home.shared_data() / rel
        if f"embedded:{rel}" in done or not path.exists():
            continue
        kind, result = import_path(store, path)
        store.set_meta(f"embedded:{rel}", kind)
        imported.append(f"{kind}: {result}")
    return imported
