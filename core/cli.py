"""The `yardstick` command: the scriptable face of what the pages do (score, import, audit)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from core.errors import BadInput, YardstickError


def _score(args: argparse.Namespace) -> int:
    from core import score
    from core.instruments.isolation import kept_workers

    try:
        source = sys.stdin.buffer if args.file in (None, "-") else open(args.file, "rb")
    except OSError as exc:
        raise BadInput("Cannot read the input", f"{args.file}: {exc.strerror}.") from None
    with source, kept_workers():
        for lines in score.batches(source):
            for line in score.score(score.parse(lines)):
                sys.stdout.write(line + "\n")
            sys.stdout.flush()
    return 0


def _import(args: argparse.Namespace) -> int:
    from core.embedded import open_store
    from core.importers import import_path

    store = open_store(embedded=False)
    for path in args.paths:
        kind, result = import_path(store, path)
        print(f"{path}: {kind}: {result}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    import pandas as pd

    from core import audit
    from core.embedded import open_read_only
    from core.store import queries

    store = open_read_only()  # a read-only command never writes: no import, no instrument sync
    pairs = queries.audit_pairs(store, args.reference, args.run or None)
    if pairs.empty:
        raise BadInput("Nothing to audit", f"No completion has a {args.reference!r} verdict yet.")
    table = audit.table(pairs, bootstrap=args.bootstrap, answers=args.reference != "is_correct")
    if args.json:
        print(json.dumps(json.loads(table.to_json(orient="records"))))
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
            print(f"reference: {args.reference}  completions: {pairs['completion_id'].nunique()}")
            print(table.to_string(index=False))
    return 0


def _train(args: argparse.Namespace) -> int:
    from core import home, launcher
    from core.runconfig import RunConfig
    from core.train.worker import run

    config = RunConfig.load(args.config).to_dict()  # a bad config stops here: nothing is created
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else None
    status = 0
    for run_id in launcher.submit(config, seeds):
        print(f"training {run_id} (run folder {home.runs_dir() / run_id})", flush=True)
        status = max(status, run(home.runs_dir() / run_id))
    return status


def _pocket(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from core.pocket.build import build
    from core.train.setup import POCKETS, pocket_path

    bar = tqdm(total=POCKETS[args.name].steps, desc=f"SFT {args.name}", unit="step")

    def progress(step: int, total: int, loss: float) -> None:
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3f}")

    record = build(args.out, POCKETS[args.name], progress) if args.out else None
    path = args.out or pocket_path(args.name, progress)
    bar.close()
    print(json.dumps(record or json.loads((path / "pocket.json").read_text()), indent=2))
    print(f"saved to {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yardstick", description="Is the reward going up because the model got better?")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("score", help="score JSONL lines {text, gold, ...} with every instrument")
    s.add_argument("file", nargs="?", help="JSONL file, or - for standard input (the default)")
    s.set_defaults(func=_score)
    s = sub.add_parser("import", help="import data sets, run folders or completion files into the store")
    s.add_argument("paths", nargs="+", type=Path)
    s.set_defaults(func=_import)
    s = sub.add_parser("audit", help="precision / recall / F1 of each extractor against a reference")
    s.add_argument("--reference", choices=["is_correct", "hand", "judge"], required=True)
    s.add_argument("--run", action="append", help="limit to this run (repeatable)")
    s.add_argument("--bootstrap", type=int, default=0, help="bootstrap resamples for 95%% intervals")
    s.add_argument("--json", action="store_true", help="print a JSON list of objects")
    s.set_defaults(func=_audit)
    s = sub.add_parser("train", help="train one GRPO run (per seed) from a run config JSON, in this process")
    s.add_argument("config", type=Path)
    s.add_argument("--seeds", help="comma-separated seeds: one run each, as a seed group")
    s.set_defaults(func=_train)
    s = sub.add_parser("pocket", help="the pocket lab's model")
    pocket = s.add_subparsers(dest="action", required=True)
    b = pocket.add_parser("build", help="build (SFT-train) the pocket model; deterministic for its spec")
    b.add_argument("--name", choices=["pocket", "pocket-terse-tags", "pocket-mini"], default="pocket")
    b.add_argument("--out", type=Path, help="folder to save to (default: $YARDSTICK_HOME/pocket/NAME)")
    b.set_defaults(func=_pocket)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except YardstickError as exc:
        print(f"error: {exc.title}: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
