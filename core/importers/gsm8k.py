"""GSM8K's example_model_solutions.jsonl: 1,319 questions × 4 OpenAI model solutions with `is_correct`.

Each model becomes a run; `is_correct` is kept as the reference verdict `is_correct` for the audit.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from yardstick.errors import BadInput
from yardstick.importers.base import Seen
from yardstick.importers.jsonl import first_object, read_objects, require_gold, require_text
from yardstick.instruments.numbers import gold_of
from yardstick.store.store import Batch

KIND = "GSM8K model solutions"
LOOKS_LIKE = "lines with question, ground_truth and per-model {solution, is_correct}"


def recognises(path: Path) -> bool:
    obj = first_object(path)
    return obj is not None and {"question", "ground_truth"} <= obj.keys() and bool(_models(obj))


def _models(obj: dict) -> list[str]:
    return [k for k, v in obj.items() if isinstance(v, dict) and "solution" in v]


def load(path: Path, seen: Seen | None = None) -> Batch:
    rows = []
    for number, obj in read_objects(path):
        where = f"{path.name} line {number}"
        question = require_text(obj, "question", where)
        try:
            gold = gold_of(require_text(obj, "ground_truth", where))
        except ValueError:
            raise BadInput("No gold answer", f"{where}: ground_truth has no final 'A: N' line.") from None
        require_gold(gold, where)
        for model in _models(obj):
            sol = obj[model]
            rows.append({"run_id": f"gsm8k-{model}", "step": 0, "phase": "eval", "decoding": "sampled",
                         "question": question, "gold": gold, "sample": 0,
                         "text": require_text(sol, "solution", f"{where} {model}"),
                         "reference_correct": bool(sol.get("is_correct"))})
    if not rows:
        raise BadInput("Empty file", f"{path.name} holds no solutions.")
    runs = [{"run_id": r, "name": r.removeprefix("gsm8k-"), "source": "gsm8k example_model_solutions",
             "model": f"OpenAI GPT-3 {r.removeprefix('gsm8k-')}", "status": "imported",
             "notes": "OpenAI's sample solutions to the GSM8K test set, with their is_correct labels."}
            for r in dict.fromkeys(row["run_id"] for row in rows)]
    return Batch(runs=runs, completions=pd.DataFrame(rows), problem_source="gsm8k test")
