"""The `yardstick` command: the scriptable face of what the pages do (score, import, audit)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from yardstick.errors import BadInput, YardstickError


def _score(args: argparse.Namespace) -> int:
    from yardstick.instruments import score
    from yardstick.instruments.isolation import kept_workers

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
    import signal
    import threading

    from yardstick.importers import import_path
    from yardstick.importers.embedded import open_store

    store = open_store(embedded=False)
    if not args.watch:
        for path in args.paths:
            kind, result = import_path(store, path, data=args.data)
            print(f"{path}: {kind}: {result}")
        return 0
    print(f"watching {', '.join(map(str, args.paths))} every {args.every:g} s; Ctrl-C stops", flush=True)
    stop = threading.Event()

    def interrupted(*_: object) -> None:
        """Ctrl-C lets the import under way finish (its threads and workers with it); a second one aborts."""
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("stopping after this round (Ctrl-C again aborts it)", file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        while not stop.is_set():
            for path in args.paths:
                try:
                    kind, result = import_path(store, path, data=args.data)
                except YardstickError as exc:  # e.g. a file caught mid-copy: the next round reads it whole
                    print(f"{path}: {exc.title}: {exc.message}", file=sys.stderr, flush=True)
                    continue
                if any(vars(result).values()):
                    print(f"{path}: {kind}: {result}", flush=True)
            stop.wait(args.every)
    finally:
        signal.signal(signal.SIGINT, previous)
    print("stopped", flush=True)
    return 0


def _runs(args: argparse.Namespace) -> int:
    import pandas as pd

    from yardstick.importers.embedded import open_store
    from yardstick.store import queries

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

    from yardstick.analysis import audit
    from yardstick.importers.embedded import open_read_only
    from yardstick.store import reviews

    store = open_read_only()  # a read-only command never writes: no import, no instrument sync
    pairs = reviews.audit_pairs(store, args.reference, args.run or None, args.labeller)
    if pairs.empty:
        who = f" by {args.labeller}" if args.labeller and args.reference == "hand" else ""
        raise BadInput("Nothing to audit", f"No completion has a {args.reference!r} verdict{who} yet.")
    table = audit.table(pairs, bootstrap=args.bootstrap, answers=args.reference != "is_correct")
    if args.json:
        print(json.dumps(json.loads(table.to_json(orient="records"))))
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
            who = f" ({args.labeller})" if args.labeller else " (each completion's first labeller)" \
                if args.reference == "hand" else ""
            print(f"reference: {args.reference}{who}  completions: {pairs['completion_id'].nunique()}")
            print(table.to_string(index=False))
    return 0


def _flags(args: argparse.Namespace) -> int:
    from yardstick.analysis.flags import store_flags
    from yardstick.importers.embedded import open_read_only

    found = store_flags(open_read_only(), args.run or None)
    if args.json:
        print(json.dumps([f.as_dict() for f in found]))
    else:
        for f in found:
            print(f"[{f.kind}] {f.message}")
        print(f"{len(found)} flag(s).")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    """Queue the final evaluation, run it here (claimed, so no app starts it too), ingest it, print the table."""
    import pandas as pd

    from yardstick import home
    from yardstick.analysis import final
    from yardstick.importers import import_path
    from yardstick.importers.embedded import open_store
    from yardstick.jobs import queue
    from yardstick.jobs.scheduler import claim_and_run
    from yardstick.record.folder import RunFolder
    from yardstick.record.kinds import Evaluation
    from yardstick.views import final as final_view

    job = queue.submit_evaluation(args.runs, base=args.base, samples=args.samples)
    folder = RunFolder(home.runs_dir() / job)
    print(f"evaluating: job {job}", file=sys.stderr, flush=True)
    if claim_and_run(folder) != 0:
        raise BadInput("Evaluation failed", str(folder.status().get("error")))
    store = open_store()
    targets = [t.run_dir for t in Evaluation.from_dict(folder.config()).targets]
    for path in targets:
        import_path(store, path)
    long, flips = final_view.numbers(store, [Path(t).name for t in targets])
    if args.json:
        print(json.dumps({"table": json.loads(long.to_json(orient="records")),
                          "orders": json.loads(final.orders(long).to_json(orient="records")),
                          "flips": json.loads(flips.to_json(orient="records"))}))
    else:
        with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 40):
            print(final.wide(long).to_string(index=False))
            print("\nranking flips:" if len(flips) else "\nno ranking flips")
            if len(flips):
                print(flips.to_string(index=False))
    return 0


def _view(args: argparse.Namespace) -> int:
    """Any page's numbers as the page shows them: its View (blocks with sources) built from URL parameters."""
    from yardstick import views
    from yardstick.importers.embedded import open_read_only
    from yardstick.share import text

    params: dict[str, list[str]] = {}
    for pair in args.params:
        key, sep, value = pair.partition("=")
        if not sep:
            raise BadInput("Bad parameter", f"{pair!r} is not key=value (as in the page's URL, e.g. run=study-lenient).")
        params.setdefault(key, []).append(value)
    view = views.build(open_read_only(), args.page, params)
    if args.json:
        print(json.dumps(view.snapshot(), default=str))
        return 0
    print(text.view(view))
    return 0


