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
    proc = subprocess.run([sys.executable, "-m", "yardstick", "score", "-"], input="\n".join(lines), text=True,
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
    proc = subprocess.run([sys.executable, "-m", "yardstick", "score"], input='{"text": "1"}\nnot json\n', text=True,
                          capture_output=True, cwd=REPO, timeout=60)
    assert proc.returncode == 2
    assert "line 2" in proc.stderr and proc.stdout == ""


def test_score_streams_each_line_before_the_input_closes():
    """`printf LINE | (cat; sleep 5) | yardstick score -`: the answer comes while the input is still open."""
    proc = subprocess.Popen(["bash", "-c", f"printf '{{\"text\":\"1\",\"gold\":\"1\"}}\\n' | (cat; sleep 5) | "
                             f"{sys.executable} -m yardstick score -"], stdout=subprocess.PIPE, cwd=REPO)
    try:
        line = proc.stdout.readline()
        still_open = proc.poll() is None
    finally:
        proc.wait(timeout=60)
    assert still_open, "the line must be answered before the input closes"
    assert json.loads(line)["instruments"]["last_number"] == {"answer": "1", "correct": True, "span": [0, 1]}


def test_score_quotes_at_most_an_excerpt_of_a_completion_in_its_log():
    """math-verify's timeout warning quotes the completion: a worker's log lines are cut to an excerpt."""
    from yardstick.instruments import workers

    huge = "x" * 1_000_000
    script = ("import logging; from yardstick.instruments import workers; workers.start(); "
              f"logging.getLogger('math_verify.parser').warning('Timeout during parsing: ' + 'x' * {len(huge)})")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert "Timeout during parsing: xxx" in proc.stderr and "more characters]" in proc.stderr
    assert len(proc.stderr) < workers.EXCERPT + 200


def test_instrument_workers_never_run_the_parents_main_script(tmp_path):
    """Spawned workers re-ran the parent's __main__; under Streamlit that is the app script, so each worker ran the
    whole app (login, a page, the store) before reading a completion. A main script that leaves a mark when run
    again shows it."""
    main = tmp_path / "main_script.py"
    mark = tmp_path / "marks"
    main.write_text(
        "import os, sys\n"
        f"open({str(mark)!r}, 'a').write(__name__ + '\\n')\n"
        "if __name__ == '__main__':\n"
        f"    sys.path.insert(0, {str(REPO)!r})\n"
        "    from yardstick.instruments.batch import read_parts\n"
        "    from yardstick.instruments.isolation import run_isolated\n"
        "    from yardstick.instruments.registry import get\n"
        "    texts = ['<answer>4</answer>'] * 3000\n"
        "    cols = read_parts([(get('strict_tag'), texts, ['4'] * len(texts))], workers=2)\n"
        "    assert cols[0].verdicts == [True] * len(texts)\n"
        "    raws = run_isolated('math_verify', [('The answer is 4.', '4')], 10.0)\n"
        "    print(len(raws))\n")
    proc = subprocess.run([sys.executable, str(main)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "1", proc.stderr[-2000:]
    assert mark.read_text().split() == ["__main__"]  # not once more per worker, as "__mp_main__"
