"""Generic completions JSONL: one object per line with `question`, `gold`, `text`, optional `run` and `step`."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from yardstick.errors import BadInput
from yardstick.importers.base import Seen
from yardstick.importers.jsonl import first_object, read_objects, require_gold, require_text
from yardstick.store.store import Batch

KIND = "completions JSONL"
LOOKS_LIKE = "lines with question, gold, text"


def recognises(path: Path) -> bool:
    obj = first_object(path)
    return obj is not None and {"question", "gold", "text"} <= obj.keys()


def load(path: Path, seen: Seen | None = None) -> Batch:
    rows, seen = [], Counter()
    for number, obj in read_objects(path):
        where = f"{path.name} line {number}"
        run = str(obj.get("run") or f"jsonl-{path.stem}")
        step = obj.get("step", 0)
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise BadInput("Bad step", f"{where}: 'step' must be a whole number ≥ 0 (got {step!r}).")
        question, gold = require_text(obj, "question", where), require_gold(require_text(obj, "gold", where), where)
        key = (run, step, question, gold)
        rows.append({"run_id": run, "step": step, "phase": "eval", "decoding": "sampled", "question": question,
                     "gold": gold, "text": require_text(obj, "text", where), "sample": seen[key]})
        seen[key] += 1
    if not rows:
        raise BadInput("Empty file", f"{path.name} holds no completions.")
    runs = [{"run_id": r, "name": r, "source": f"import:{path.name}", "status": "imported"}
            for r in dict.fromkeys(row["run_id"] for row in rows)]
    return Batch(runs=runs, completions=pd.DataFrame(rows), problem_source=path.name)
