"""Curves: the reward against independent metrics over steps, several runs overlaid, flags beside them.

Eval and final accuracies carry their n (problems) and a 95% Wilson interval; a folded seed group is the mean over
seeds with a 95% t interval across seeds (n = seeds; a single seed says so). A metric of the reward's own instrument
family is marked [circular]. Each point knows the runs, step, phase and decoding it was measured on, so a click
opens exactly those completions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yardstick.analysis import stats
from yardstick.analysis.flags import group_headline, grouped, store_flags
from yardstick.instruments.rewardspec import metric_role
from yardstick.store import queries
from yardstick.views import charts, link, source
from yardstick.views.blocks import Chart, Links, Note, Table, View
from yardstick.views.state import State as Base, url

KEYS = ["line", "name", "phase", "decoding", "step"]


@dataclass(frozen=True)
class State(Base):
    runs: tuple[str, ...] = url("run", ())
    metrics: tuple[str, ...] = url("metric", ())
    fold: bool = url("fold", True)
    smooth: float = url("smooth", 0.6)  # EMA weight for training series (0: raw)


def options(store: Any) -> list[str]:
    """Runs that have something to draw."""
    return queries.metric_runs(store)


def default_metrics(names: list[str], spec: str | None) -> list[str]:
    """What to open with: the reward, its circular twin (the reward's own instrument on held-out problems), and two
    independent metrics — three or four panels, not twenty lines."""
    roles = {n: metric_role(n, spec) for n in names if not n.startswith("train/")}
    chosen = [n for n in names if n == "reward"]
    chosen += [n for n in names if roles.get(n) == "circular"][:1]
    independent = [n for n in names if roles.get(n) == "independent"]
    order = {n: i for i, n in enumerate(["last_number", "study_last_number", "lenient", "study_lenient", "format",
                                         "study_format", "judge", "math_verify", "strict_tag", "study_strict_tag"])}
    chosen += sorted(independent, key=lambda n: order.get(n, 99))[:2]
    return chosen or names[:4]


def with_intervals(data: pd.DataFrame) -> pd.DataFrame:
    """One line per run, eval/final accuracies with their Wilson interval (n = problems, or the n a source stated)."""
    accuracy = data["phase"].isin(["eval", "final"]) & data["value"].between(0, 1) & data["n"].notna()
    lo, hi = stats.wilson_arrays(data["value"].to_numpy(), data["n"].where(accuracy).to_numpy(dtype=float))
    return data.assign(line=data["run_id"], runs=data["run_id"], seeds=1, lo=lo, hi=hi,
                       interval=np.where(accuracy, "Wilson", ""))


def fold_seeds(data: pd.DataFrame) -> pd.DataFrame:
    """Runs of one seed group folded into one line: the mean over seeds with a 95% t interval across them; `runs`
    keeps the group's run ids, so a click on the folded line opens those runs. A group of one keeps its run's
    interval and says "single seed"."""
    lines = with_intervals(data)
    group = lines["seed_group"].where(lines["seed_group"].notna() & (lines["seed_group"] != ""), lines["run_id"])
    lines = lines.assign(line=group)
    members = lines.groupby("line")["run_id"].agg(lambda r: ",".join(sorted(set(r))))
    rows = []
    for key, part in lines.groupby(KEYS, sort=False):
        est = stats.mean_t(part["value"].to_numpy())
        if metric_role(key[1], part["reward_spec"].iloc[0]) != "other":  # a rate: its interval stays in [0, 1]
            est = stats.Estimate(est.value, max(est.lo, 0.0), min(est.hi, 1.0), est.n, est.method)
        single = len(part) == 1
        rows.append({**dict(zip(KEYS, key)), "value": est.value, "seeds": len(part),
                     "lo": part["lo"].iloc[0] if single else est.lo, "hi": part["hi"].iloc[0] if single else est.hi,
                     "n": part["n"].iloc[0] if single else len(part), "interval": part["interval"].iloc[0]
                     if single else est.method, "reward_spec": part["reward_spec"].iloc[0]})
    out = pd.DataFrame(rows)
    return out.assign(runs=out["line"].map(members))


def build(store: Any, state: State) -> View:
    revision = store.revision()
    runs = [r for r in state.runs if r in set(options(store))]
    view = View("curves", "Curves", state.to_params(), revision)
    waiting = [r for r in state.runs if r not in runs]
    if waiting:
        view.blocks.append(Note("waiting", tone="info", text=f"No metrics yet for {', '.join(waiting)}: queued or "
                                "starting runs fill in here as they train."))
    if not runs:
        return view
    data = queries.metrics(store, runs)
    found = store_flags(store, runs)
    if found:
        items = flag_links(found)
        lines = f" on {len(items)} lines" if len(items) < len(found) else ""
        view.blocks.append(Links("flags", icon="📉", title=f"Flags ({len(found)}{lines}), strongest first",
                                 source=source(store, "flags over these runs' metrics", runs), items=items))
    grouped = bool((data["seed_group"].notna() & (data["seed_group"] != "")).any())
    data = fold_seeds(data) if grouped and state.fold else with_intervals(data)
    names = sorted(data["name"].unique())
    shown = [m for m in state.metrics if m in names] or default_metrics(names, data["reward_spec"].dropna().iloc[0]
                                                                         if data["reward_spec"].notna().any() else None)
    src = source(store, "logged metrics, and each instrument's accuracy per (run, step, phase, decoding) from its "
                        "readings; intervals: Wilson over problems, or t across seeds", runs)
    figure = charts.panels(data, shown, max(0.0, min(state.smooth, 0.99)), _markers(found, data))
    view.blocks.append(Chart("curves", figure=figure.to_plotly_json(), source=src))
    view.blocks.append(Table("ends", frame=_ends(data[data["name"].isin(shown)]), title="Start → end",
                             columns={k: ("number", "%.3f") for k in ("start", "end", "change")}, source=src,
                             caption="role: `reward` is what training maximised; `circular` metrics share an "
                                     "instrument family with the reward, so they rise by construction; "
                                     "`independent` metrics are the ones to believe. Intervals are 95%."))
    view.options.update(metrics=names, shown=shown, grouped=grouped)
    return view


def _markers(found: list, data: pd.DataFrame) -> list[tuple[str, str, int, float, str]]:
    """Each flag as a marker at its metric's last eval point, on the line it is about (a run, or its group)."""
    out = []
    for f in found:
        line = data[(data["name"] == f.metric) & (data["decoding"] == f.decoding) & (data["phase"] == "eval")
                    & data["line"].isin([f.unit, *f.runs])]
        if len(line):
            last = line.sort_values("step").iloc[-1]
            out.append((f.metric, last["line"], int(last["step"]), float(last["value"]), f.message))
    return out


def _ends(data: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (line_name, name, phase, decoding), line in data.groupby(["line", "name", "phase", "decoding"]):
        line = line.sort_values("step")
        first, last = line.iloc[0], line.iloc[-1]
        rows.append({"run": line_name, "metric": name, "phase": phase, "decoding": decoding,
                     "role": metric_role(name, first["reward_spec"]), "start": first["value"],
                     "start 95% CI": _ci(first), "end": last["value"], "end 95% CI": _ci(last),
                     "change": last["value"] - first["value"], "n": _n(last),
                     "steps": f"{int(first['step'])}→{int(last['step'])}"})
    return pd.DataFrame(rows)


def _ci(row: pd.Series) -> str:
    return "" if pd.isna(row["lo"]) else f"{row['lo']:.3f}–{row['hi']:.3f}"


def _n(row: pd.Series) -> str:
    if pd.isna(row["n"]):
        return ""
    return f"{int(row['seeds'])} seeds" if row["seeds"] > 1 else f"{int(row['n'])} problems"


def flag_links(found: list) -> list[tuple[str, str, dict[str, list[str]], str]]:
    """Flags (analysis/flags.py) as Links items, a group a line: each opens Curves on its runs, the reward and the
    metrics it is about; the hover holds every flag's rule, numbers and interval."""
    return [(group_headline(g), *link(State(runs=tuple(g[0].runs), metrics=tuple(dict.fromkeys(
        ["reward"] + [f.metric for f in g])))), "\n\n".join(f.message for f in g)) for g in grouped(found)]
