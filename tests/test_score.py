"""`yardstick score` against the table of tricky cases, run as a real subprocess over one JSONL stream."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CASES, REPO

CASE_ROWS = [json.loads(line) for line in (CASES / "score_cases.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def scored() -> dict[str, dict]:
    lines = []
    for case in CASE_ROWS:
        lines.append(json.dumps({"id": case["id"], "text": case["text"] * case.get("repeat", 1), "gold": case["gold"]}))
    proc = subprocess.run([sys.executable, "-m", "core", "score", "-"], input="\n".join(lines), text=True,
                          capture_output=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == [c["id"] for c in CASE_ROWS], "output must keep input order and copy fields"
    return {o["id"]: o for o in out}


def test_table_is_big_enough():
    assert len(CASE_ROWS) >= 30
    assert all(c.get("why") for c in CASE_ROWS)


@pytest.mark.parametrize("case", CASE_ROWS, ids=[c["id"] for c in CASE_ROWS])
def test_case(case: dict, scored: dict[str, dict]):
    got = scored[case["id"]]["instruments"]
    for name, want in case["expect"].items():
        if isinstance(want, bool):
            assert got[name] == {"value": want}, f"{name}: {case['why']}"
        else:
            answer, correct = want
            assert (got[name]["answer"], got[name]["correct"]) == (answer, correct), f"{name}: {case['why']}"
            if answer is not None and name != "math_verify":  # math-verify gives no positions
                assert got[name]["span"] is not None, f"{name}: a read answer comes with its span"


def test_spans_point_at_the_answer(scored: dict[str, dict]):
    case = next(c for c in CASE_ROWS if c["id"] == "text-after-tag")
    start, end = scored["text-after-tag"]["instruments"]["strict_tag"]["span"]
    assert case["text"][start:end] == "42"


def test_bad_line_is_a_clear_error():
    proc = subprocess.run([sys.executable, "-m", "core", "score"], input='{"text": "1"}\nnot json\n', text=True,
                          capture_output=True, cwd=REPO, timeout=60)
    assert proc.returncode == 2
    assert "line 2" in proc.stderr and proc.stdout == ""
