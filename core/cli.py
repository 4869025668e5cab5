"""The `yardstick` command: the scriptable face of what the pages do (score, import, audit)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from core.errors import BadInput, YardstickError


def _score(args: argparse.Namespace) -> int:
    from core.instruments import all_instruments
    from core.instruments.batch import read_all

    source = sys.stdin if args.file in (None, "-") else open(args.file, encoding="utf-8", errors="replace")
    objects = []
    with source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise BadInput("Bad JSONL", f"line {number} is not valid JSON ({exc}).") from exc
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise BadInput("Bad JSONL", f"line {number} needs a string field 'text'.")
            objects.append(obj)
    golds = [None if o.get("gold") is None else str(o["gold"]) for o in objects]
    instruments = all_instruments()
    columns = read_all([o["text"] for o in objects], golds, instruments)
    for i, obj in enumerate(objects):
        out = {}
        for inst in instruments:
            r = columns[inst.name][i]
            out[inst.name] = ({"value": r.verdict} if inst.kind == "check" else
                              {"answer": r.answer, "correct": r.verdict, "span": list(r.span) if r.span else None})
        print(json.dumps({**obj, "instruments": out}))
    return 0


def _import(args: argparse.Namespace) -> int:
    import time

    from core.embedded import open_store
    from core.importers import import_path

    store = open_store(embedded=False)
    if not args.watch:
        for path in args.paths:
            kind, result = import_path(store, path, data=args.data)
            print(f"{path}: {kind}: {result}")
        return 0
    print(f"watching {', '.join(map(str, args.paths))} every {args.every:g} s; Ctrl-C stops", flush=True)
    try:
        while True:
            for path in args.paths:
                try:
                    kind, result = import_path(store, path, data=args.data)
                except YardstickError as exc:  # e.g. a file caught mid-copy: the next round reads it whole
                    print(f"{path}: {exc.title}: {exc.message}", file=sys.stderr, flush=True)
                    continue
                if any(vars(result).values()):
                    print(f"{path}: {kind}: {result}", flush=True)
            time.sleep(args.every)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0


def _runs(args: argparse.Namespace) -> int:
    import pandas as pd

    from core.embedded import open_store
    from core.store import queries

    table = queries.runs(open_store(embedded=False))[
        ["run_id", "source", "model", "reward_spec", "status", "completions", "last_step", "metric_steps",
         "last_metric_step", "metric_names"]]
    table["metric_names"] = table["metric_names"].map(list)
    if args.json:
        print(table.to_json(orient="records"))
    elif table.empty:
        print("no runs yet: yardstick import PATH, or yardstick train CONFIG.json")
    else:
        shown = table.assign(metric_names=table["metric_names"].map(
            lambda names: ", ".join(names[:6]) + (f" … ({len(names)})" if len(names) > 6 else "")))
        with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 70):
            print(shown.to_string(index=False))
    return 0


def _audit(args: argparse.Namespace) -> int:
    import pandas as pd

    from core import audit
    from core.embedded import open_store
    from core.store import queries

    store = open_store()
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
    from core.runfolder import RunFolder
    from core.scheduler import claim_and_run

    config = RunConfig.load(args.config).to_dict()  # a bad config stops here: nothing is created
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else None
    status = 0
    for run_id in launcher.submit(config, seeds):
        print(f"training {run_id} (run folder {home.runs_dir() / run_id})", flush=True)
        status = max(status, claim_and_run(RunFolder(home.runs_dir() / run_id)))
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
    s = sub.add_parser("import", help="import data sets, run folders, TRL output folders, W&B runs or completion "
                       "files into the store")
    s.add_argument("paths", nargs="+", type=Path)
    s.add_argument("--data", type=Path, help="JSONL or parquet of prompts and answers: gold for TRL/W&B runs whose "
                   "logs carry none (joined by prompt text)")
    s.add_argument("--watch", action="store_true", help="keep importing what is new until interrupted (a run "
                   "folder copied over from a live GPU run)")
    s.add_argument("--every", type=float, default=30.0, help="seconds between imports with --watch (default 30)")
    s.set_defaults(func=_import)
    s = sub.add_parser("runs", help="list runs: source, completions, steps and metric names")
    s.add_argument("--json", action="store_true", help="print a JSON list of objects")
    s.set_defaults(func=_runs)
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
