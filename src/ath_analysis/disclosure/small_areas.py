"""Publication rules on the small-area table: no direct estimate from fewer than min_n respondents.

`direct_suppressed` (set where the table is built: n < min_n) blanks the area's direct estimate and its
interval. The model estimate is still given, as it leans on the covariates in proportion to how noisy the
direct estimate is.
"""

from __future__ import annotations

import pandas as pd

DIRECT_COLUMNS = ["direct", "direct_se", "direct_ci_low", "direct_ci_high"]


def disclose_small_area_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Blank the direct estimate of every row whose `direct_suppressed` is set."""
    hidden = table["direct_suppressed"].to_numpy(bool)
    for column in DIRECT_COLUMNS:
        table[column] = table[column].astype("float64").mask(hidden)
    return table
