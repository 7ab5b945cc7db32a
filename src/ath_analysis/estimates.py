"""The estimate stage: every indicator × wave × configured domain set, crude and age-standardized.

Domains are always estimated on the full design of the wave; a respondent outside the region (or outside
Mikkeli, for its sub-areas) simply belongs to no cell. The result is the tidy estimate table of DESIGN.md,
with disclosure control applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.areas import AreaTables
from ath_analysis.disclosure import apply_disclosure
from ath_analysis.indicators.definitions import Indicator
from ath_analysis.labels import domain_value_labels
from ath_analysis.survey import Design, Standardization, collapse_esp2013, estimate_domains

ESTIMATE_COLUMNS = [
    "indicator", "kind", "wave", "year", "domain", "domain_value", "domain_label", "n", "n_positive", "weight_sum",
    "estimate", "se", "ci_low", "ci_high", "ci_method", "df", "deff", "cv", "standardized", "suppressed", "flag",
]
AGE_COLUMNS = {"age_group", "age_group2", "age_esp"}
STANDARD_AGE = "_standard_age_group"


def domain_frame(frame: pd.DataFrame, domain_sets: Mapping[str, Sequence[str]], region_code: str) -> pd.DataFrame:
    """Domain columns as text, missing outside the region, plus a `region` column for the whole region."""
    out = frame.copy()
    inside = out["in_region"].to_numpy(bool)
    out["region"] = pd.Series(np.where(inside, region_code, None), index=out.index, dtype="string")
    for column in {c for columns in domain_sets.values() for c in columns} - {"region"}:
        if column not in out:
            raise KeyError(column)
        values = out[column]
        if pd.api.types.is_float_dtype(values):
            values = values.astype("Int64")
        out[column] = values.astype("string").where(inside)
    return out


def wave_design(frame: pd.DataFrame, lonely_psu: str) -> Design:
    """The wave's sampling design from the harmonized design variables that are present."""
    return Design(
        weight="weight",
        strata="stratum" if "stratum" in frame else None,
        psu="psu" if "psu" in frame else None,
        fpc="fpc" if "fpc" in frame else None,
        lonely_psu=lonely_psu,
    )


def _estimate_kind(frame, design, indicators, domain_sets, kind, settings, standardize=None) -> pd.DataFrame:
    ids = [i.id for i in indicators]
    if not ids or not domain_sets:
        return pd.DataFrame()
    table = estimate_domains(frame, design, ids, domain_sets, kind=kind,
                             ci=settings["ci_method"] if kind == "proportion" else "wald",
                             level=settings["level"], standardize=standardize)
    table["ci_method"] = settings["ci_method"] if kind == "proportion" else "wald"
    table["kind"] = kind
    table["standardized"] = standardize is not None
    return table


def estimate_wave(
    frame: pd.DataFrame,
    indicators: Sequence[Indicator],
    settings: Mapping[str, Any],
    areas: AreaTables,
    region_code: str,
) -> pd.DataFrame:
    """Crude estimates for every domain set and, for indicators that ask, age-standardized ones."""
    domain_sets = {name: list(columns) for name, columns in settings["domains"].items()}
    data = domain_frame(frame, domain_sets, region_code)
    design = wave_design(data, settings["lonely_psu"])
    # the standardization groups must exist for every respondent, also those outside every domain cell
    data[STANDARD_AGE] = frame[settings["standardize_by"]].astype("string")
    bands = sorted(data[STANDARD_AGE].dropna().unique())
    standard = Standardization(STANDARD_AGE, collapse_esp2013(areas.esp2013, bands))
    std_sets = {k: v for k, v in domain_sets.items() if not AGE_COLUMNS & set(v)}
    parts = []
    for kind in ("proportion", "mean"):
        chosen = [i for i in indicators if i.kind == kind]
        parts.append(_estimate_kind(data, design, chosen, domain_sets, kind, settings))
        to_standardize = [i for i in chosen if i.standardize]
        parts.append(_estimate_kind(data, design, to_standardize, std_sets, kind, settings, standard))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return table.rename(columns={"variable": "indicator"})


def label_domains(table: pd.DataFrame, domain_sets: Mapping[str, Sequence[str]], labels: Mapping[str, Mapping[str, str]]
                  ) -> pd.Series:
    """domain_label for each row: the labels of the cell's values, crossed with ' × '."""
    out = pd.Series("", index=table.index, dtype="object")
    for domain, columns in domain_sets.items():
        rows = table["domain"] == domain
        if not rows.any():
            continue
        parts = table.loc[rows, "domain_value"].str.split(" × ", expand=True) if len(columns) > 1 else \
            table.loc[rows, "domain_value"].to_frame(0)
        text = None
        for j, column in enumerate(columns):
            mapped = parts[j].astype(object).replace(dict(labels.get(column, {})))
            text = mapped if text is None else text + " × " + mapped
        out.loc[rows] = text.to_numpy()
    return out


def build_estimates(
    waves: Mapping[str, pd.DataFrame],
    wave_years: Mapping[str, int],
    indicators: Sequence[Indicator],
    config: Mapping[str, Any],
    areas: AreaTables,
    variables: Mapping[str, Any],
) -> pd.DataFrame:
    """The tidy estimate table for all waves, labelled, with disclosure control applied, in a stable order."""
    settings = config["estimate"]
    region = config["geography"]["region_code"]
    parts = []
    for wave, frame in waves.items():
        table = estimate_wave(frame, indicators, settings, areas, region)
        table.insert(1, "wave", wave)
        table.insert(2, "year", int(wave_years[wave]))
        parts.append(table)
    table = pd.concat(parts, ignore_index=True)
    labels = domain_value_labels(areas, variables, config["report"]["language"])
    table["domain_label"] = label_domains(table, settings["domains"], labels)
    precision = config["precision"]
    table = apply_disclosure(table, config["disclosure"]["min_n"], precision["max_ci_width"], precision["max_cv"],
                             settings["domains"], region)
    order = {
        "indicator": {i.id: k for k, i in enumerate(indicators)},
        "domain": {d: k for k, d in enumerate(settings["domains"])},
    }
    table = table.assign(_i=table["indicator"].map(order["indicator"]), _d=table["domain"].map(order["domain"]))
    table = table.sort_values(["_i", "year", "standardized", "_d", "domain_value"], kind="stable")
    table = table.drop(columns=["_i", "_d"]).reset_index(drop=True)
    table["n"] = table["n"].astype("Int64")
    table["n_positive"] = table["n_positive"].astype("Int64")
    table["synthetic"] = bool(config["data"]["synthetic"])
    return table[[*ESTIMATE_COLUMNS, "synthetic"]]