def _replicate(args: argparse.Namespace) -> int:
    """Queue the study's experiments × seeds and the final evaluation, wait for them (this process's scheduler runs
    them, or the app's if it is up), then print the claims table and write the report."""
    import time

    from yardstick import views
    from yardstick.errors import StoreBusy
    from yardstick.jobs import replicate, scheduler
    from yardstick.jobs.sync import sync
    from yardstick.record.config import slug
    from yardstick.share import html

    overrides = {}
    for pair in args.set or []:
        key, _, value = pair.partition("=")
        try:
            overrides[key] = json.loads(value)
        except ValueError:
            overrides[key] = value
    name = args.out or f"replicate-{slug(args.model)}-{args.steps}-steps-{args.seeds}-seeds"
    plan = replicate.start(replicate.Plan(name, tuple(range(1, args.seeds + 1)), args.model, args.data, args.steps,
                                          overrides, args.samples))
    est = replicate.estimate_seconds(plan)
    print(f"replication {plan.name}: {est['runs']} runs + final evaluation; expect about {est['total_s'] / 60:.0f} "
          f"min ({est['seconds_per_step']:.2f} s/step {'measured here' if est['measured'] else 'assumed'})",
          file=sys.stderr, flush=True)
    started, said = time.time(), ""
    scheduler.ensure()
    while True:
        progress = replicate.advance(plan)
        done = sum(r["state"] == "finished" for r in progress.runs)
        line = f"{done}/{len(progress.runs)} runs finished" + (
            f"; final evaluation {progress.evaluation['state']} ({progress.evaluation['step']}/"
            f"{progress.evaluation['total']})" if progress.evaluation else "")
        if line != said:
            print(f"[{time.time() - started:6.0f} s] {line}", file=sys.stderr, flush=True)
            said = line
        if progress.done:
            break
        time.sleep(2)
    for problem in progress.failed:
        print(f"warning: {problem}", file=sys.stderr)
    try:
        store = _read_store()
    except StoreBusy:
        print("The app holds the store: the claims table is on its Launch page (Replicate).", file=sys.stderr)
        return 0
    sync(store)
    view = views.build(store, "replication", {"replication": [plan.name]})
    path = replicate.manifest(plan.name).with_suffix(".html")
    path.write_text(html.view_document(view, f"Replication: {plan.name}"))
    claims = view.get("claims").frame
    if args.json:
        print(json.dumps(json.loads(claims.to_json(orient="records"))))
    else:
        for row in claims.to_dict("records"):
            print(f"[{row['verdict']}] {row['claim']}\n    study: {row['study']}\n    ours:  "
                  f"{row['ours (pooled, 95% CI)']}\n    per seed: {row['per seed']} · n: {row['n']}")
    print(f"wall time {time.time() - started:.0f} s; report: {path}", file=sys.stderr)
    return 0


def _read_store():
    """The store, with the embedded default imported on first use."""
    from yardstick.importers.embedded import open_store

    return open_store()


