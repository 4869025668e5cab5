"""The store on real DuckDB files: idempotent ingest, backfill on instrument changes, labels, bad imports."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from conftest import CASES, SHARED

from yardstick.errors import YardstickError
from yardstick.importers import import_path
from yardstick.instruments import registry
from yardstick.store import queries, reviews, selection
from yardstick.store.store import Batch, Store


def small_batch(run: str = "r1", n: int = 3) -> Batch:
    rows = [{"run_id": run, "step": s, "phase": "train", "decoding": "sampled", "question": f"q{i}", "gold": str(i),
             "sample": 0, "text": f"I think <answer>{i if s else i + 1}</answer>"} for s in (0, 1) for i in range(n)]
    return Batch(runs=[{"run_id": run, "name": run, "reward_spec": "format"}], completions=pd.DataFrame(rows),
                 metrics=pd.DataFrame({"run_id": run, "step": [0, 1], "name": "format", "value": [0.5, 1.0],
                                       "phase": "eval", "decoding": "sampled"}))


def test_ingest_is_idempotent_and_reads_every_instrument(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.sync_instruments()
    first = store.ingest(small_batch())
    again = store.ingest(small_batch())
    assert (first.completions, again.completions) == (6, 0)
    assert queries.summary(store)["completions"] == 6
    n_instruments = len(registry.all_instruments())
    assert store.cursor().execute("SELECT count(*) FROM extractions").fetchone()[0] == 6 * n_instruments
    rates = queries.run_accuracy(store).set_index("run_id")
    assert rates.loc["r1", "strict_tag"] == pytest.approx(0.5)  # step 1 right, step 0 off by one
    assert rates.loc["r1", "format"] == 1.0


def test_store_survives_reopen_and_revision_moves(tmp_path):
    path = tmp_path / "s.duckdb"
    store = Store(path)
    before = store.revision()
    store.ingest(small_batch())
    assert store.revision() > before
    store.close()
    assert queries.summary(Store(path))["completions"] == 6


def test_new_or_changed_instrument_is_backfilled(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.sync_instruments()
    store.ingest(small_batch())

    @registry.check(version="1")
    def mentions_think(text: str) -> bool:
        """Says "think"."""
        return "think" in text

    try:
        assert store.sync_instruments() == {"mentions_think": 6}
        assert store.sync_instruments() == {}
        registry.check(version="2", name="mentions_think")(lambda text: False)
        assert store.sync_instruments() == {"mentions_think": 6}
        verdicts = store.cursor().execute(
            "SELECT DISTINCT verdict FROM extractions WHERE instrument = 'mentions_think'").fetchall()
        assert verdicts == [(False,)]
    finally:
        registry.unregister("mentions_think")


def test_latest_label_wins_and_history_is_kept(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.ingest(small_batch())
    cid = int(selection.completions_page(store, selection.CompletionQuery(page_size=1))[0]["completion_id"][0])
    store.add_label(cid, "7", "ada")
    store.add_label(cid, None, "ada", note="no committed answer")
    refs = store.cursor().execute("SELECT answer, correct FROM reference_verdicts WHERE reference = 'hand'").fetchall()
    assert refs == [(None, False)]
    assert store.cursor().execute("SELECT count(*) FROM labels").fetchone()[0] == 2
    with pytest.raises(YardstickError, match="Not a number"):
        store.add_label(cid, "seven", "ada")
    with pytest.raises(YardstickError, match="labelling"):
        store.add_label(cid, "7", " ")


BAD = [json.loads(line) for line in (CASES / "bad_imports.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("case", BAD, ids=[c["file"] for c in BAD])
def test_bad_import_says_why_and_changes_nothing(tmp_path, case):
    store = Store(tmp_path / "s.duckdb")
    store.ingest(small_batch())
    before, revision = queries.summary(store), store.revision()
    with pytest.raises(YardstickError) as err:
        import_path(store, CASES / "bad_imports" / case["file"])
    assert err.value.title == case["title"], case["why"]
    assert queries.summary(store) == before and store.revision() == revision


def test_generic_jsonl_import(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps({"question": "2+2?", "gold": 4, "text": t, "run": "mine", "step": s})
                              for s, t in [(0, "4"), (0, "5"), (10, "<answer>4</answer>")]))
    store = Store(tmp_path / "s.duckdb")
    kind, result = import_path(store, path)
    assert kind == "completions JSONL" and result.completions == 3
    assert import_path(store, path)[1].completions == 0
    assert queries.run_steps(store, ["mine"]) == [0, 10]


def test_gsm8k_solutions_import(tmp_path):
    src = tmp_path / "solutions.jsonl"
    with open(SHARED / "gsm8k/example_model_solutions.jsonl") as fh:
        src.write_text("".join(next(fh) for _ in range(20)))
    store = Store(tmp_path / "s.duckdb")
    kind, result = import_path(store, src)
    assert kind == "GSM8K model solutions" and result.completions == 80 and result.runs == 4
    refs = reviews.references(store).set_index("reference")
    assert refs.loc["is_correct", "n"] == 80


def test_shared_data_is_not_copied_into_the_repo():
    from conftest import REPO

    tracked = shutil.which("git") and __import__("subprocess").run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout
    assert tracked is None or "example_model_solutions" not in tracked


def test_two_threads_ingesting_the_same_rows_store_them_once(tmp_path):
    """Two syncs of one live run (the Launch page's timer and the Curves page) may overlap."""
    import threading

    store = Store(tmp_path / "s.duckdb")
    store.sync_instruments()
    batch = small_batch(n=40)
    errors, start = [], threading.Barrier(4)

    def ingest():
        start.wait()
        try:
            store.ingest(batch)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=ingest) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert queries.summary(store)["completions"] == 80
    n_instruments = len(registry.all_instruments())
    assert store.cursor().execute("SELECT count(*) FROM extractions").fetchone()[0] == 80 * n_instruments
    assert store.cursor().execute("SELECT count(DISTINCT completion_id) FROM extractions").fetchone()[0] == 80
