"""Ingest as a stream on real DuckDB files: chunked transactions give the same store as one, the app stays usable
while a big import runs, progress is reported, and the reading counts and verdict bits always equal the readings
they are made from."""
from __future__ import annotations

import json
import threading
import time

import pandas as pd
import pytest

from yardstick.instruments import registry
from yardstick.jobs import imports, queue
from yardstick.store import ingest, queries, selection
from yardstick.store.ingest import Progress
from yardstick.store.store import Batch, Store


def completions(n: int, runs: int = 3, steps: int = 4, offset: int = 0) -> pd.DataFrame:
    rows = []
    for k in range(offset, offset + n):
        run, rest = divmod(k, n // runs + 1)
        step, sample = divmod(rest, 50)
        i = k % 37
        text = [f"so {i} apples", f"<answer>{i}</answer>", f"I get {i + 1}. Final: {i}", "no idea"][k % 4]
        rows.append({"run_id": f"r{run}", "step": step % steps, "phase": ["train", "eval"][k % 2],
                     "decoding": "sampled", "question": f"q{i}", "gold": str(i), "sample": sample, "text": text})
    return pd.DataFrame(rows)


def readings_table(store: Store) -> list[tuple]:
    return store.cursor().execute(
        "SELECT c.completion_key, e.instrument, e.answer, e.span_start, e.span_end, e.verdict FROM extractions e "
        "JOIN completions c USING (completion_id) ORDER BY ALL").fetchall()


def counts_from_readings(store: Store) -> list[tuple]:
    cur = store.cursor()
    derived = cur.execute(ingest.COUNTS_SQL.format(extractions="extractions", completions="completions", where="")
                          + " ORDER BY ALL").fetchall()
    kept = cur.execute("SELECT run_id, step, phase, decoding, instrument, n, n_true, n_false, n_answered "
                       "FROM reading_counts ORDER BY ALL").fetchall()
    assert kept == derived
    bits = cur.execute("SELECT completion_id, right_bits, wrong_bits, answered_bits FROM completions ORDER BY 1")
    assert bits.fetchall() == cur.execute(ingest.BITS_SQL.format(extractions="extractions", where="")
                                          + " ORDER BY 1").fetchall()
    return kept


def test_chunks_make_the_same_store_as_one_transaction(tmp_path, monkeypatch):
    df = completions(700)
    whole = Store(tmp_path / "whole.duckdb")
    whole.ingest(Batch(runs=[{"run_id": "r0"}], completions=df, meta={"source:x": "1"}))
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 64)
    chunked = Store(tmp_path / "chunked.duckdb")
    parts = [Batch(runs=[{"run_id": "r0"}], completions=df.iloc[i:i + 300], meta={"source:x": "1"})
             for i in range(0, len(df), 300)]
    result = chunked.ingest_stream(iter(parts), progress=(progress := Progress(total=len(df))))
    assert result.completions == 700 and progress.done == 700 and progress.finished and progress.fraction() == 1
    assert readings_table(chunked) == readings_table(whole)
    assert counts_from_readings(chunked) == counts_from_readings(whole)
    assert chunked.ingest_stream(iter(parts)).completions == 0  # idempotent, chunk by chunk
    assert "source:x" in chunked.meta_keys("source:")


