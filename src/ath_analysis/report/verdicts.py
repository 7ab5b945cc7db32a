"""One rule for every verdict in the reports: a difference is clear when the 95 % CI of the *difference* excludes 0.

The differences come from the gated table `reports/tables/differences.parquet` (rule `differences`, then
`publish`): area vs region linearized on the full design (the area is part of the region), area vs koko maa,
and the change from the previous survey (independent samples). The report never decides a verdict itself from
two overlapping or non-overlapping intervals; it reads `differs` and the difference's sign.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.results.io import read_optional_table

REQUIRED = ["indicator", "wave", "domain", "domain_value", "reference", "difference", "ci_low", "ci_high",
            "differs", "standardized", "suppressed"]
COUNTRY_REFERENCES = ("country", "published")  # koko maa from the data, or its published value


def read_differences(path: str | Path | None) -> pd.DataFrame | None:
    """The gated differences table when there is one with rows; None otherwise (then no verdicts are shown)."""
    table = read_optional_table(path, REQUIRED, "differences table")
    if table is None or not len(table):
        return None
    table["domain_value"] = table["domain_value"].astype(str)
    table["wave"] = table["wave"].astype(str)
    return table


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def direction(row: Mapping[str, Any] | None, higher_is_better: bool) -> str:
    """'better' | 'worse' | 'none' for a published difference (area − reference); '' when there is none."""
    if row is None or bool(row.get("suppressed")) or _missing(row.get("differs")) or _missing(row.get("difference")):
        return ""
    if not bool(row["differs"]):
        return "none"
    higher = float(row["difference"]) > 0
    return "better" if higher == higher_is_better else "worse"


def change_word(row: Mapping[str, Any] | None, higher_is_better: bool) -> str:
    """A change's verdict in the report's words: 'up_good' | 'up_bad' | 'down_good' | 'down_bad' | 'none' | ''."""
    verdict = direction(row, higher_is_better)
    if verdict in ("", "none"):
        return verdict
    up = float(row["difference"]) > 0  # type: ignore[index]
    return ("up_" if up else "down_") + ("good" if verdict == "better" else "bad")


class Differences:
    """Look-ups in the differences table by (indicator, wave, domain, value, reference, standardized)."""

    def __init__(self, table: pd.DataFrame | None) -> None:
        # positions by key, the first row of a key winning; a row is made only when asked for (a national
        # table has hundreds of thousands of rows and a report reads a few thousand)
        self._positions: dict[tuple[str, str, str, str, str, bool], int] = {}
        self._columns: dict[str, list[Any]] = {}
        if table is None or table.empty:
            return
        reference = table["reference"].astype(str)
        reference = reference.where(~table["reference"].isin(COUNTRY_REFERENCES), "country")
        keys = zip(*(table[c].astype(str).tolist() for c in ("indicator", "wave", "domain", "domain_value")),
                   reference.tolist(), table["standardized"].astype(bool).tolist(), strict=True)
        for position, key in enumerate(keys):
            self._positions.setdefault(key, position)
        self._columns = {str(c): table[c].tolist() for c in table.columns}

    def __bool__(self) -> bool:
        return bool(self._positions)

    def get(self, indicator: str, wave: str, domain: str, value: str, reference: str,
            standardized: bool = False) -> dict[str, Any] | None:
        """The difference row, or None; a standardized cell falls back to no row (never to a crude one)."""
        position = self._positions.get((indicator, str(wave), domain, str(value), reference, bool(standardized)))
        if position is None:
            return None
        return {column: values[position] for column, values in self._columns.items()}

    def change(self, indicator: str, wave: str, domain: str, value: str, standardized: bool,
               higher_is_better: bool) -> dict[str, Any] | None:
        """The change from the previous survey as the report shows it, or None when it is not published."""
        row = self.get(indicator, wave, domain, value, "previous", standardized)
        if row is None or bool(row.get("suppressed")) or _missing(row.get("difference")):
            return None
        return {"difference": float(row["difference"]), "ci_low": float(row["ci_low"]),
                "ci_high": float(row["ci_high"]), "verdict": change_word(row, higher_is_better),
                "differs": bool(row["differs"]), "previous_wave": str(row.get("reference_value", ""))}
