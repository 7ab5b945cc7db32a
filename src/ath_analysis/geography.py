"""Geography: municipality at survey time → current municipality, maakunta, hyvinvointialue, region membership,
urban–rural class, sub-area, age groups.

Respondents are not dropped here: a respondent outside the region stays in the table with `in_region = False`,
because domain estimates must be computed on the full design, and the whole country is a domain of its own.
Only respondents coded to Åland, which THL's adult surveys do not cover, are excluded (with the count in the
audit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ath_analysis.areas import COUNTRY, AreaTables
from ath_analysis.errors import AthError, DataError
from ath_analysis.municipalities import IMPORT_HINT, Municipalities, ShippedMunicipalities
from ath_analysis.subareas import UNKNOWN_SUBAREA, Subareas


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
ALAND_COUNTY = "91"


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


def _place(frame: pd.DataFrame, catalogue: Municipalities, areas: AreaTables, wave: str, fieldwork: str,
           reference: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Municipality now, maakunta and hyvinvointialue at survey time and at the reference date; Åland excluded.

    A respondent without a municipality code is placed by the wave's `wellbeing_area_code` alone (a national
    extract that names the county only outside the study region): in no municipality, in its county's maakunta.
    """
    codes = frame["municipality_code"].astype("string")
    county = frame["wellbeing_area_code"].astype("string").str.zfill(2) if "wellbeing_area_code" in frame else \
        pd.Series(pd.NA, index=frame.index, dtype="string")
    unplaced = codes.isna() & county.isna()
    if unplaced.any():
        raise DataError(f"wave '{wave}': variable municipality_code is missing for {int(unplaced.sum())} "
                        "respondent(s) without a wellbeing_area_code either; every respondent needs a home area")
    unknown = catalogue.unknown(codes)
    if unknown:
        counts = codes[codes.isin(unknown)].value_counts()
        shown = ", ".join(f"'{c}' ({n} respondents)" for c, n in counts.head(5).items())
        raise DataError(f"wave '{wave}': unknown municipality code(s) in variable municipality_code: {shown}; "
                        + (IMPORT_HINT if isinstance(catalogue, ShippedMunicipalities) else
                           "they are in no municipality list of the national register"))
    known_counties = set(areas.hyvinvointialueet["code"])
    bad_county = county.notna() & ~county.isin(known_counties)
    if bad_county.any():
        raise DataError(f"wave '{wave}': unknown wellbeing_area_code(s) {sorted(county[bad_county].unique())[:5]}; "
                        f"expected one of config/areas/hyvinvointialueet.csv ({', '.join(sorted(known_counties))})")
    aland = catalogue.is_aland(codes).fillna(False).to_numpy(bool) | (county == ALAND_COUNTY).fillna(False).to_numpy()
    kept = frame.loc[~aland].copy()
    codes, county = codes[~aland], county[~aland]
    try:
        kept["municipality"] = catalogue.current(codes, fieldwork, reference)
    except AthError as exc:
        raise DataError(f"wave '{wave}': {exc}") from None
    kept["municipality_name"] = kept["municipality"].map(catalogue.names())
    by_county = county.map(areas.maakunta_of_hyvinvointialue())
    kept["region_at_survey"] = catalogue.maakunta(codes, fieldwork).fillna(by_county)
    kept["region_at_reference"] = catalogue.maakunta(kept["municipality"], reference).fillna(by_county)
    kept["hyvinvointialue"] = catalogue.hyvinvointialue(kept["municipality"], reference).fillna(county)
    return kept, {"Åland (not in THL's adult surveys)": int(aland.sum())}


def _urban_rural(frame: pd.DataFrame, areas: AreaTables, catalogue: Municipalities, source: str, on: str
                 ) -> tuple[pd.Series, pd.Series, str]:
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
    group_code = catalogue.kuntaryhmitys(frame["municipality"], on)
    code = ("KR" + group_code).astype("string")
    return code, group_code.map({"1": "urban", "2": "rural", "3": "rural"}), "municipality"


def attach_geography(
    respondents: pd.DataFrame,
    areas: AreaTables,
    geography: GeographySettings,
    wave: str,
    fieldwork_date: str,
    municipalities: Municipalities | None = None,
    subareas: Subareas | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Add current municipality, maakunta and hyvinvointialue, region membership, urban–rural class, sub-area
    and age groups. `municipalities`: the shipped tables (default) or the national register."""
    catalogue = municipalities or ShippedMunicipalities(areas)
    reference = geography.reference_date
    frame, excluded = _place(respondents, catalogue, areas, wave, fieldwork_date, reference)
    membership = frame["region_at_reference" if geography.membership == "reference" else "region_at_survey"]
    frame["maakunta"] = membership
    frame["country"] = COUNTRY
    frame["in_region"] = (membership == geography.region_code).fillna(False).astype(bool)
    frame["urban_rural"], frame["urban_rural_group"], ur_source = _urban_rural(
        frame, areas, catalogue, geography.urban_rural_source, reference)
    unplaced = pd.Series(False, index=frame.index)
    if subareas is None:
        frame["subarea"] = frame["subarea_group"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    else:
        postal = frame["postal_code"] if "postal_code" in frame else pd.Series(pd.NA, index=frame.index)
        inside = (frame["municipality"] == subareas.municipality).fillna(False)
        lookup = subareas.table.set_index("postal_code")
        frame["subarea"] = postal.map(lookup["subarea"]).where(inside)
        frame["subarea_group"] = postal.map(lookup["subarea_group"]).where(inside)
        unplaced = inside & frame["subarea"].isna()
        if unplaced.any():
            frame.loc[unplaced, ["subarea", "subarea_group"]] = UNKNOWN_SUBAREA
    for column, bands in AGE_GROUPS.items():
        frame[column] = _age_bands(frame["age"], bands)
    frame["age_esp"] = esp_age_band(frame["age"], areas.esp2013)
    codes = frame["municipality_code"]
    recoded = (codes != frame["municipality"]).fillna(False)
    audit: dict[str, Any] = {
        "rows_in": len(respondents),
        "rows_out": len(frame),
        "excluded": excluded,
        "without_municipality": int(frame["municipality"].isna().sum()),
        "in_region": int(frame["in_region"].sum()),
        "outside_region": int((~frame["in_region"]).sum()),
        "membership": geography.membership,
        "reference_date": reference,
        "urban_rural_source": ur_source,
        "recoded_municipalities": {
            f"{old} → {new}": int(n)
            for (old, new), n in frame[recoded].groupby(["municipality_code", "municipality"]).size().items()
        },
        "subarea_municipality": subareas.municipality if subareas else None,
        "without_subarea": int(unplaced.sum()),
    }
    if unplaced.any():
        where = subareas.municipality if subareas else ""
        audit["warnings"] = [f"{int(unplaced.sum())} respondent(s) of municipality {where} have no known postal "
                             f"code; their sub-area is '{UNKNOWN_SUBAREA}'"]
    return frame, audit