def _train(args: argparse.Namespace) -> int:
    from yardstick import home
    from yardstick.jobs import queue
    from yardstick.jobs.scheduler import claim_and_run
    from yardstick.record.config import RunConfig
    from yardstick.record.folder import RunFolder

    config = RunConfig.load(args.config).to_dict()  # a bad config stops here: nothing is created
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else None
    status = 0
    for run_id in queue.submit(config, seeds):
        print(f"training {run_id} (run folder {home.runs_dir() / run_id})", flush=True)
        status = max(status, claim_and_run(RunFolder(home.runs_dir() / run_id)))
    return status


def _pocket(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from yardstick.train.pocket.build import build
    from yardstick.train.setup import POCKETS, pocket_path

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
    from yardstick.store.schema import REFERENCES
    from yardstick.train.pocket.specs import POCKETS
    from yardstick.views import PAGES

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
    s.add_argument("--reference", choices=REFERENCES, required=True)
    s.add_argument("--run", action="append", help="limit to this run (repeatable)")
    s.add_argument("--labeller", help="with --reference hand: this person's labels (default: each completion's "
                   "first labeller, e.g. the study author for the study's completions)")
    s.add_argument("--bootstrap", type=int, default=0, help="bootstrap resamples for 95%% intervals")
    s.add_argument("--json", action="store_true", help="print a JSON list of objects")
    s.set_defaults(func=_audit)
    s = sub.add_parser("flags", help="what to look at: runs whose reward rose while an independent metric fell, "
                       "saturation, proxy gains (with their intervals)")
    s.add_argument("--run", action="append", help="limit to this run (repeatable)")
    s.add_argument("--json", action="store_true", help="print a JSON list of objects")
    s.set_defaults(func=_flags)
    s = sub.add_parser("evaluate", help="final evaluation of runs' final checkpoints (and the base model): greedy and "
                       "sampled, every instrument, ranking flips")
    s.add_argument("runs", nargs="+", help="run ids (their run folders hold the final checkpoint)")
    s.add_argument("--base", action="store_true", help="also evaluate the base model the runs started from")
    s.add_argument("--samples", type=int, default=4, help="sampled completions per problem (default 4)")
    s.add_argument("--json", action="store_true", help="print the table, orders and flips as JSON")
    s.set_defaults(func=_evaluate)
    s = sub.add_parser("view", help="a page's numbers (tables, numbers with n and intervals, sources) as text or JSON")
    s.add_argument("page", choices=PAGES)
    s.add_argument("params", nargs="*", help="the page's URL parameters as key=value, e.g. run=study-format-only")
    s.add_argument("--json", action="store_true", help="print the View's snapshot as JSON")
    s.set_defaults(func=_view)
    s = sub.add_parser("replicate", help="re-run the study's experiments with several seeds, evaluate them, and "
                       "print the claims table (held / reversed / not resolved at this n)")
    s.add_argument("--seeds", type=int, default=3)
    s.add_argument("--model", default="pocket", help="pocket, pocket-mini, a hub id or a local folder")
    s.add_argument("--data", default="pocket", help="pocket, a GSM8K-style JSONL, or a hub id")
    s.add_argument("--steps", type=int, default=100)
    s.add_argument("--samples", type=int, default=4, help="sampled completions per problem in the final evaluation")
    s.add_argument("--out", help="the replication's name (default: from the settings; the same name resumes it)")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="any other run setting, e.g. n_eval=20")
    s.add_argument("--json", action="store_true", help="print the claims table as JSON")
    s.set_defaults(func=_replicate)
    s = sub.add_parser("train", help="train one GRPO run (per seed) from a run config JSON, in this process")
    s.add_argument("config", type=Path)
    s.add_argument("--seeds", help="comma-separated seeds: one run each, as a seed group")
    s.set_defaults(func=_train)
    s = sub.add_parser("pocket", help="the pocket lab's model")
    pocket = s.add_subparsers(dest="action", required=True)
    b = pocket.add_parser("build", help="build (SFT-train) the pocket model; deterministic for its spec")
    b.add_argument("--name", choices=list(POCKETS), default="pocket")
    b.add_argument("--out", type=Path, help="folder to save to (default: $YARDSTICK_POCKET_DIR/NAME, else $YARDSTICK_HOME/pocket/NAME)")
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
