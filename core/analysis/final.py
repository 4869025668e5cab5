"""The final evaluation's numbers: each model's accuracy under every (instrument, decoding) with its interval (the
study's Tables 3 and 6 as one table), and the ranking flips — pairs of runs whose order changes between greedy and
sampled decoding, or between an instrument and the judge — each with the paired interval of both differences, so a
flip is called significant only when both differences are clear of zero."""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from yardstick.analysis import stats


def units(runs: pd.DataFrame) -> dict[str, str]:
    """Run → the unit it is reported under: its seed group (an experiment), else itself."""
    group = runs["seed_group"].where(runs["seed_group"].notna() & (runs["seed_group"] != ""), runs["run_id"])
    return dict(zip(runs["run_id"], group))


def _matrix(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.pivot_table(index="run_id", columns="problem_id", values="value")


def table(rows: pd.DataFrame, unit_of: dict[str, str], summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (unit, instrument, decoding): accuracy, 95% interval, n problems, seeds, how. `summary` holds
    final numbers known only as summaries (the imported study: run_id, name, decoding, value, n) for units
    without per-problem rows; their interval comes from the stated n."""
    out = []
    for r in _summary_only(rows, summary, unit_of).itertuples():
        est = stats.proportion(float(r.value), int(r.n))
        out.append({"unit": unit_of.get(r.run_id, r.run_id), "instrument": r.name, "decoding": r.decoding,
                    "value": est.value, "lo": est.lo, "hi": est.hi, "n": est.n, "seeds": 1,
                    "interval": "Wilson, from the stated n"})
    for (unit, name, decoding), part in rows.assign(unit=rows["run_id"].map(unit_of)).groupby(
            ["unit", "name", "decoding"]):
        m = _matrix(part)
        if m.shape[0] > 1:
            est = stats.bootstrap_mean(m.to_numpy())
        else:
            est = stats.proportion(float(np.nanmean(m.to_numpy())), m.shape[1])
        out.append({"unit": unit, "instrument": name, "decoding": decoding, "value": est.value, "lo": est.lo,
                    "hi": est.hi, "n": est.n, "seeds": m.shape[0], "interval": est.method})
    return pd.DataFrame(out, columns=["unit", "instrument", "decoding", "value", "lo", "hi", "n", "seeds", "interval"])


def wide(long: pd.DataFrame) -> pd.DataFrame:
    """The table as the study printed it: a row per model, a column per (instrument, decoding)."""
    if long.empty:
        return long
    cells = long.assign(cell=[f"{v:.3f} [{lo:.2f}, {hi:.2f}]" for v, lo, hi in zip(long["value"], long["lo"],
                                                                                  long["hi"])],
                        column=long["instrument"] + " · " + long["decoding"])
    out = cells.pivot(index="unit", columns="column", values="cell").reset_index()
    n = long.groupby("unit").agg(problems=("n", "max"), seeds=("seeds", "max")).reset_index()
    return n.merge(out, on="unit")


def _summary_only(rows: pd.DataFrame, summary: pd.DataFrame | None, unit_of: dict[str, str]) -> pd.DataFrame:
    if summary is None or summary.empty:
        return pd.DataFrame(columns=["run_id", "name", "decoding", "value", "n"])
    return summary[~summary["run_id"].isin(set(rows["run_id"])) & summary["n"].notna()]


def _diff(rows: pd.DataFrame, summary: pd.DataFrame, a: str, b: str, name: str,
          decoding: str) -> stats.Estimate | None:
    """b − a: paired on the problems both were evaluated on (seeds averaged per problem first), or from the stated
    n where only summary numbers exist."""
    part = rows[(rows["name"] == name) & (rows["decoding"] == decoding)]
    va = part[part["unit"] == a].groupby("problem_id")["value"].mean()
    vb = part[part["unit"] == b].groupby("problem_id")["value"].mean()
    va, vb = va.align(vb, join="inner")
    if len(va) >= 2:
        return stats.paired(va.to_numpy(), vb.to_numpy())
    known = summary[(summary["name"] == name) & (summary["decoding"] == decoding)].set_index("unit")
    if a in known.index and b in known.index:
        return stats.newcombe(float(known.loc[a, "value"]), int(known.loc[a, "n"]), float(known.loc[b, "value"]),
                              int(known.loc[b, "n"]))
    return None


def flips(rows: pd.DataFrame, unit_of: dict[str, str], summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pairs of units whose order differs between two views of the same models: greedy vs sampled (per
    instrument), and each extractor vs the judge (per decoding)."""
    rows = rows.assign(unit=rows["run_id"].map(unit_of))
    summary = _summary_only(rows, summary, unit_of)
    summary = summary.assign(unit=summary["run_id"].map(lambda r: unit_of.get(r, r)))
    names = sorted(set(rows["name"]) | set(summary["name"]))
    comparisons = [((n, "greedy"), (n, "sampled")) for n in names]
    if "judge" in names:
        comparisons += [((n, d), ("judge", d)) for d in ("greedy", "sampled") for n in names if n != "judge"]
    out = []
    for (n1, d1), (n2, d2) in comparisons:
        for a, b in combinations(sorted(set(rows["unit"]) | set(summary["unit"])), 2):
            first, second = _diff(rows, summary, a, b, n1, d1), _diff(rows, summary, a, b, n2, d2)
            if first is None or second is None or np.sign(first.value) == np.sign(second.value) \
                    or 0 in (np.sign(first.value), np.sign(second.value)):
                continue
            out.append({"pair": f"{a} vs {b}", "first": f"{n1} · {d1}", "second": f"{n2} · {d2}",
                        "difference (first)": first.text(), "difference (second)": second.text(),
                        "flip": "significant" if first.excludes_zero and second.excludes_zero else "within noise",
                        "n": min(first.n, second.n)})
    return pd.DataFrame(out, columns=["pair", "first", "second", "difference (first)", "difference (second)", "flip",
                                      "n"])


def orders(long: pd.DataFrame) -> pd.DataFrame:
    """Each (instrument, decoding)'s ranking of the units, best first."""
    return pd.DataFrame([{"instrument": n, "decoding": d, "order": " > ".join(
        part.sort_values("value", ascending=False)["unit"])} for (n, d), part in long.groupby(["instrument", "decoding"])])
