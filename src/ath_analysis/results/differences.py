"""The differences table: every published cell against its region, the whole country and the previous survey.

One rule decides every verdict the reports print: a difference is clear when the 95 % CI of the DIFFERENCE
excludes 0. The CI depends on how the two estimates relate:

* `region`, `country`: the area lies inside the reference, in the same sample, so the difference is linearized
  jointly on the full design (`survey.parent_differences`; R: svyratio + svycontrast);
* `previous`: the same cell in the previous wave that has it, an independent sample
  (`survey.independent_differences`);
* `published`: a published reference value of the whole country (THL Sotkanet) when the waves hold only the
  region, independent, its SE from its published CI (`survey.se_from_ci`).

A row is published only where both estimates are: when either side is suppressed in the estimate table the
difference is suppressed too, so it reveals nothing the estimate table hides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ath_analysis.analysis import AGE_COLUMNS, NATIONAL_COLUMNS, domain_frame, wave_design
from ath_analysis.areas import COUNTRY
from ath_analysis.errors import DataError
from ath_analysis.indicators.definitions import Indicator
from ath_analysis.results.estimates import STANDARD_AGE, EstimateSettings
from ath_analysis.survey import (
    Standardization,
    collapse_esp2013,
    independent_difference,
    parent_differences,
    se_from_ci,
)

DIFFERENCE_COLUMNS = [
    "indicator", "kind", "wave", "year", "domain", "domain_value", "reference", "reference_domain",
    "reference_value", "estimate_area", "estimate_reference", "difference", "se", "ci_low", "ci_high", "df",
    "differs", "standardized", "suppressed", "flag", "source", "synthetic",
]
REFERENCES = ("region", "country", "previous", "published")
FLAG_HIDDEN_SIDE = "a side is suppressed"
KEYS = ["indicator", "wave", "domain", "domain_value", "standardized"]


def reference_pairs(domains: Mapping[str, Sequence[str]], national: bool) -> list[tuple[str, str, str]]:
    """(set, reference set, reference) for every single-column domain set: against the region when its cells lie
    inside the region, against the whole country when the waves cover it (the region itself too)."""
    by_columns = {tuple(columns): name for name, columns in domains.items()}
    region, country = by_columns.get(("region",)), by_columns.get(("country",))
    pairs = []
    for name, columns in domains.items():
        if len(columns) != 1 or name in (region, country):
            continue
        if region and columns[0] not in NATIONAL_COLUMNS:
            pairs.append((name, region, "region"))
        if national and country:
            pairs.append((name, country, "country"))
    if national and region and country:
        pairs.append((region, country, "country"))
    return pairs


def _wave_differences(frame: pd.DataFrame, wave: str, indicators: Sequence[Indicator], settings: EstimateSettings,
                      esp2013: pd.DataFrame, region_code: str, national: bool) -> pd.DataFrame:
    """Every (set, reference) difference of one wave, crude and (for indicators that ask) age-standardized."""
    pairs = reference_pairs(settings.domains, national)
    if not pairs:
        return pd.DataFrame()
    used = sorted({n for child, parent, _ in pairs for n in (child, parent)}, key=list(settings.domains).index)
    sets = {name: list(settings.domains[name]) for name in used}
    data = domain_frame(frame, sets, region_code, wave)
    standard = None
    if any(i.standardize for i in indicators):
        data[STANDARD_AGE] = frame[settings.standardize_by].astype("string")
        bands = sorted(data[STANDARD_AGE].dropna().unique())
        standard = Standardization(STANDARD_AGE, collapse_esp2013(esp2013, bands))
    columns = list(dict.fromkeys(c for cols in sets.values() for c in cols))
    bound = wave_design(data, settings.lonely_psu).bind(data, columns + ([STANDARD_AGE] if standard else []))
    which = {(child, parent): reference for child, parent, reference in pairs}
    parts = []
    for kind in ("proportion", "mean"):
        chosen = [i.id for i in indicators if i.kind == kind]
        if chosen:
            parts.append(parent_differences(bound, variables=chosen, domain_sets=sets,
                                            parents=[(c, p) for c, p, _ in pairs], kind=kind,
                                            level=settings.level).assign(kind=kind))
        to_standardize = [i.id for i in indicators if i.kind == kind and i.standardize]
        std_pairs = [(c, p) for c, p, _ in pairs if not AGE_COLUMNS & set(sets[c])]
        if standard is not None and to_standardize and std_pairs:
            parts.append(parent_differences(bound, variables=to_standardize, domain_sets=sets, parents=std_pairs,
                                            kind=kind, level=settings.level, standardize=standard).assign(kind=kind))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    table["reference"] = [which[(c, p)] for c, p in zip(table["domain"], table["parent"], strict=True)]
    return table.rename(columns={"variable": "indicator", "parent": "reference_domain",
                                 "parent_value": "reference_value", "estimate_domain": "estimate_area",
                                 "estimate_parent": "estimate_reference", "estimate": "difference"})


def _previous(estimates: pd.DataFrame, order: Sequence[str], level: float) -> pd.DataFrame:
    """Each cell minus the same cell in the previous wave that has it (independent samples; a suppressed side
    hides the row later)."""
    rank = {wave: k for k, wave in enumerate(order)}
    cells = estimates.copy()
    cells["_rank"] = cells["wave"].map(rank)
    cells = cells.sort_values([*[k for k in KEYS if k != "wave"], "_rank"], kind="stable")
    group = [k for k in KEYS if k != "wave"]
    before = cells.groupby(group, sort=False)[["wave", "estimate", "se", "df"]].shift(1)
    paired = cells[before["wave"].notna()]
    before = before.loc[paired.index]
    diff = independent_difference(paired["estimate"], paired["se"], before["estimate"], before["se"],
                                  paired["df"].astype(float), before["df"].astype(float), level=level)
    out = paired[["indicator", "kind", "wave", "domain", "domain_value", "standardized"]].reset_index(drop=True)
    return out.assign(reference="previous", reference_domain=out["domain"],
                      reference_value=before["wave"].to_numpy(), estimate_area=paired["estimate"].to_numpy(),
                      estimate_reference=before["estimate"].to_numpy(), difference=diff["estimate"].to_numpy(),
                      se=diff["se"].to_numpy(), ci_low=diff["ci_low"].to_numpy(), ci_high=diff["ci_high"].to_numpy(),
                      df=diff["df"].to_numpy(), differs=diff["differs"].to_numpy())


def published_for_waves(values: pd.DataFrame, wave_years: Mapping[str, int], region_level: str = "MAA",
                        region_code: str | None = None) -> pd.DataFrame:
    """The published value to compare each wave with: that year's, else the latest earlier one (sex total)."""
    rows = values[(values["region_level"] == region_level) & (values["sex"] == "total")]
    if region_code is not None:
        rows = rows[rows["region_code"] == str(region_code)]
    parts = []
    for year in sorted(set(wave_years.values())):
        latest = rows[rows["year"] <= year].sort_values("year").groupby("indicator").tail(1)
        parts.append(latest.assign(published_year=latest["year"], year=year))
    if not parts:
        return rows.head(0)
    out = pd.concat(parts, ignore_index=True)
    out["source"] = [f"{s} {y}".strip() if str(y) not in str(s) else str(s)
                     for s, y in zip(out["source"].fillna(""), out["published_year"], strict=True)]
    return out


