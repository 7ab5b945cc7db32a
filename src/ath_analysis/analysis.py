"""The analysis table: the columns every wave's respondent table has after geography, and the wave's design.

This is the contract between the data stages (ingest → geography → indicators) and the statistical stages
(estimate, compare, small areas): which columns exist, which canonical variables each derived column comes
from (so `validate` can say which harmonization entry a domain needs), the sampling design of a wave, and
the domain columns as the estimator wants them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError
from ath_analysis.survey import Design, LonelyPSU

# Columns carried from the analysis table into the indicator table; nothing else of the respondent record.
DESIGN_AND_DOMAIN_COLUMNS = [
    "wave", "year", "respondent_id", "weight", "stratum", "psu", "fpc", "in_region", "country", "maakunta",
    "hyvinvointialue", "municipality", "municipality_name", "urban_rural", "urban_rural_group", "subarea",
    "subarea_group", "sex", "age", "age_group", "age_group2", "age_esp", "education",
]

# Columns a domain set, a comparison or an adjuster may use, and the canonical variables (config/variables.yaml,
# mapped per wave in config/harmonization.yaml) each is made from. Geography derives the rest.
COLUMN_SOURCES: dict[str, tuple[str, ...]] = {
    "country": (),
    "maakunta": ("municipality_code",),
    "hyvinvointialue": ("municipality_code",),
    "region": ("municipality_code",),
    "municipality": ("municipality_code",),
    "urban_rural": ("municipality_code",),
    "urban_rural_group": ("municipality_code",),
    "subarea": ("municipality_code", "postal_code"),
    "subarea_group": ("municipality_code", "postal_code"),
    "sex": ("sex",),
    "age_group": ("age",),
    "age_group2": ("age",),
    "age_esp": ("age",),
    "education": ("education",),
}
# Canonical variables geography needs in every wave.
GEOGRAPHY_NEEDS = ("municipality_code", "age")
AGE_COLUMNS = frozenset({"age_group", "age_group2", "age_esp"})
# Domain columns whose cells cover the whole country (all other domain cells lie within the region).
NATIONAL_COLUMNS = frozenset({"country", "maakunta", "hyvinvointialue"})


def sources_of(columns: Iterable[str]) -> list[str]:
    """The canonical variables that analysis columns are made from (in first-seen order)."""
    return list(dict.fromkeys(source for column in columns for source in COLUMN_SOURCES.get(column, (column,))))


def wave_design(frame: pd.DataFrame, lonely_psu: LonelyPSU) -> Design:
    """The wave's sampling design from the harmonized design variables that are present."""
    return Design(
        weight="weight",
        strata="stratum" if "stratum" in frame else None,
        psu="psu" if "psu" in frame else None,
        fpc="fpc" if "fpc" in frame else None,
        lonely_psu=lonely_psu,
    )


def require_columns(frame: pd.DataFrame, columns: Iterable[str], wave: str, needed_by: str) -> None:
    """A DataError naming the wave, the columns and the canonical variables to map when any is absent."""
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        sources = [s for s in sources_of(missing) if s not in frame.columns]
        hint = f"; map {', '.join(sources)} in the wave's harmonization" if sources else ""
        raise DataError(f"wave '{wave}': {needed_by} needs column(s) {', '.join(missing)}, which the wave does "
                        f"not have{hint}")


def domain_frame(frame: pd.DataFrame, domain_sets: Mapping[str, Sequence[str]], region_code: str,
                 wave: str = "?", needed_by: str = "estimate.domains") -> pd.DataFrame:
    """Domain columns as text, missing outside the region (except the national ones), plus a `region` column."""
    columns = sorted({c for cols in domain_sets.values() for c in cols} - {"region"})
    require_columns(frame, columns, wave, needed_by)
    out = frame.copy()
    inside = out["in_region"].to_numpy(bool)
    out["region"] = pd.Series(np.where(inside, region_code, pd.NA), index=out.index, dtype="string")
    for column in columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values):
            values = values.astype("Int64")
        out[column] = values.astype("string") if column in NATIONAL_COLUMNS else values.astype("string").where(inside)
    return out
