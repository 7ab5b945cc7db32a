"""Gathering the parts of a scattered stage into its one table, as the stage run in one job writes it.

The workflow runs compare as one job per data set (each wave, the waves pooled) and small_areas as one job per
wave (`results.comparisons.comparison_part`, `results.small_areas.estimate_small_areas` on one wave); these
functions put the parts together in the one-job table's row order. With `results.io.read_part` to read them,
the gathered table is written byte for byte as the one-job table. Only pandas here: a gather job should not
pay for importing the statistics.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ath_analysis.errors import DataError


def _same_columns(parts: Sequence[pd.DataFrame], what: str) -> list[str]:
    columns = list(parts[0].columns)
    if any(list(part.columns) != columns for part in parts):
        raise DataError(f"{what}: the parts have different columns (rerun the {what} jobs)")
    return columns


def _known(values: pd.Series, known: Sequence[str], what: str, kind: str) -> None:
    unknown = sorted(set(values.astype(str)) - set(known))
    if unknown:
        raise DataError(f"{what}: the parts have rows of {kind} {', '.join(unknown[:5])} that the workflow does not "
                        f"list (rerun the {what} jobs)")


def gather_comparisons(parts: Sequence[pd.DataFrame], indicator_ids: Sequence[str]) -> pd.DataFrame:
    """The comparison table from the data sets' parts (in the data sets' order, each in its own row order):
    indicator by indicator, each data set's rows in turn, as `build_comparisons` orders them."""
    if not parts:
        raise DataError("compare: no parts to gather")
    columns = _same_columns(parts, "compare")
    table = pd.concat(parts, keys=range(len(parts)), names=["_w", "_r"]).reset_index()
    _known(table["indicator"], indicator_ids, "compare", "indicator(s)")
    table = table.assign(_i=table["indicator"].map({i: k for k, i in enumerate(indicator_ids)}))
    table = table.sort_values(["_i", "_w", "_r"], kind="stable").reset_index(drop=True)
    return table[columns]


def order_small_areas(table: pd.DataFrame, indicator_ids: Sequence[str], area_sets: Sequence[str]) -> pd.DataFrame:
    """Indicator, year, wave, area set and area order of the small-area table (every row has its own key)."""
    order = {i: k for k, i in enumerate(indicator_ids)}
    set_order = {s: k for k, s in enumerate(area_sets)}
    table = table.assign(_i=table["indicator"].map(order), _s=table["area_set"].map(set_order))
    return table.sort_values(["_i", "year", "wave", "_s", "area"], kind="stable").drop(columns=["_i", "_s"])


def gather_small_areas(parts: Sequence[pd.DataFrame], indicator_ids: Sequence[str], area_sets: Sequence[str]
                       ) -> pd.DataFrame:
    """The small-area table from the waves' tables (`estimate_small_areas` on one wave each): the same table as
    one run on all waves, every wave's fits being its own."""
    if not parts:
        raise DataError("small_areas: no parts to gather")
    filled = [part for part in parts if len(part)]  # a wave without rows adds none (nor its columns' types)
    if not filled:
        return parts[0]
    columns = _same_columns(filled, "small_areas")
    table = pd.concat(filled, ignore_index=True)
    _known(table["indicator"], indicator_ids, "small_areas", "indicator(s)")
    _known(table["area_set"], area_sets, "small_areas", "area set(s)")
    return order_small_areas(table, indicator_ids, area_sets)[columns].reset_index(drop=True)