def test_counts_follow_a_backfill(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.ingest(Batch(completions=completions(300)))

    @registry.check(version="1")
    def says_apples(text: str) -> bool:
        """Mentions apples."""
        return "apples" in text

    try:
        store.sync_instruments()
        counts = counts_from_readings(store)
        assert sum(row[6] for row in counts if row[4] == "says_apples") == 75  # one text in four
        rates = queries.run_accuracy(store).set_index("run_id")
        assert rates["says_apples"].between(0, 1).all()
    finally:
        registry.unregister("says_apples")


def test_prompt_strip_is_one_problem_through_training(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.ingest(Batch(completions=completions(600)))
    problem = store.cursor().execute("SELECT problem_id FROM problems WHERE question = 'q5'").fetchone()[0]
    strip = selection.prompt_strip(store, problem, ["r0", "r2"])
    assert set(strip["run_id"]) == {"r0", "r2"} and set(strip["question"]) == {"q5"}
    order = ["run_id", "step", "phase", "decoding", "sample"]
    assert strip[order].equals(strip[order].sort_values(order).reset_index(drop=True))
    assert len(selection.readings(store, strip["completion_id"].tolist())) == len(strip) * len(
        queries.instrument_names())


@pytest.mark.slow
def test_labels_and_pages_work_while_a_big_import_runs(tmp_path, monkeypatch):
    """The store serialises writes with a lock, but commits an import chunk by chunk: a label waits for one chunk,
    not the whole import, and reads never wait."""
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 5_000)
    store = Store(tmp_path / "s.duckdb")
    store.ingest(Batch(completions=completions(100)))
    first = int(selection.completions_page(store, selection.CompletionQuery(page_size=1))[0]["completion_id"][0])
    big = [Batch(completions=completions(5_000, offset=100 + i * 5_000)) for i in range(6)]
    progress = Progress(total=30_000)
    worker = threading.Thread(target=store.ingest_stream, args=(iter(big),), kwargs={"progress": progress})
    worker.start()
    while progress.done == 0 and not progress.finished:
        time.sleep(0.01)
    t = time.perf_counter()
    store.add_label(first, "3", "ada")
    selection.completions_page(store, selection.CompletionQuery(run_ids=["r1"], disagree=["last_number", "strict_tag"]))
    queries.run_accuracy(store)
    took = time.perf_counter() - t
    during = not progress.finished
    worker.join()
    assert progress.error is None and progress.done == 30_000
    assert during, "the import finished before the label could be written: make it bigger"
    assert took < 10, f"a label and two page queries took {took:.1f} s during an import"
    assert queries.summary(store)["labels"] == 1


def finished(job: str, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = next(j for j in imports.jobs() if j["job"] == job)
        if not found["live"]:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{job} did not finish")


def test_an_import_runs_as_a_job_with_progress_in_its_folder(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps({"question": f"{i}+1?", "gold": i + 1, "text": f"it is {i + 1}"})
                              for i in range(500)))
    store = Store(tmp_path / "s.duckdb")
    done = finished(imports.submit(store, path))
    assert done["state"] == "finished" and done["error"] is None and "500 completions" in done["result"]
    assert done["done"] == done["total"] == 500 and queries.summary(store)["completions"] == 500
    missing = finished(imports.submit(store, tmp_path / "nope.jsonl"))
    assert missing["state"] == "failed" and missing["error"]["title"] == "Nothing to import"
    assert [j["state"] for j in imports.jobs()] == ["failed", "finished"]  # newest first, kept in the home


def test_a_cancelled_import_stops_between_chunks_and_an_import_again_adds_the_rest(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 500)
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(json.dumps({"question": f"{i}+1?", "gold": i + 1, "text": f"it is {i + 1}"})
                              for i in range(5_000)))
    store = Store(tmp_path / "s.duckdb")
    job = imports.submit(store, path)
    while not (next(j for j in imports.jobs() if j["job"] == job)["done"] or 0):
        time.sleep(0.05)
    queue.cancel(job)  # from another page or browser: a file in the job's folder
    stopped = finished(job)
    assert stopped["state"] == "cancelled"
    part = queries.summary(store)["completions"]
    assert 0 < part < 5_000 and part % 500 == 0  # whole chunks only
    again = finished(imports.submit(store, path))
    assert again["state"] == "finished" and queries.summary(store)["completions"] == 5_000


def test_an_import_whose_app_stopped_reads_crashed_and_imports_again_from_any_page(tmp_path, isolated_env):
    """The job is the home's, not the page's: after the app that ran it is gone, the next app says so and finishes
    it with one click (an import adds only what is missing)."""
    import socket
    import subprocess

    from test_pages import open_page

    from yardstick.record.folder import RunFolder

    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps({"question": f"{i}+1?", "gold": i + 1, "text": f"it is {i + 1}"})
                              for i in range(50)))
    gone = subprocess.Popen(["true"])
    gone.wait()
    folder = RunFolder(isolated_env / "jobs" / "20261203-120000-import-mine-jsonl")
    folder.path.mkdir(parents=True)
    folder.claim()
    folder.create("import", {"path": str(path), "data": None},
                  status={"state": "running", "pid": gone.pid, "host": socket.gethostname(), "done": 10, "total": 50})
    assert imports.jobs()[0]["state"] == "crashed"
    at = open_page("overview")
    assert any("the app that ran it stopped" in t.value for t in at.text)
    again = next(b for b in at.button if b.label == "Import again")
    again.click().run()
    job = imports.jobs()[0]
    assert job["job"] != folder.run_id and finished(job["job"])["state"] == "finished"
    assert queries.summary(Store(isolated_env / "yardstick.duckdb"))["completions"] >= 50


def test_verdict_bits_filter_as_the_readings_do(tmp_path, monkeypatch):
    store = Store(tmp_path / "s.duckdb")
    store.ingest(Batch(completions=completions(400)))
    cases = [selection.CompletionQuery(disagree=("last_number", "strict_tag", "lenient")),
             selection.CompletionQuery(run_ids=("r1",), verdicts=(("lenient", "correct"), ("last_number", "wrong"))),
             selection.CompletionQuery(verdicts=(("strict_tag", "no answer"), ("last_number", "correct"))),
             selection.CompletionQuery(verdicts=(("strict_tag", "wrong"),), disagree=("format", "study_format"))]
    with_bits = [selection.completion_ids(store, q) for q in cases]
    monkeypatch.setattr(selection, "bit_masks", lambda store: {})
    assert with_bits == [selection.completion_ids(store, q) for q in cases]
    assert with_bits[0] and selection.completion_ids(store, cases[2]) != []  # not vacuous
