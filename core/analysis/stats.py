"""Statistics in one place: intervals, bootstrap, paired comparisons. Views, flags, the audit, the final evaluation
and the report use these; no page computes a number.

Conventions: every interval is a two-sided 95% interval unless a caller asks for another level (flags correct for
the number of metrics they test); an accuracy measured on problems with several samples each is a mean of per-problem
means, and its n is the number of problems (samples of one problem are not independent evidence).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

BOOTSTRAP = 2000
SEED = 0


@dataclass(frozen=True)
class Estimate:
    """A number with its n and interval; `method` says how the interval was made."""

    value: float
    lo: float
    hi: float
    n: int
    method: str

    @property
    def excludes_zero(self) -> bool:
        return self.lo > 0 or self.hi < 0

    def text(self, fmt: str = "{:+.2f}") -> str:
        return f"{fmt.format(self.value)} [{fmt.format(self.lo)}, {fmt.format(self.hi)}]"


def z(level: float = 0.95) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def t_quantile(df: int, level: float = 0.95) -> float:
    """Student's t quantile: exact for 1 and 2 degrees of freedom, the Cornish-Fisher expansion beyond (within
    0.1% of the table for df ≥ 3)."""
    if df <= 0:
        return math.inf
    if df == 1:
        return math.tan(math.pi * level / 2)
    if df == 2:
        p = 0.5 + level / 2
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    x = z(level)
    g1 = (x**3 + x) / 4
    g2 = (5 * x**5 + 16 * x**3 + 3 * x) / 96
    g3 = (3 * x**7 + 19 * x**5 + 17 * x**3 - 15 * x) / 384
    g4 = (79 * x**9 + 776 * x**7 + 1482 * x**5 - 1920 * x**3 - 945 * x) / 92160
    return x + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def wilson(p: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion `p` observed on `n` items (p may be a mean of per-problem means)."""
    if n <= 0 or p != p:
        return (float("nan"), float("nan"))
    k = z(level)
    denom = 1 + k**2 / n
    centre = (p + k**2 / (2 * n)) / denom
    half = k * math.sqrt(max(p * (1 - p), 0.0) / n + k**2 / (4 * n**2)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_arrays(p: np.ndarray, n: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson intervals for many proportions at once (NaN where n is missing or zero)."""
    p, n = np.asarray(p, float), np.asarray(n, float)
    k = z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + k**2 / n
        centre = (p + k**2 / (2 * n)) / denom
        half = k * np.sqrt(np.clip(p * (1 - p), 0, None) / n + k**2 / (4 * n**2)) / denom
        ok = (n > 0) & ~np.isnan(p)
    return np.where(ok, np.clip(centre - half, 0, 1), np.nan), np.where(ok, np.clip(centre + half, 0, 1), np.nan)


def proportion(p: float, n: int, level: float = 0.95) -> Estimate:
    lo, hi = wilson(p, n, level)
    return Estimate(p, lo, hi, n, "Wilson")


def newcombe(p1: float, n1: int, p2: float, n2: int, level: float = 0.95) -> Estimate:
    """p2 − p1 for two proportions on separate samples (Newcombe's hybrid score interval). Used where only summary
    numbers exist; for the same problems measured twice it is conservative (it ignores the pairing)."""
    l1, u1 = wilson(p1, n1, level)
    l2, u2 = wilson(p2, n2, level)
    d = p2 - p1
    lo = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    hi = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Estimate(d, lo, hi, min(n1, n2), f"Newcombe, from the stated n = {min(n1, n2)}")


def mean_t(values: np.ndarray | list[float], level: float = 0.95) -> Estimate:
    """Mean with a t interval, e.g. across seeds (n = seeds; no interval for a single seed)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0, "t")
    m = float(x.mean())
    if n == 1:
        return Estimate(m, float("nan"), float("nan"), 1, "single seed")
    half = t_quantile(n - 1, level) * float(x.std(ddof=1)) / math.sqrt(n)
    return Estimate(m, m - half, m + half, n, f"t across {n} seeds")


def welch(a: np.ndarray | list[float], b: np.ndarray | list[float], level: float = 0.95) -> Estimate:
    """mean(b) − mean(a) for two independent samples (e.g. a reward's early vs late training steps)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = float(b.mean() - a.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return Estimate(d, d, d, min(len(a), len(b)), "Welch")
    df = (va + vb) ** 2 / ((va**2 / (len(a) - 1)) + (vb**2 / (len(b) - 1)))
    half = t_quantile(max(int(df), 1), level) * se
    return Estimate(d, d - half, d + half, min(len(a), len(b)), "Welch")


def paired(start: np.ndarray, end: np.ndarray, level: float = 0.95, seed: int = SEED,
           resamples: int = BOOTSTRAP) -> Estimate:
    """Mean of (end − start) over units measured twice: `start` and `end` are (seeds × problems) matrices of
    per-problem means (a 1-D array is one seed); see `bootstrap_mean`."""
    start, end = np.atleast_2d(np.asarray(start, float)), np.atleast_2d(np.asarray(end, float))
    est = bootstrap_mean(end - start, level, seed, resamples)
    return Estimate(est.value, est.lo, est.hi, est.n, "paired " + est.method)


def bootstrap_mean(values: np.ndarray, level: float = 0.95, seed: int = SEED, resamples: int = BOOTSTRAP) -> Estimate:
    """Mean of a (seeds × problems) matrix with a percentile bootstrap. With several seeds it resamples seeds, then
    problems (both are sources of noise); problems are shared by every seed of an experiment, so columns line up.
    With few seeds the bootstrap underestimates the seed-to-seed spread (3 seeds give 10 distinct resamples), so the
    interval is at least the t interval across the per-seed means (df = seeds − 1)."""
    values = np.atleast_2d(np.asarray(values, float))
    seeds, problems = values.shape
    value = float(np.nanmean(values))
    if problems < 2:
        return Estimate(value, float("nan"), float("nan"), problems, "bootstrap")
    rng = np.random.default_rng(seed)
    pick_seed = rng.integers(0, seeds, size=(resamples, seeds)) if seeds > 1 else np.zeros((resamples, 1), int)
    pick_problem = rng.integers(0, problems, size=(resamples, problems))
    means = np.nanmean(values[pick_seed[:, :, None], pick_problem[:, None, :]], axis=(1, 2))
    alpha = (1 - level) / 2
    lo, hi = np.nanquantile(means, [alpha, 1 - alpha])
    method = f"bootstrap over {problems} problems" + (f" and {seeds} seeds" if seeds > 1 else "")
    if seeds > 1:  # few seeds give few distinct resamples: never claim more than t across them
        across = mean_t(np.nanmean(values, axis=1), level)
        if across.lo < lo or across.hi > hi:
            lo, hi = min(lo, across.lo), max(hi, across.hi)
            method += f", widened to t across {seeds} seeds"
    return Estimate(value, float(lo), float(hi), problems, method)


def bootstrap_counts(cells: np.ndarray, statistic, resamples: int = 1000, seed: int = SEED,
                     level: float = 0.95) -> list[tuple[float, float]]:
    """Percentile intervals of `statistic(*summed_cells)` when items are resampled: `cells` is (k × items) of 0/1
    indicators (e.g. tp/fp/fn/tn per completion); `statistic` returns a tuple of arrays over resamples."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, cells.shape[1], size=(resamples, cells.shape[1]))
    sums = cells[:, idx].sum(axis=2)
    alpha = (1 - level) / 2
    out = []
    for values in statistic(*sums):
        if np.isnan(values).all():  # undefined in every resample (e.g. precision with no positive call)
            out.append((float("nan"), float("nan")))
            continue
        lo, hi = np.nanpercentile(values, [100 * alpha, 100 * (1 - alpha)])
        out.append((float(lo), float(hi)))
    return out


def kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's κ of two raters' boolean verdicts on the same items."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    if len(a) == 0:
        return float("nan")
    observed = float((a == b).mean())
    pa, pb = a.mean(), b.mean()
    chance = pa * pb + (1 - pa) * (1 - pb)
    return (observed - chance) / (1 - chance) if chance < 1 else float("nan")
