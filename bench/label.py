"""Labelling benchmark on the large store that bench/store.py builds: p95 time to fetch the next queue item
(instruments disagree, not yet labelled by this labeller) and to save a label. Target ≤ 100 ms each.

    python bench/store.py && python bench/label.py [--store bench/out/bench.duckdb] [--n 200]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from yardstick.store import queries, selection  # noqa: E402
from yardstick.store.store import Store  # noqa: E402

DISAGREE = ["last_number", "strict_tag", "lenient", "math_verify"]


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(int(q * len(values)), len(values) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=Path("bench/out/bench.duckdb"))
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    store = Store(args.store)
    total = queries.summary(store)["completions"]
    labeller = f"bench-{time.time():.0f}"
    fetch, save, progress = [], [], []
    for i in range(args.n):
        q = selection.CompletionQuery(run_ids=[f"bench-{i % 20:02d}"] if i % 2 else [], disagree=DISAGREE)
        t = time.perf_counter()
        item = selection.next_to_label(store, q, labeller)
        fetch.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        store.add_label(int(item["completion_id"]), str(i), labeller)
        save.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        selection.labelled_in_queue(store, q, labeller)
        progress.append((time.perf_counter() - t) * 1000)
    print(f"store: {total:,} completions; queue (all runs): instruments disagree among {', '.join(DISAGREE)}")
    for name, values in (("fetch next item", fetch), ("save a label", save), ("progress (done)", progress)):
        print(f"{name:>16}: p50 {statistics.median(values):6.1f} ms   p95 {p(values, 0.95):6.1f} ms   (target ≤ 100 ms)")


if __name__ == "__main__":
    main()
