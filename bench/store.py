"""Store benchmark: stream an N-completion store built from the real GSM8K solutions' texts through the ingest
(every regex instrument), time the bare DuckDB insert of the same rows (the ceiling), then every page's queries
on the result — in this process and, for the app's memory, in a fresh one that only browses.
Prints numbers; targets (2-core machine) are printed beside them.

    python bench/store.py [--n 1000000] [--out bench/out/bench.duckdb]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from yardstick.analysis.flags import store_flags  # noqa: E402
from yardstick.home import shared_data  # noqa: E402
from yardstick.instruments import all_instruments  # noqa: E402
from yardstick.instruments.numbers import gold_of  # noqa: E402
from yardstick.store import queries, reviews, selection  # noqa: E402
from yardstick.store.ingest import Progress  # noqa: E402
from yardstick.store.store import Batch, Store  # noqa: E402

CHUNK = 100_000
RUNS, STEPS = 20, 50
WORDS = ["janet", "eggs", "dollars", "per hour", "total of", "therefore", "remaining", "twice as many", "xyzzy"]


def solutions() -> list[tuple[str, str, str]]:
    rows = []
    for line in (shared_data() / "gsm8k/example_model_solutions.jsonl").open():
        obj = json.loads(line)
        for sol in obj.values():
            if isinstance(sol, dict) and "solution" in sol:
                rows.append((obj["question"], gold_of(obj["ground_truth"]), sol["solution"]))
    return rows


def frames(n: int) -> Iterator[pd.DataFrame]:
    """The bench's completions, CHUNK rows at a time: RUNS runs × STEPS steps, texts cycling through the pool."""
    pool = solutions()
    per_cell = max(n // (RUNS * STEPS), 1)
    for offset in range(0, n, CHUNK):
        rows = []
        for k in range(offset, min(offset + CHUNK, n)):
            cell, sample = divmod(k, per_cell)
            run, step = divmod(cell, STEPS)
            question, gold, text = pool[k % len(pool)]
            rows.append((f"bench-{run:02d}", step, question, gold, text, sample))
        df = pd.DataFrame(rows, columns=["run_id", "step", "question", "gold", "text", "sample"])
        df["phase"], df["decoding"] = "train", "sampled"
        yield df


def build(store: Store, n: int) -> tuple[float, int]:
    regex = [i for i in all_instruments() if not i.isolated]
    runs = [{"run_id": f"bench-{r:02d}", "name": "bench"} for r in range(RUNS)]
    progress, text_bytes, last = Progress(total=n), 0, [0.0]

    def batches() -> Iterator[Batch]:
        nonlocal text_bytes
        for df in frames(n):
            text_bytes += int(df["text"].str.len().sum())  # ASCII but for 3%: characters ≈ bytes
            yield Batch(runs=runs, completions=df)

    def report() -> None:
        while not progress.finished:
            time.sleep(0.5)
            if progress.done and time.monotonic() - last[0] > 10:
                last[0] = time.monotonic()
                print(f"  {progress.done:>10,} completions  {progress.rate():>8,.0f}/s  ETA {progress.eta_s():.0f} s",
                      flush=True)

    import threading

    threading.Thread(target=report, daemon=True).start()
    start = time.perf_counter()
    store.ingest_stream(batches(), instruments=regex, progress=progress)
    return n / (time.perf_counter() - start), text_bytes


def bare_insert(path: Path, n: int) -> float:
    """The same rows into a table of the same shape and keys, one INSERT … SELECT per chunk: DuckDB's own speed."""
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE c (id BIGINT PRIMARY KEY, key BIGINT UNIQUE, run_id VARCHAR, step INTEGER, "
                "phase VARCHAR, decoding VARCHAR, question VARCHAR, gold VARCHAR, sample INTEGER, text VARCHAR)")
    spent, first = 0.0, 0
    for df in frames(n):
        df.insert(0, "id", range(first, first + len(df)))
        df.insert(1, "key", [hash((i, "k")) for i in df["id"]])
        first += len(df)
        t = time.perf_counter()
        con.execute("INSERT INTO c BY NAME SELECT * FROM df")
        spent += time.perf_counter() - t
    con.close()
    path.unlink(missing_ok=True)
    return n / spent


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike getrusage, not inherited from the parent at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    """First call (a page's first paint), then p50 and p95 of `repeats` more, in ms."""
    t = time.perf_counter()
    fn()
    first = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return first, statistics.median(times), times[max(int(0.95 * len(times)) - 1, 0)]


def page_queries(store: Store) -> dict[str, tuple[Callable[[], object], str]]:
    """What each page asks of the store, with its target."""
    rng = random.Random(0)
    problems = [r[0] for r in store.cursor().execute("SELECT problem_id FROM problems ORDER BY 1").fetchall()]
    labeller = f"bench-{time.time():.0f}"
    state = {"i": 0}

    def completions_page():
        i = state["i"] = state["i"] + 1
        q = selection.CompletionQuery(run_ids=[f"bench-{rng.randrange(RUNS):02d}"],
                                    step=rng.randrange(STEPS) if i % 2 else None,
                                    verdicts=(("lenient", "correct"), ("last_number", "wrong")) if i % 3 else (),
                                    disagree=["last_number", "lenient", "strict_tag"], page=rng.randrange(3))
        page, _ = selection.completions_page(store, q)
        selection.readings(store, page["completion_id"].tolist())

    def label_next():
        i = state["i"] = state["i"] + 1
        q = selection.CompletionQuery(run_ids=[f"bench-{i % RUNS:02d}"] if i % 2 else [],
                                    disagree=["last_number", "strict_tag", "lenient"])
        item = selection.next_to_label(store, q, labeller)
        store.add_label(int(item["completion_id"]), str(i % 7), labeller)
        selection.labelled_in_queue(store, q, labeller)

    def overview():
        queries.summary(store), queries.runs(store), queries.run_accuracy(store), store_flags(store, None)
        for ref in reviews.references(store)["reference"]:
            reviews.audit_pairs(store, ref, None)

    def curves():
        runs = queries.metric_runs(store)
        queries.metrics(store, runs[:6]), store_flags(store, runs[:6])

    def strip():
        strip = selection.prompt_strip(store, rng.choice(problems), [f"bench-{r:02d}" for r in rng.sample(range(RUNS), 4)])
        selection.readings(store, strip["completion_id"].tolist())

    def audit():
        reviews.audit_pairs(store, "hand", None), reviews.hand_vs_judge(store)

    def search():
        selection.completions_page(store, selection.CompletionQuery(search=rng.choice(WORDS)))

    return {"Completions page (filter + disagreement + page of 50, readings)": (completions_page, "p95 ≤ 150 ms"),
            "Label: next item + save + progress": (label_next, "p95 ≤ 150 ms"),
            "prompt strip (one problem × 4 runs, readings)": (strip, "p95 ≤ 150 ms"),
            "Overview (counts, runs, rates, flags, audit)": (overview, "first paint ≤ 2 s"),
            "Curves (metrics of 6 runs from readings, flags)": (curves, "first paint ≤ 2 s"),
            "Audit (hand labels, hand vs judge)": (audit, "first paint ≤ 2 s"),
            "text search, all runs (count + page)": (search, "p95 ≤ 1 s")}


def browse(path: Path) -> dict:
    """Open the store as the app does and run every page's queries; this process's numbers, for the parent."""
    store = Store(path)
    out = {name: timed(fn, 5 if name.startswith("text search") else 20)
           for name, (fn, _) in page_queries(store).items()}
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("bench/out/bench.duckdb"))
    ap.add_argument("--browse", type=Path, help=argparse.SUPPRESS)  # the child that only browses
    args = ap.parse_args()
    if args.browse:
        print(json.dumps(browse(args.browse)))
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        Path(str(args.out) + suffix).unlink(missing_ok=True)
    store = Store(args.out)
    print(f"building {args.n:,} completions from {len(solutions()):,} real GSM8K solutions")
    rate, text_bytes = build(store, args.n)
    ingest_rss = peak_rss_mb()
    print(f"ingest + regex extraction: {rate:,.0f} completions/s (target ≥ 60,000)")
    store.close()
    bare = bare_insert(args.out.with_name("bare.duckdb"), args.n)
    print(f"bare DuckDB insert of the same rows: {bare:,.0f} rows/s; ingest / bare = {rate / bare:.1%} "
          "(target ≥ 25%)")
    size = args.out.stat().st_size
    print(f"store: {size / args.n:,.0f} bytes per completion; raw text {text_bytes / args.n:,.0f} bytes per completion; "
          f"store / raw text = {size / text_bytes:.2f} (target ≤ 1.2)")
    child = subprocess.run([sys.executable, __file__, "--browse", str(args.out)], capture_output=True, text=True,
                           check=True)
    numbers = json.loads(child.stdout.splitlines()[-1])
    targets = {name: target for name, (_, target) in page_queries(Store(args.out)).items()}
    for name, target in targets.items():
        first, p50, p95 = numbers[name]
        print(f"{name}: first {first:,.0f} ms, p50 {p50:.1f} ms, p95 {p95:.1f} ms ({target})")
    p50, p95 = numbers["Completions page (filter + disagreement + page of 50, readings)"][1:]
    print(f"Completions page query (filter + disagreement + page of 50): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          "(target p95 ≤ 150 ms)")
    print(f"peak RSS: ingest process {ingest_rss:,.0f} MB; app browsing the store {numbers['peak_rss_mb']:,.0f} MB "
          "(target ≤ 3 GB)")


if __name__ == "__main__":
    main()
