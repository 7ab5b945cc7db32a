"""The tidy estimate table: every indicator × wave × configured domain set, crude and age-standardized.

Domains are always estimated on the full design of the wave; a respondent outside the region (or outside
Mikkeli, for its sub-areas) simply belongs to no cell. The result is the tidy estimate table of DESIGN.md,
with disclosure control applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.analysis import AGE_COLUMNS, domain_frame, require_columns, wave_design
from ath_analysis.disclosure import PublicationRules, apply_disclosure
from ath_analysis.errors import DataError
from ath_analysis.indicators.definitions import Indicator
from ath_analysis.survey import CIMethod, Design, LonelyPSU, Standardization, collapse_esp2013, estimate_domains
from ath_analysis.survey.intervals import boundary

ESTIMATE_COLUMNS = [
    "indicator", "kind", "wave", "year", "domain", "domain_value", "domain_label", "n", "n_positive", "weight_sum",
    "estimate", "se", "ci_low", "ci_high", "ci_method", "df", "deff", "cv", "standardized", "suppressed", "flag",
]
STANDARD_AGE = "_standard_age_group"
BOUNDARY_METHOD = "clopper-pearson"  # ci_method of a 0 % or 100 % prevalence (see fill_boundary_intervals)


@dataclass(frozen=True)
class EstimateSettings:
    """The config's `estimate` block: domain sets, CI method and level, lonely-PSU policy, standardization."""

    domains: Mapping[str, tuple[str, ...]]
    ci_method: CIMethod = "logit"
    level: float = 0.95
    lonely_psu: LonelyPSU = "adjust"
    standardize_by: str = "age_group"

    @classmethod
    def from_config(cls, block: Mapping[str, Any]) -> EstimateSettings:
        return cls(domains={name: tuple(columns) for name, columns in block["domains"].items()},
                   ci_method=block["ci_method"], level=float(block["level"]), lonely_psu=block["lonely_psu"],
                   standardize_by=block["standardize_by"])


def _estimate_kind(frame: pd.DataFrame, design: Design, indicators: Sequence[Indicator],
                   domain_sets: Mapping[str, Sequence[str]], kind: str, settings: EstimateSettings,
                   standardize: Standardization | None = None) -> pd.DataFrame:
    ids = [i.id for i in indicators]
    if not ids or not domain_sets:
        return pd.DataFrame()
    ci: CIMethod = settings.ci_method if kind == "proportion" else "wald"
    table = estimate_domains(frame, design, ids, domain_sets, kind=kind,  # type: ignore[arg-type]
                             ci=ci, level=settings.level, standardize=standardize)
    table["ci_method"] = ci
    if kind == "proportion" and ci != "wald":
        fill_boundary_intervals(table, settings.level)
    table["kind"] = kind
    table["standardized"] = standardize is not None
    return table


def fill_boundary_intervals(table: pd.DataFrame, level: float) -> None:
    """Give prevalences of exactly 0 % or 100 % the Clopper–Pearson limits their design cannot
    (`survey.intervals.boundary`); `ci_method` names the rows filled."""
    low, high = boundary(table["estimate"].to_numpy(float), table["n"].to_numpy(float), level)
    fill = (table["ci_low"].isna() & np.isfinite(low) & (table["df"].to_numpy(float) > 0)).to_numpy()
    table.loc[fill, "ci_low"], table.loc[fill, "ci_high"] = low[fill], high[fill]
    table.loc[fill, "ci_method"] = BOUNDARY_METHOD


def estimate_wave(
    frame: pd.DataFrame,
    indicators: Sequence[Indicator],
    settings: EstimateSettings,
    esp2013: pd.DataFrame,
    region_code: str,
    wave: str = "?",
) -> pd.DataFrame:
    """Crude estimates for every domain set and, for indicators that ask, age-standardized ones."""
    domain_sets = {name: list(columns) for name, columns in settings.domains.items()}
    data = domain_frame(frame, domain_sets, region_code, wave)
    empty = [name for name, columns in domain_sets.items() if columns and data[columns].isna().any(axis=1).all()]
    if empty:
        raise DataError(f"wave '{wave}': no respondent has a value for domain set(s) {', '.join(empty)} "
                        f"({', '.join(sorted({c for n in empty for c in domain_sets[n]}))}); check the wave's "
                        "harmonization or remove the set from estimate.domains")
    design = wave_design(data, settings.lonely_psu)
    standard = None
    if any(i.standardize for i in indicators):
        require_columns(frame, [settings.standardize_by], wave, "estimate.standardize_by")
        # the standardization groups must exist for every respondent, also those outside every domain cell
        data[STANDARD_AGE] = frame[settings.standardize_by].astype("string")
        bands = sorted(data[STANDARD_AGE].dropna().unique())
        standard = Standardization(STANDARD_AGE, collapse_esp2013(esp2013, bands))
    std_sets = {k: v for k, v in domain_sets.items() if not AGE_COLUMNS & set(v)}
    parts = []
    for kind in ("proportion", "mean"):
        chosen = [i for i in indicators if i.kind == kind]
        parts.append(_estimate_kind(data, design, chosen, domain_sets, kind, settings))
        if standard is not None:
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
        mapped = [parts[j].astype(object).replace(dict(labels.get(column, {}))) for j, column in enumerate(columns)]
        text = mapped[0]
        for more in mapped[1:]:
            text = text + " × " + more
        out.loc[rows] = text.to_numpy()
    return out


def build_estimates(
    waves: Mapping[str, pd.DataFrame],
    wave_years: Mapping[str, int],
    indicators: Sequence[Indicator],
    settings: EstimateSettings,
    rules: PublicationRules,
    region_code: str,
    esp2013: pd.DataFrame,
    labels: Mapping[str, Mapping[str, str]],
    synthetic: bool,
) -> pd.DataFrame:
    """The tidy estimate table for all waves, labelled, with disclosure control applied, in a stable order."""
    parts = []
    for wave, frame in waves.items():
        if frame.empty:
            raise DataError(f"wave '{wave}': the indicator table has no respondents; nothing can be estimated")
        table = estimate_wave(frame, indicators, settings, esp2013, region_code, wave)
        table.insert(1, "wave", wave)
        table.insert(2, "year", int(wave_years[wave]))
        parts.append(table)
    table = pd.concat(parts, ignore_index=True)
    table["domain_label"] = label_domains(table, settings.domains, labels)
    table = apply_disclosure(table, rules.min_n, rules.max_ci_width, rules.max_cv)
    order = {
        "indicator": {i.id: k for k, i in enumerate(indicators)},
        "domain": {d: k for k, d in enumerate(settings.domains)},
    }
    table = table.assign(_i=table["indicator"].map(order["indicator"]), _d=table["domain"].map(order["domain"]))
    table = table.sort_values(["_i", "year", "standardized", "_d", "domain_value"], kind="stable")
    table = table.drop(columns=["_i", "_d"]).reset_index(drop=True)
    table["n"] = table["n"].astype("Int64")
    table["n_positive"] = table["n_positive"].astype("Int64")
    table["synthetic"] = synthetic
    return table[[*ESTIMATE_COLUMNS, "synthetic"]]
