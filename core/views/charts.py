"""Plotly figures, one builder per chart kind. Views prepare the data (yardstick.views.*) and keep what comes back.

Colours are the runs' own (a stable hash of the run or group name into one palette), so a run has the same colour
on every panel and every page; line style is the decoding. Names from files are escaped for plotly's HTML subset.
Figures use an explicit template, so an exported report draws them exactly as the page did.
"""
from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from yardstick.guard import escape
from yardstick.instruments.rewardspec import metric_role

DASH = {"sampled": "solid", "greedy": "dot"}
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173", "#e7969c", "#3182bd", "#31a354", "#756bb1",
           "#fd8d3c", "#636363")
TEMPLATE = "plotly_white"


text = escape.plotly  # names and messages from files reach plotly's HTML subset escaped: `<a href=…>` stays text


def colours(lines: list[str]) -> dict[str, str]:
    """A colour per line: a stable hash picks its palette slot, the next free slot if another line has it."""
    taken: dict[str, str] = {}
    for line in sorted(set(lines), key=lambda s: (_slot(s), s)):
        slot = _slot(line)
        for k in range(len(PALETTE)):
            colour = PALETTE[(slot + k) % len(PALETTE)]
            if colour not in taken.values() or len(taken) >= len(PALETTE):
                taken[line] = colour
                break
    return taken


def _slot(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=2).digest(), "little") % len(PALETTE)


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """Exponential moving average with TensorBoard's debiasing (weight 0: the raw values). A missing value (NaN) stays
    missing and does not wipe out the rest of the series."""
    if weight <= 0 or len(values) == 0:
        return values
    out, last, count = [], 0.0, 0
    for v in values:
        if not np.isfinite(v):
            out.append(np.nan)
            continue
        count += 1
        last = last * weight + (1 - weight) * v
        out.append(last / (1 - weight**count))
    return np.array(out)


def panels(df: pd.DataFrame, metrics: list[str], smoothing: float = 0.0,
           markers: list[tuple[str, str, int, float, str]] | None = None) -> go.Figure:
    """Small multiples: one panel per metric, shared x; a line per (run or group, phase, decoding).

    Training series are smoothed with an EMA (raw points kept faint); eval and final points carry their 95%
    interval — error bars for a run, a band across the seeds of a folded group. `markers` are flags:
    (metric, line, step, value, message), drawn as a ▼ on their panel. Every point's customdata is (runs, step,
    phase, decoding), so a click opens those completions. A legend click isolates a run.
    """
    metrics = [m for m in metrics if m in set(df["name"])] or sorted(df["name"].unique())[:1]
    cols = 1 if len(metrics) <= 2 else 2
    rows = math.ceil(len(metrics) / cols)
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, vertical_spacing=0.12 / max(rows, 1) + 0.04,
                        subplot_titles=[text(m) for m in metrics])
    palette = colours(df["line"].tolist())
    legend_done: set[str] = set()
    for index, metric in enumerate(metrics):
        row, col = index // cols + 1, index % cols + 1
        for (line_name, phase, decoding), line in df[df["name"] == metric].groupby(["line", "phase", "decoding"],
                                                                                     sort=True):
            _trace(fig, line.sort_values("step"), metric, str(line_name), phase, decoding, palette[line_name],
                   smoothing, row, col, legend_done)
        if df[df["name"] == metric]["value"].between(0, 1).all():
            fig.update_yaxes(range=[-0.03, 1.03], row=row, col=col)
    for metric, line_name, step, value, message in markers or []:
        if metric in metrics:
            index = metrics.index(metric)
            fig.add_trace(go.Scatter(x=[step], y=[value], mode="markers", showlegend=False, name="flag",
                                     marker={"symbol": "triangle-down", "size": 14, "color": "#b00020"},
                                     hovertemplate=text(message) + "<extra>flag</extra>"),
                          row=index // cols + 1, col=index % cols + 1)
    fig.update_layout(template=TEMPLATE, height=300 * rows + 80, margin={"t": 40, "l": 40, "r": 10, "b": 40},
                      legend={"orientation": "h", "y": -0.08 if rows > 1 else -0.2, "itemclick": "toggleothers",
                              "itemdoubleclick": "toggle"}, hovermode="closest")
    fig.update_xaxes(title_text="step", row=rows)
    return fig


def _trace(fig: go.Figure, line: pd.DataFrame, metric: str, line_name: str, phase: str, decoding: str,
           colour: str, smoothing: float, row: int, col: int, legend_done: set[str]) -> None:
    role = metric_role(metric, line["reward_spec"].iloc[0])
    seeds = int(line["seeds"].max()) if "seeds" in line else 1
    x, y = line["step"].astype(int).tolist(), line["value"].to_numpy(dtype=float)
    label = text(f"{line_name} · {decoding}" + (" · final" if phase == "final" else "")
                 + (f" · mean of {seeds} seeds" if seeds > 1 else ""))
    hover = text(f"{line_name} · {metric} ({role}) · {phase}/{decoding}") + "<br>step %{x}: %{y:.3f}<extra></extra>"
    custom = [[runs, int(s), phase, decoding] for runs, s in zip(line["runs"], line["step"])]
    has_ci = "lo" in line and line["lo"].notna().any()
    smooth = phase == "train" and smoothing > 0 and len(y) > 2
    if has_ci and seeds > 1:  # a smoothed line gets a band smoothed alike (raw per-step t bands are mostly noise)
        hi, lo = (line[k].to_numpy(dtype=float) for k in ("hi", "lo"))
        hi, lo = (ema(hi, smoothing), ema(lo, smoothing)) if smooth else (hi, lo)
        fig.add_trace(go.Scatter(x=x + x[::-1], y=hi.tolist() + lo.tolist()[::-1],
                                 fill="toself", fillcolor=colour, opacity=0.15, line={"width": 0}, hoverinfo="skip",
                                 showlegend=False, legendgroup=line_name,
                                 name=text(f"{line_name} · 95% CI across {seeds} seeds"
                                           + (" (per step, smoothed)" if smooth else "")),
                                 meta={"line": line_name, "metric": metric, "band": seeds}), row=row, col=col)
    if smooth:  # the raw points stay, faint, behind the smoothed line
        fig.add_trace(go.Scatter(x=x, y=y.tolist(), mode="lines", line={"color": colour, "width": 1}, opacity=0.25,
                                 showlegend=False, legendgroup=line_name, hoverinfo="skip", name=label),
                      row=row, col=col)
    bars = {"type": "data", "symmetric": False, "array": (line["hi"] - line["value"]).tolist(),
            "arrayminus": (line["value"] - line["lo"]).tolist(), "thickness": 1, "width": 3, "color": colour} \
        if has_ci and seeds == 1 else None
    show = line_name not in legend_done
    legend_done.add(line_name)
    fig.add_trace(go.Scatter(
        x=x, y=(ema(y, smoothing) if smooth else y).tolist(), name=text(line_name) if show else label, legendgroup=line_name,
        showlegend=show, mode="markers" if phase == "final" or len(x) == 1 else "lines+markers", error_y=bars,
        line={"color": colour, "dash": DASH.get(decoding, "dash"), "width": 3 if role == "reward" else 2},
        marker={"color": colour, "symbol": "diamond" if decoding == "greedy" or phase == "final" else "circle",
                "size": 10 if phase == "final" else 6 if phase == "eval" else 3},
        customdata=custom, hovertemplate=hover,
        meta={"line": line_name, "metric": metric, "phase": phase, "decoding": decoding, "seeds": seeds}),
        row=row, col=col)
