"""The audit, through the `yardstick audit` command, on the embedded default data."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO
from test_store import small_batch

from yardstick.store.store import Store


def audit(reference: str, *extra: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "yardstick", "audit", "--reference", reference, "--json", *extra],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def counts(rows: list[dict]) -> dict[str, tuple[int, int, int]]:
    return {r["instrument"]: (r["tp"], r["fp"], r["fn"]) for r in rows}


def test_hand_labels_reproduce_the_study(embedded_home):
    rows = audit("hand")
    got = counts(rows)
    # The study's published per-extractor TP / FP / FN against the author's 50 hand labels.
    assert got["study_lenient"] == (14, 8, 1)
    assert got["study_last_number"] == (13, 1, 2)
    assert got["study_strict_tag"] == (7, 0, 8)
    # ...and the normalised lenient differs: it also finds the gold written as "$1,234"-style text.
    assert got["lenient"] != got["study_lenient"]
    assert {r["n"] for r in rows} == {50}
    assert set(rows[0]) >= {"instrument", "n", "tp", "fp", "fn", "tn", "precision", "recall", "f1"}


def test_is_correct_covers_the_5276_gsm8k_solutions(embedded_home):
    rows = {r["instrument"]: r for r in audit("is_correct")}
    assert {r["n"] for r in rows.values()} == {5276}
    assert rows["last_number"]["f1"] > 0.99  # OpenAI graded by the final "A: N" line
    assert rows["lenient"]["precision"] < 0.9  # lenient credits right numbers in the reasoning


def test_judge_reference_and_bootstrap_intervals(embedded_home):
    rows = {r["instrument"]: r for r in audit("judge", "--bootstrap", "200")}
    lo, hi = rows["study_last_number"]["f1_ci"]
    assert lo <= rows["study_last_number"]["f1"] <= hi


def test_audit_only_reads(isolated_env):
    """A read-only command never writes: on a fresh home it says the store is empty (it used to import the
    embedded data); on a store it leaves every byte as it was."""
    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "yardstick", "audit", "--reference", "hand"], capture_output=True,
                              text=True, cwd=REPO, timeout=120)

    proc = run()
    assert proc.returncode == 2 and proc.stderr.startswith("error: The store is empty:") and not isolated_env.exists()
    store = Store(isolated_env / "yardstick.duckdb")
    store.ingest(small_batch())
    store.close()
    before = {p.name: p.read_bytes() for p in isolated_env.iterdir()}
    proc = run()
    assert proc.returncode == 2 and "Nothing to audit" in proc.stderr
    assert {p.name: p.read_bytes() for p in isolated_env.iterdir()} == before  # a read-only command wrote nothing


def test_a_second_labeller_never_moves_the_reference_and_gets_an_agreement_table(embedded_home):
    from yardstick.store import selection
    from yardstick.store.store import Store
    from yardstick.views import build

    store = Store(embedded_home / "yardstick.duckdb")
    ids = selection.completion_ids(store, selection.CompletionQuery(run_ids=("study-judge-validation",)))
    for cid in ids[:10]:  # a trial labeller who says "none" to everything
        store.add_label(cid, None, "trial", "")
    store.close()
    assert counts(audit("hand"))["study_last_number"] == (13, 1, 2)  # still the study author's reference
    trial = {r["instrument"]: r["n"] for r in audit("hand", "--labeller", "trial")}
    assert set(trial.values()) == {10}
    store = Store(embedded_home / "yardstick.duckdb")
    view = build(store, "audit", {"reference": ["hand"], "compare": ["study author"], "vs": ["trial"]})
    assert view.get("agreement-answers").value.endswith("/10")
    rows = view.get("agreement-rows").frame
    assert len(rows) == 10 - int(view.get("agreement-answers").value.split("/")[0])
    assert view.get("audit").frame.set_index("instrument").loc["study_last_number", "tp"] == 13


def test_choosing_another_instrument_reuses_the_bootstrapped_table_until_the_store_changes(embedded_home, monkeypatch):
    """Picking an instrument's disagreements redrew the whole bootstrap (seconds on the 5,276 GSM8K solutions)."""
    from yardstick.analysis import audit as core_audit
    from yardstick.store import selection
    from yardstick.views import build

    made = []
    real = core_audit.table
    monkeypatch.setattr(core_audit, "table", lambda *a, **k: made.append(1) or real(*a, **k))
    store = Store(embedded_home / "yardstick.duckdb")
    first = build(store, "audit", {"reference": ["hand"], "instrument": ["lenient"]})
    second = build(store, "audit", {"reference": ["hand"], "instrument": ["strict_tag"]})
    assert len(made) == 1 and first.get("audit").frame.equals(second.get("audit").frame)
    assert first.get("disagreements").title != second.get("disagreements").title
    cid = selection.completion_ids(store, selection.CompletionQuery(run_ids=("study-judge-validation",)))[0]
    store.add_label(cid, None, "trial", "")  # a write: the next build must not reuse a stale table
    build(store, "audit", {"reference": ["hand"], "instrument": ["strict_tag"]})
    assert len(made) == 2


def test_an_undefined_precision_reads_as_a_dash_not_nan(embedded_home):
    """strict_tag never calls a GSM8K solution correct (none has tags): its precision has no value, and its interval
    read 'nan–nan' on the page."""
    from yardstick.views import build

    table = build(Store(embedded_home / "yardstick.duckdb"), "audit", {"reference": ["is_correct"]}).get("audit")
    row = table.frame.set_index("instrument").loc["strict_tag"]
    assert row["tp"] == 0 and row["precision 95% CI"] == "—" and row["recall 95% CI"] == "0.000–0.000"
    intervals = table.frame[[c for c in table.frame.columns if c.endswith("95% CI")]]
    assert intervals.shape[1] == 3 and not intervals.apply(lambda c: c.str.contains("nan")).any().any()
