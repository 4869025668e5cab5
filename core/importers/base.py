"""What every importer is: a module that recognises a path by its content and loads it as one store Batch.

Importers read incrementally where their source grows (a live run folder copied over again): `Seen` tells them
what the store already holds, and the Batch they return carries the `meta` keys that record what they read, written
in the same transaction as the rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from yardstick.store.store import Batch, Store

SHARD_PREFIX = "shard:"  # meta key "shard:<run_id>/<file>": a file of a growing source already ingested


@dataclass(frozen=True)
class Seen:
    """What the store already holds of growing sources: the files ingested and each run's status."""

    shards: frozenset[str]
    statuses: dict[str, str]

    @classmethod
    def of(cls, store: Store) -> "Seen":
        return cls(frozenset(store.meta_keys(SHARD_PREFIX)), store.run_statuses())

    def files_of(self, run_id: str) -> set[str]:
        prefix = f"{SHARD_PREFIX}{run_id}/"
        return {key.removeprefix(prefix) for key in self.shards if key.startswith(prefix)}


def shard_keys(run_id: str, names: list[str]) -> dict[str, str]:
    """The meta rows that record `names` of run `run_id` as ingested."""
    return {f"{SHARD_PREFIX}{run_id}/{name}": "1" for name in names}


class Importer(Protocol):
    KIND: str  # what the user is told was recognised
    LOOKS_LIKE: str  # how to recognise it, for "Unrecognised import"
    # Optional: JOINS_DATA = True, and load(path, seen, data=FILE) joins gold answers from a prompts file.

    def recognises(self, path: Path) -> bool: ...

    def load(self, path: Path, seen: Seen) -> Batch: ...
