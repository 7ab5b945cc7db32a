"""What colour an area gets on a map: better, no clear difference or worse than the comparison area, or hidden.

The verdict is the published differences table's (`reports/tables/differences.parquet`): `differs` says whether
the CI of the difference excludes zero, the sign of `difference` (area − reference) says which way, and the
indicator's `higher_is_better` turns that into better or worse. Small areas have no rows there (their values
may be model estimates): for them the area's CI against the comparison value is the rule, and the map says so.
An area whose estimate is suppressed is hidden whatever the differences table says.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

BETTER, SAME, WORSE, HIDDEN, NO_COMPARISON = "better", "same", "worse", "hidden", "no_comparison"
VERDICTS = (BETTER, SAME, WORSE, HIDDEN, NO_COMPARISON)
AREA_COLUMNS = ["code", "label", "estimate", "verdict"]


def _flag(values: pd.Series) -> pd.Series:
    return values.astype("boolean").fillna(True).astype(bool) if values.dtype != bool else values


def difference_verdicts(differences: pd.DataFrame, indicator: str, wave: str, domain: str, higher_is_better: bool,
                        reference: str = "region", standardized: bool | None = None) -> pd.Series:
    """domain_value → verdict of one indicator's cells of a domain set against `reference` (region, country,
    published) in one wave. standardized: which rows (None: the age-standardized ones where the set has them)."""
    rows = differences[(differences["indicator"] == indicator) & (differences["wave"] == wave)
                       & (differences["domain"] == domain) & (differences["reference"] == reference)]
    if standardized is None:
        standardized = bool(rows["standardized"].any()) if len(rows) else False
    rows = rows[rows["standardized"].astype(bool) == standardized]
    if rows.empty:
        return pd.Series(dtype="string", name="verdict")
    differs = rows["differs"].astype("boolean")
    hidden = _flag(rows["suppressed"]).to_numpy() | differs.isna().to_numpy()
    up = (rows["difference"].to_numpy(float) > 0) == bool(higher_is_better)
    verdict = np.select([hidden, ~differs.fillna(False).to_numpy(bool), up], [HIDDEN, SAME, BETTER], WORSE)
    return pd.Series(verdict, index=rows["domain_value"].astype(str).to_numpy(), name="verdict", dtype="string")


def interval_verdicts(estimate: pd.Series, ci_low: pd.Series, ci_high: pd.Series, reference_value: float,
                      higher_is_better: bool, hidden: pd.Series | None = None) -> pd.Series:
    """Verdicts by the area's own CI against a comparison value (small areas): clear when the CI excludes it."""
    low, high = ci_low.to_numpy(float), ci_high.to_numpy(float)
    gone = ~np.isfinite(estimate.to_numpy(float)) | ~np.isfinite(low) | ~np.isfinite(high)
    if hidden is not None:
        gone |= hidden.fillna(True).astype(bool).to_numpy()
    if not np.isfinite(reference_value):
        return pd.Series(np.where(gone, HIDDEN, NO_COMPARISON), index=estimate.index, dtype="string")
    above, below = low > reference_value, high < reference_value
    better = above if higher_is_better else below
    worse = below if higher_is_better else above
    verdict = np.select([gone, better, worse], [HIDDEN, BETTER, WORSE], SAME)
    return pd.Series(verdict, index=estimate.index, name="verdict", dtype="string")


def map_areas(rows: pd.DataFrame, verdicts: pd.Series | Mapping[str, str], labels: Mapping[str, str] | None = None
              ) -> pd.DataFrame:
    """The frame a map draws (code, label, estimate, verdict) from published estimate rows (domain_value,
    estimate, suppressed) and their verdicts: suppressed or missing estimates are hidden, a shown one without a
    verdict has no comparison."""
    verdicts = pd.Series(verdicts, dtype="string") if not isinstance(verdicts, pd.Series) else verdicts
    codes = rows["domain_value"].astype(str)
    estimate = pd.to_numeric(rows["estimate"], errors="coerce").astype(float)
    hidden = _flag(rows["suppressed"]).to_numpy() | ~np.isfinite(estimate.to_numpy())
    verdict = codes.map(verdicts).astype("string").fillna(NO_COMPARISON)
    verdict = verdict.where(verdict != HIDDEN, NO_COMPARISON)  # a shown estimate is shown, whatever the difference
    verdict[hidden] = HIDDEN
    if labels is not None:
        label = codes.map(lambda c: labels.get(c, c))
    elif "label" in rows:
        label = rows["label"].astype(str)
    else:
        label = codes
    return pd.DataFrame({"code": codes.to_numpy(), "label": label.to_numpy(),
                         "estimate": np.where(hidden, np.nan, estimate.to_numpy()),
                         "verdict": verdict.to_numpy()}).reset_index(drop=True)
