"""A W&B run's transaction log (`run-<id>.wandb`): the only place an offline run keeps its history and config.

The file is a LevelDB-style log of protobuf records; the record types come from the `wandb` package (its only
use here), and the framing is read by hand because wandb no longer ships a Python reader. A log still being
written ends mid-record: reading stops there, and the next import reads further.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from yardstick.errors import BadInput
from yardstick.guard import jsontext

MAGIC = b":W&B"
HEADER = 7  # ":W&B", a 2-byte magic number, a version byte
BLOCK = 32768
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


@dataclass
class RunLog:
    run_id: str = ""
    name: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)  # one dict per logged row, "_step" included


def chunks(data: bytes) -> Iterator[bytes]:
    """The records' payloads, reassembled from their block-aligned fragments."""
    pos, parts = HEADER, []
    while pos + 7 <= len(data):
        left = BLOCK - pos % BLOCK
        if left < 7:  # a block's tail too short for a header is padding
            pos += left
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
        payload = data[pos + 7:pos + 7 + length]
        if kind == 0 or len(payload) < length:  # zero padding, or the end of a log still being written
            return
        pos += 7 + length
        if kind in (FULL, FIRST):
            parts = [payload]
        elif kind in (MIDDLE, LAST) and parts:
            parts.append(payload)
        if kind in (FULL, LAST) and parts:
            yield b"".join(parts)
            parts = []


def _items(items: Any) -> dict[str, Any]:
    """Flattened {key: value}; logged media (a table's path, size, …) is left out."""
    flat = {}
    for item in items:
        keys = tuple(item.nested_key) or (item.key,)
        try:
            flat[keys] = jsontext.loads(item.value_json, f"the logged value {'.'.join(keys)}", record=False)
        except BadInput as exc:
            if exc.title == jsontext.TOO_DEEP:
                raise
            continue  # a value that is not JSON is not a metric; one nested past the parser's reach refuses the run
    media = {k[:-1] for k in flat if k[-1] == "_type"}
    return {".".join(k): v for k, v in flat.items() if not any(k[:len(m)] == m for m in media)}


def read(path: Path) -> RunLog:
    """History rows, config and identity of a run from its .wandb log."""
    try:
        from wandb.proto import wandb_internal_pb2 as pb
    except ImportError:
        raise BadInput("The wandb package is needed", f"{path.name} is a W&B log, which only the wandb package's "
                       "record types can read: pip install wandb (no account or network needed), or import "
                       "the run's history export (CSV or parquet) instead.") from None
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        raise BadInput("Not a W&B log", f"{path.name} does not start like a W&B run log.")
    log = RunLog()
    for payload in chunks(data):
        record = pb.Record()
        try:
            record.ParseFromString(payload)
        except Exception:  # a damaged record: protobuf's DecodeError; the rest may still be good
            continue
        kind = record.WhichOneof("record_type")
        if kind == "run":
            log.run_id, log.name = record.run.run_id, record.run.display_name
            log.config.update(_items(record.run.config.update))
        elif kind == "config":
            log.config.update(_items(record.config.update))
        elif kind == "history":
            row = _items(record.history.item)
            row.setdefault("_step", record.history.step.num)
            log.history.append(row)
    return log
