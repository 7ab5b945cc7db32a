"""The per-wave indicator table: design and domain columns plus one column per indicator, and its audit.

The audit says, per indicator, how many respondents are in the denominator and how many answered none of
it, so an indicator that is missing for everyone in a wave (a variable the wave never asked) is reported, not
silently estimated as empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ath_analysis.analysis import DESIGN_AND_DOMAIN_COLUMNS
from ath_analysis.errors import ConfigError
from ath_analysis.indicators.definitions import Indicator, compute_indicators


def build_indicator_table(frame: pd.DataFrame, indicators: Sequence[Indicator], wave: str,
                          source: str = "config/indicators.yaml") -> tuple[pd.DataFrame, dict[str, Any]]:
    """(indicator table, audit) for one wave's analysis table."""
    clashes = [i.id for i in indicators if i.id in DESIGN_AND_DOMAIN_COLUMNS]
    if clashes:
        raise ConfigError(f"{source}: indicator id(s) {', '.join(clashes)} clash with a design or domain column; "
                          "choose another id")
    values = compute_indicators(frame, indicators)
    keep = [c for c in DESIGN_AND_DOMAIN_COLUMNS if c in frame.columns]
    table = pd.concat([frame[keep], values], axis=1)
    in_region = frame["in_region"].to_numpy(bool) if "in_region" in frame else None
    per_indicator = {}
    warnings = []
    for indicator in indicators:
        answered = values[indicator.id].notna()
        per_indicator[indicator.id] = {
            "in_denominator": int(answered.sum()),
            "in_denominator_in_region": int(answered[in_region].sum()) if in_region is not None else None,
            "not_in_denominator": int((~answered).sum()),
        }
        if not answered.any():
            warnings.append(f"wave '{wave}': indicator '{indicator.id}' has no respondent in its denominator "
                            f"(variables: {', '.join(indicator.variables)}); its estimates are empty")
    audit = {"wave": wave, "rows_in": len(frame), "rows_out": len(table), "indicators": per_indicator,
             "warnings": warnings}
    return table, audit
