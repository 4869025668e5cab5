"""Are the instruments' readings identical before and after the vectorised forms? Builds the bench store twice —
every completion read by the Python functions (the path before), then by the vectorised forms with the functions
where a form declines (the path now) — and compares every reading (answer, span, verdict) by completion key.

    python bench/readings_same.py [--n 1000000] [--out bench/out]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from store import RUNS, frames  # noqa: E402

from yardstick.instruments import all_instruments  # noqa: E402
from yardstick.store.store import Batch, Store  # noqa: E402

READINGS = ("SELECT c.completion_key, e.instrument, e.answer, e.span_start, e.span_end, e.verdict "
            "FROM {db}.extractions e JOIN {db}.completions c USING (completion_id)")


def build(path: Path, n: int, vectorised: bool) -> float:
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = Store(path)
    runs = [{"run_id": f"bench-{r:02d}", "name": "bench"} for r in range(RUNS)]
    start = time.perf_counter()
    store.ingest_stream((Batch(runs=runs, completions=df) for df in frames(n)),
                        instruments=[i for i in all_instruments() if not i.isolated], vectorised=vectorised)
    store.close()
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    before, after = args.out / "readings-python.duckdb", args.out / "readings-vectorised.duckdb"
    print(f"Python functions only: {build(before, args.n, False):,.0f} completions/s")
    print(f"vectorised forms:      {build(after, args.n, True):,.0f} completions/s")
    con = duckdb.connect()
    con.execute(f"ATTACH '{before}' AS b (READ_ONLY); ATTACH '{after}' AS a (READ_ONLY)")
    total = con.execute(f"SELECT count(*) FROM ({READINGS.format(db='b')})").fetchone()[0]
    only_before = con.execute(f"SELECT count(*) FROM ({READINGS.format(db='b')} EXCEPT ALL "
                              f"{READINGS.format(db='a')})").fetchone()[0]
    only_after = con.execute(f"SELECT count(*) FROM ({READINGS.format(db='a')} EXCEPT ALL "
                             f"{READINGS.format(db='b')})").fetchone()[0]
    per = con.execute(f"SELECT instrument, count(*) FROM ({READINGS.format(db='b')}) GROUP BY 1 ORDER BY 1").fetchall()
    print(f"readings compared: {total:,} ({', '.join(f'{name} {n:,}' for name, n in per)})")
    print(f"different: {only_before:,} only before, {only_after:,} only after -> "
          + ("IDENTICAL" if only_before == only_after == 0 else "DIFFERENT"))
    for path in (before, after):
        path.unlink()


if __name__ == "__main__":
    main()