def published_differences(estimates: pd.DataFrame, reference: pd.DataFrame, domains: Sequence[str],
                          level: float) -> pd.DataFrame:
    """Each published cell of `domains` minus a published value of the whole country for its indicator and year.

    reference: indicator, year, value, ci_low, ci_high (0–1 for proportions), source — e.g. THL Sotkanet's
    national values (`register.read_reference_values`). The published CI gives the SE (Wald, normal df); the
    two are independent samples. A value published without a CI is taken as exact (SE 0: the national sample is
    some twenty times the region's, so its own error is small) and its source says so.
    """
    needed = ["indicator", "year", "value", "ci_low", "ci_high"]
    missing = [c for c in needed if c not in reference]
    if missing:
        raise DataError(f"reference values lack column(s) {', '.join(missing)}")
    with_ci = reference["ci_low"].notna() & reference["ci_high"].notna()
    se = np.where(with_ci, se_from_ci(reference["ci_low"].fillna(0), reference["ci_high"].fillna(0), level=level), 0.0)
    source = reference["source"].fillna("") if "source" in reference else pd.Series("", index=reference.index)
    values = reference.assign(se=se, source=np.where(with_ci, source, source + " (no CI published: taken as exact)"))
    values = values.rename(columns={"value": "estimate_reference"})
    cells = estimates[estimates["domain"].isin(list(domains)) & estimates["estimate"].notna()]
    merged = cells.merge(values[["indicator", "year", "estimate_reference", "se", "source"]]
                         .rename(columns={"se": "se_reference"}), on=["indicator", "year"], how="inner")
    diff = independent_difference(merged["estimate"], merged["se"], merged["estimate_reference"],
                                  merged["se_reference"], merged["df"].astype(float), np.inf, level=level)
    return merged[["indicator", "kind", "wave", "domain", "domain_value", "standardized", "source"]].assign(
        reference="published", reference_domain="country", reference_value=COUNTRY,
        estimate_area=merged["estimate"].to_numpy(), estimate_reference=merged["estimate_reference"].to_numpy(),
        difference=diff["estimate"].to_numpy(), se=diff["se"].to_numpy(), ci_low=diff["ci_low"].to_numpy(),
        ci_high=diff["ci_high"].to_numpy(), df=diff["df"].to_numpy(), differs=diff["differs"].to_numpy())


