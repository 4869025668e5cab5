"""Store benchmark: build an N-completion store from the real GSM8K solutions' texts, then time the Completions
page's query. Prints numbers; targets (2-core machine): ≥ 20,000 completions/s ingest + regex extraction,
p95 ≤ 150 ms for filter + disagreement + page of 50.

    python bench/store.py [--n 1000000] [--out bench/out/bench.duckdb]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.home import shared_data  # noqa: E402
from core.importers.gsm8k import gold_of  # noqa: E402
from core.instruments import all_instruments  # noqa: E402
from core.store import queries  # noqa: E402
from core.store.store import Batch, Store  # noqa: E402

CHUNK = 100_000
RUNS, STEPS = 20, 50


def solutions() -> list[tuple[str, str, str]]:
    rows = []
    for line in (shared_data() / "gsm8k/example_model_solutions.jsonl").open():
        obj = json.loads(line)
        for sol in obj.values():
            if isinstance(sol, dict) and "solution" in sol:
                rows.append((obj["question"], gold_of(obj["ground_truth"]), sol["solution"]))
    return rows


def build(store: Store, n: int) -> float:
    regex = [i for i in all_instruments() if not i.isolated]
    pool = solutions()
    per_cell = max(n // (RUNS * STEPS), 1)
    start = time.perf_counter()
    for offset in range(0, n, CHUNK):
        rows = []
        for k in range(offset, min(offset + CHUNK, n)):
            cell, sample = divmod(k, per_cell)
            run, step = divmod(cell, STEPS)
            question, gold, text = pool[k % len(pool)]
            rows.append((f"bench-{run:02d}", step, question, gold, text, sample))
        df = pd.DataFrame(rows, columns=["run_id", "step", "question", "gold", "text", "sample"])
        df["phase"], df["decoding"] = "train", "sampled"
        store.ingest(Batch(runs=[{"run_id": f"bench-{r:02d}", "name": "bench"} for r in range(RUNS)],
                           completions=df), instruments=regex)
        done = min(offset + CHUNK, n)
        print(f"  {done:>9,} completions  {done / (time.perf_counter() - start):>8,.0f}/s", flush=True)
    return n / (time.perf_counter() - start)


def page_latency(store: Store, repeats: int = 60) -> tuple[float, float]:
    rng = random.Random(0)
    times = []
    for i in range(repeats):
        q = queries.CompletionQuery(run_ids=[f"bench-{rng.randrange(RUNS):02d}"],
                                    step=rng.randrange(STEPS) if i % 2 else None,
                                    verdicts=(("lenient", "correct"), ("last_number", "wrong")) if i % 3 else (),
                                    disagree=["last_number", "lenient", "strict_tag"], page=rng.randrange(3))
        t = time.perf_counter()
        queries.completions_page(store, q)
        queries.readings(store, [0])
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("bench/out/bench.duckdb"))
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        Path(str(args.out) + suffix).unlink(missing_ok=True)
    store = Store(args.out)
    print(f"building {args.n:,} completions from {len(solutions()):,} real GSM8K solutions")
    rate = build(store, args.n)
    print(f"ingest + regex extraction: {rate:,.0f} completions/s (target ≥ 20,000)")
    p50, p95 = page_latency(store)
    print(f"Completions page query (filter + disagreement + page of 50): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          "(target p95 ≤ 150 ms)")


if __name__ == "__main__":
    main()
