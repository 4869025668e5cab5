"""Plotly figures, one builder per chart kind. Views prepare the data (core.views.*) and keep what comes back."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.rewardspec import metric_role

DASH = {"sampled": "solid", "greedy": "dot"}


def curves(df: pd.DataFrame, metric_names: list[str] | None = None) -> go.Figure:
    """Metrics over steps: one line per (line, metric, phase, decoding); greedy dotted; circular metrics marked.
    Rows with `lo`/`hi` get their 95% interval: error bars on a run's eval points, a shaded band across the seeds
    of a folded group (`seeds` > 1); a group of one is labelled "single seed".

    Each point carries (runs, step, phase, decoding) as customdata so a click can open those completions.
    """
    fig = go.Figure()
    if metric_names is not None:
        df = df[df["name"].isin(metric_names)]
    for (line_name, name, phase, decoding), line in df.groupby(["line", "name", "phase", "decoding"], sort=False):
        line = line.sort_values("step")
        role = metric_role(name, line["reward_spec"].iloc[0])
        tag = "" if role in ("independent", "other") else f" [{role}]"
        seeds = int(line["seeds"].max()) if "seeds" in line else 1
        label = f"{line_name} · {name}{tag} · {decoding}" + (" · final" if phase == "final" else "")
        has_ci = "lo" in line and line["lo"].notna().any()
        if has_ci and seeds > 1:
            fig.add_trace(go.Scatter(
                x=line["step"].tolist() + line["step"].tolist()[::-1], y=line["hi"].tolist() + line["lo"].tolist()[::-1],
                fill="toself", opacity=0.2, line={"width": 0}, hoverinfo="skip", showlegend=False,
                name=f"{label} · 95% CI across {seeds} seeds"))
        bars = {"type": "data", "symmetric": False, "array": (line["hi"] - line["value"]).tolist(),
                "arrayminus": (line["value"] - line["lo"]).tolist(), "thickness": 1, "width": 3} \
            if has_ci and seeds == 1 else None
        fig.add_trace(go.Scatter(
            x=line["step"].tolist(), y=line["value"].tolist(),
            name=label + (" · single seed" if "seeds" in line and line_name != line["runs"].iloc[0] and seeds == 1
                          else f" · mean of {seeds} seeds" if seeds > 1 else ""),
            mode="lines+markers" if len(line) > 1 else "markers", error_y=bars,
            line={"dash": DASH.get(decoding, "dash"), "width": 3 if role == "reward" else 2},
            marker={"symbol": "diamond" if decoding == "greedy" else "circle",
                    "size": 9 if decoding == "greedy" or len(line) == 1 else 6},
            customdata=[[runs, int(s), phase, decoding] for runs, s in zip(line["runs"], line["step"])],
            hovertemplate="%{fullData.name}<br>step %{x}: %{y:.3f}<extra></extra>"))
    rates = df["value"].between(0, 1).all()  # rates share a fixed 0–1 axis; losses and lengths do not
    fig.update_layout(xaxis_title="step", yaxis_title="value", yaxis_range=[-0.02, 1.02] if rates else None,
                      height=480, legend={"orientation": "h", "y": -0.2}, margin={"t": 30})
    return fig
