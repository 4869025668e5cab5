"""`yardstick score`: JSONL {text, gold, ...} in, one line out per input line, streamed.

Input is read in batches of at most BATCH lines, and a batch is scored as soon as the input pauses, so a line
piped in alone is answered at once and memory stays flat however long the stream is.
"""
from __future__ import annotations

import json
import os
import select
from typing import BinaryIO, Iterator

from yardstick.errors import BadInput
from yardstick.guard import jsontext

BATCH = 256
IDLE_S = 0.05
READ = 1 << 16


def batches(stream: BinaryIO, size: int = BATCH, idle_s: float = IDLE_S) -> Iterator[list[tuple[int, bytes]]]:
    """(line number, line) in batches of at most `size`; a partial batch is handed over when no more input is
    ready within `idle_s`."""
    fd, buf, pending, number = stream.fileno(), bytearray(), [], 0
    while True:
        if pending and not select.select([fd], [], [], idle_s)[0]:
            yield pending
            pending = []
        chunk = os.read(fd, READ)
        if not chunk:
            break
        start = len(buf)
        buf += chunk
        cut = 0
        while (end := buf.find(b"\n", max(start, cut))) >= 0:
            number += 1
            pending.append((number, bytes(buf[cut:end])))
            cut = end + 1
            if len(pending) >= size:
                yield pending
                pending = []
        del buf[:cut]
    if buf.strip():
        pending.append((number + 1, bytes(buf)))
    if pending:
        yield pending


def parse(lines: list[tuple[int, bytes]]) -> list[dict]:
    """The objects of one batch; a bad line is a titled error naming it."""
    objects = []
    for number, raw in lines:
        if not raw.strip():
            continue
        obj = jsontext.loads(raw, f"line {number}")
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise BadInput("Bad JSONL", f"line {number} needs a string field 'text'.")
        objects.append(obj)
    return objects


def score(objects: list[dict]) -> list[str]:
    """Each object with `instruments` added: {answer, correct, span} per extractor, {value} per check."""
    from yardstick.instruments import all_instruments
    from yardstick.instruments.batch import read_all

    golds = [None if o.get("gold") is None else str(o["gold"]) for o in objects]
    instruments = all_instruments()
    columns = read_all([o["text"] for o in objects], golds, instruments)
    out = []
    for i, obj in enumerate(objects):
        readings = {}
        for inst in instruments:
            r = columns[inst.name][i]
            readings[inst.name] = ({"value": r.verdict} if inst.kind == "check" else
                                   {"answer": r.answer, "correct": r.verdict, "span": list(r.span) if r.span else None})
        out.append(json.dumps({**obj, "instruments": readings}))
    return out