def _hide(table: pd.DataFrame, estimates: pd.DataFrame) -> pd.DataFrame:
    """Suppress a difference whose area or reference cell the estimate table does not publish."""
    published = estimates.loc[~estimates["suppressed"].astype(bool), KEYS].assign(_shown=True)
    area = table.merge(published, on=KEYS, how="left")["_shown"].fillna(False).to_numpy(bool)
    other = table[["indicator", "wave", "reference_domain", "reference_value", "standardized"]].rename(
        columns={"reference_domain": "domain", "reference_value": "domain_value"})
    previous = (table["reference"] == "previous").to_numpy()
    other.loc[previous, "wave"] = table.loc[previous, "reference_value"].to_numpy()
    other.loc[previous, "domain_value"] = table.loc[previous, "domain_value"].to_numpy()
    published_ref = (table["reference"] == "published").to_numpy()
    ref = other.merge(published, on=KEYS, how="left")["_shown"].fillna(False).to_numpy(bool) | published_ref
    hidden = ~(area & ref)
    out = table.copy()
    out["suppressed"] = hidden
    out["flag"] = np.where(hidden, FLAG_HIDDEN_SIDE, "")
    for column in ("estimate_area", "estimate_reference", "difference", "se", "ci_low", "ci_high", "df"):
        out[column] = out[column].astype("float64").mask(hidden)
    out["differs"] = out["differs"].astype("boolean").mask(hidden)
    return out


def build_differences(
    waves: Mapping[str, pd.DataFrame],
    wave_years: Mapping[str, int],
    indicators: Sequence[Indicator],
    settings: EstimateSettings,
    estimates: pd.DataFrame,
    region_code: str,
    esp2013: pd.DataFrame,
    national: bool,
    synthetic: bool,
    reference_values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The tidy differences table (DIFFERENCE_COLUMNS) for all waves, hidden where the estimate table is."""
    parts = [_wave_differences(frame, wave, indicators, settings, esp2013, region_code, national).assign(wave=wave)
             for wave, frame in waves.items()]
    parts.append(_previous(estimates, list(wave_years), settings.level))
    if reference_values is not None and not national:
        single = [name for name, columns in settings.domains.items() if len(columns) == 1]
        parts.append(published_differences(estimates, reference_values, single, settings.level))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    table["year"] = table["wave"].map(wave_years).astype(int)
    if "source" not in table:
        table["source"] = ""
    table["source"] = table["source"].fillna("")
    table = _hide(table, estimates)
    table["synthetic"] = synthetic
    order = {
        "_i": table["indicator"].map({i.id: k for k, i in enumerate(indicators)}),
        "_d": table["domain"].map({d: k for k, d in enumerate(settings.domains)}),
        "_r": table["reference"].map({r: k for k, r in enumerate(REFERENCES)}),
    }
    table = table.assign(**order).sort_values(["_i", "year", "standardized", "_d", "domain_value", "_r"],
                                              kind="stable")
    return table[DIFFERENCE_COLUMNS].reset_index(drop=True)
