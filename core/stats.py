"""Statistics in one place: intervals, bootstrap, paired comparisons. Views, flags, the audit, the final evaluation
and the report use these; no page computes a number."""
from __future__ import annotations

import pandas as pd


def endpoints(line: pd.DataFrame) -> tuple[tuple[int, float], tuple[int, float]]:
    """The first and last (step, value) of a metric line."""
    line = line.sort_values("step")
    return ((int(line["step"].iloc[0]), float(line["value"].iloc[0])),
            (int(line["step"].iloc[-1]), float(line["value"].iloc[-1])))
