"""Vectorised forms equal the plain Python instruments: over the case table, GSM8K's 5,276 model solutions and
seeded random texts built from the pieces answers are written with. Where a form decides, it must give exactly
the function's answer, span and verdict; where it declines, the function decides (bulk reading = plain reading)."""
from __future__ import annotations

import json
import random

import pyarrow as pa
import pytest
from conftest import CASES, SHARED

from yardstick.instruments import all_instruments
from yardstick.instruments.numbers import gold_of, normalize
from yardstick.instruments.vectorised import _run_sql, normalize_golds, read_arrow

PIECES = ["<answer>", "</answer>", "\\boxed{", "\\frac{", "e", "1e3", "}", " ", " ", "\n", "\t", "\x0b", "0", "1", "2", "7", "12", "18",
          "1,234", "3.50", "00", ",", ",", ".", ".", "$", "-", "%", "/", "a", "is ", "é", "٣", "½", "=", "x"]
GOLDS = ["12", "1234", "18", "3.5", "0", "-3", "2", None, "3/4", "7", "1", "", "0012"]


def forms():
    return [i for i in all_instruments() if i.sql]


def random_cases(seed: int, n: int) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    return [("".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 30))), rng.choice(GOLDS)) for _ in range(n)]


def case_table() -> list[tuple[str, str | None]]:
    rows = [json.loads(line) for line in (CASES / "score_cases.jsonl").read_text().splitlines() if line.strip()]
    return [(r["text"], None if r.get("gold") is None else str(r["gold"])) for r in rows if _encodable(r["text"])]


def _encodable(text: str) -> bool:
    """Arrow (so the store) holds UTF-8 only: a lone surrogate never reaches a vectorised form."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def gsm8k() -> list[tuple[str, str | None]]:
    rows = []
    for line in (SHARED / "gsm8k/example_model_solutions.jsonl").open():
        obj = json.loads(line)
        for sol in obj.values():
            if isinstance(sol, dict) and "solution" in sol:
                rows.append((sol["solution"], gold_of(obj["ground_truth"])))
    return rows


def plain(inst, text: str, gold: str | None) -> tuple:
    reading = inst.read(text, gold)
    return (reading.verdict,) if inst.kind == "check" else (reading.answer, reading.span, reading.verdict)


def assert_forms_equal_functions(cases: list[tuple[str, str | None]]) -> dict[str, float]:
    """Every decided reading equals the function's; returns each form's share of decided readings."""
    texts = pa.array([t for t, _ in cases], pa.string())
    golds = normalize_golds(pa.array([g for _, g in cases], pa.string()))
    decided = _run_sql(forms(), texts, golds)
    shares = {}
    for inst in forms():
        values = decided[inst.name].to_pylist()
        for (text, gold), value in zip(cases, values):
            if value is None:
                continue
            if inst.kind == "check":
                got = (value,)
            else:
                span = None if value["span_start"] is None else (value["span_start"], value["span_end"])
                verdict = None if normalize(gold) is None else value["answer"] is not None and \
                    value["answer"] == normalize(gold)  # no gold: no verdict
                got = (value["answer"], span, verdict)
            assert got == plain(inst, text, normalize(gold)), (inst.name, text, gold)
        shares[inst.name] = sum(v is not None for v in values) / max(len(values), 1)
    return shares


def test_forms_equal_functions_on_the_case_table():
    assert_forms_equal_functions(case_table())


def test_forms_equal_functions_on_gsm8k_solutions():
    shares = assert_forms_equal_functions(gsm8k())
    assert min(shares.values()) > 0.7, shares  # the forms do the bulk of the work on real text


@pytest.mark.parametrize("seed", range(4))
def test_forms_equal_functions_on_random_texts(seed):
    assert_forms_equal_functions(random_cases(seed, 5000))


def test_bulk_reading_equals_plain_reading():
    """Merged (form + function where it declines) readings equal the plain path's, verdicts included."""
    cases = case_table() + random_cases(9, 3000) + gsm8k()[:2000]
    texts = pa.array([t for t, _ in cases], pa.string())
    golds = normalize_golds(pa.array([g for _, g in cases], pa.string()))
    fast, slow = read_arrow(texts, golds, forms()), read_arrow(texts, golds, forms(), vectorised=False)
    for inst in forms():
        for field in ("answers", "starts", "ends", "verdicts"):
            assert getattr(fast[inst.name], field).equals(getattr(slow[inst.name], field)), (inst.name, field)
