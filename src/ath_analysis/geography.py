"""Geography: municipality at survey time → current municipality, region, urban–rural class, sub-area, ages.

Respondents are never dropped here: a respondent outside the region stays in the table with
`in_region = False`, because domain estimates must be computed on the full design.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ath_analysis.areas import AreaTables
from ath_analysis.errors import DataError


@dataclass(frozen=True)
class GeographySettings:
    """The config's `geography` block, as geography reads it (min_age is ingest's)."""

    region_code: str
    reference_date: str
    membership: Literal["reference", "survey_time"] = "reference"
    urban_rural_source: Literal["auto", "respondent", "municipality"] = "auto"

    @classmethod
    def from_config(cls, block: Mapping[str, Any]) -> GeographySettings:
        return cls(str(block["region_code"]), str(block["reference_date"]), block["membership"],
                   block["urban_rural_source"])


AGE_GROUPS = {"age_group": [(20, 54, "20–54"), (55, 74, "55–74"), (75, None, "75+")],
              "age_group2": [(20, 64, "20–64"), (65, None, "65+")]}
UNKNOWN_SUBAREA = "tuntematon"
SUBAREA_MUNICIPALITY = "491"  # the municipality whose postal areas config/areas/mikkeli_subareas.csv lists


def current_code(codes: pd.Series, areas: AreaTables, on: str) -> pd.Series:
    """Follow mergers effective on or before `on` (chains such as 640 → 593 included)."""
    mergers = areas.mergers[pd.to_datetime(areas.mergers["effective"]) <= pd.Timestamp(on)]
    step = dict(zip(mergers["old_code"], mergers["new_code"], strict=True))
    result = codes.copy()
    for _ in range(len(step) + 1):
        moved = result.map(step)
        if moved.isna().all():
            break
        result = moved.fillna(result)
    return result


def region_on(codes: pd.Series, areas: AreaTables, on: str) -> pd.Series:
    """Region of each municipality code on date `on` (missing when the code was not in force then)."""
    membership = areas.region_membership()
    day = pd.Timestamp(on)
    valid = membership[(membership["valid_from"] <= day) & (membership["valid_to"] >= day)]
    return codes.map(valid.drop_duplicates("code").set_index("code")["region"])


def _age_bands(age: pd.Series, bands: list[tuple[int, int | None, str]]) -> pd.Series:
    labels = pd.Series(pd.NA, index=age.index, dtype="string")
    for low, high, label in bands:
        inside = (age >= low) & (age <= (high if high is not None else np.inf))
        labels = labels.mask(inside, label)
    return labels


def esp_age_band(age: pd.Series, esp: pd.DataFrame) -> pd.Series:
    """The ESP2013 5-year band label of each age (for age standardization)."""
    edges = esp["age_min"].to_numpy()
    index = np.searchsorted(edges, age.to_numpy(float), side="right") - 1
    labels = esp["age_group"].to_numpy()[np.clip(index, 0, len(edges) - 1)]
    return pd.Series(labels, index=age.index, dtype="string").mask(age.isna())


def _check_codes(frame: pd.DataFrame, areas: AreaTables, wave: str) -> None:
    known = set(areas.municipalities["code"]) | set(areas.mergers["old_code"]) | set(areas.mergers["new_code"])
    codes = frame["municipality_code"]
    if codes.isna().any():
        raise DataError(f"wave '{wave}': variable municipality_code is missing for {int(codes.isna().sum())} "
                        "respondent(s); every respondent needs a home municipality")
    unknown = codes[~codes.isin(known)]
    if len(unknown):
        shown = ", ".join(f"'{c}' ({n} respondents)" for c, n in unknown.value_counts().head(5).items())
        raise DataError(
            f"wave '{wave}': unknown municipality code(s) in variable municipality_code: {shown}; "
            "known codes are in config/areas/municipalities.csv and municipal_mergers.csv"
        )


def _urban_rural(frame: pd.DataFrame, areas: AreaTables, source: str) -> tuple[pd.Series, pd.Series, str]:
    classes = areas.urban_rural_classes.set_index("code")
    has_respondent_class = "urban_rural_code" in frame and frame["urban_rural_code"].notna().any()
    if source == "respondent" or (source == "auto" and has_respondent_class):
        if not has_respondent_class:
            raise DataError("geography.urban_rural_source is 'respondent' but the wave has no urban_rural_code")
        code = frame["urban_rural_code"].astype("string")
        unknown = code.notna() & ~code.isin(classes.index)
        if unknown.any():
            raise DataError(f"unknown urban–rural class(es) {sorted(code[unknown].unique())}; "
                            f"expected one of {', '.join(classes.index)}")
        return code, code.map(classes["group"]), "respondent"
    # no per-respondent class: Statistics Finland's municipality grouping instead
    grouping = areas.municipalities.set_index("code")["kuntaryhmitys_2015"]
    group_code = frame["municipality"].map(grouping)
    code = ("KR" + group_code).astype("string")
    return code, group_code.map({"1": "urban", "2": "rural", "3": "rural"}), "municipality"


def attach_geography(
    respondents: pd.DataFrame,
    areas: AreaTables,
    geography: GeographySettings,
    wave: str,
    fieldwork_date: str,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Add current municipality, region membership, urban–rural class, Mikkeli sub-area and age groups."""
    _check_codes(respondents, areas, wave)
    frame = respondents.copy()
    codes = frame["municipality_code"]
    reference = geography.reference_date
    frame["municipality"] = current_code(codes, areas, reference)
    names = areas.municipality_names()
    frame["municipality_name"] = frame["municipality"].map(names)
    frame["region_at_survey"] = region_on(codes, areas, fieldwork_date)
    frame["region_at_reference"] = region_on(frame["municipality"], areas, reference)
    membership = frame["region_at_reference" if geography.membership == "reference" else "region_at_survey"]
    frame["in_region"] = (membership == geography.region_code).fillna(False).astype(bool)
    frame["urban_rural"], frame["urban_rural_group"], ur_source = _urban_rural(
        frame, areas, geography.urban_rural_source
    )
    subareas = areas.mikkeli_subareas.set_index("postal_code")
    postal = frame["postal_code"] if "postal_code" in frame else pd.Series(pd.NA, index=frame.index)
    in_mikkeli = frame["municipality"] == SUBAREA_MUNICIPALITY
    frame["subarea"] = postal.map(subareas["subarea"]).where(in_mikkeli)
    frame["subarea_group"] = postal.map(subareas["subarea_group"]).where(in_mikkeli)
    unplaced = in_mikkeli & frame["subarea"].isna()
    frame.loc[unplaced, ["subarea", "subarea_group"]] = UNKNOWN_SUBAREA
    for column, bands in AGE_GROUPS.items():
        frame[column] = _age_bands(frame["age"], bands)
    frame["age_esp"] = esp_age_band(frame["age"], areas.esp2013)
    recoded = codes != frame["municipality"]
    audit: dict[str, Any] = {
        "rows_in": len(respondents),
        "rows_out": len(frame),
        "in_region": int(frame["in_region"].sum()),
        "outside_region": int((~frame["in_region"]).sum()),
        "membership": geography.membership,
        "reference_date": reference,
        "urban_rural_source": ur_source,
        "recoded_municipalities": {
            f"{old} → {new}": int(n)
            for (old, new), n in frame[recoded].groupby(["municipality_code", "municipality"]).size().items()
        },
        "mikkeli_without_subarea": int(unplaced.sum()),
    }
    if unplaced.any():
        audit["warnings"] = [f"{int(unplaced.sum())} Mikkeli respondent(s) have no known postal code; "
                             f"their sub-area is '{UNKNOWN_SUBAREA}'"]
    return frame, audit
