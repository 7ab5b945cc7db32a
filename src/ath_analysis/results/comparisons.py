"""The comparison table: survey-weighted models comparing areas, crude and adjusted, per wave and pooled.

For every indicator (logistic model for a proportion, linear for a mean) and every configured comparison
(urban–rural class vs inner urban areas, urban vs rural, each municipality vs the rest of the region, the
sub-area municipality's sub-area groups vs its town area), per wave and pooled over waves, a crude model (the
comparison only) and an adjusted one (plus the configured adjusters, by default age group, sex and education)
are fitted on the region's respondents with the FULL design of the wave (`ath_analysis.models`). Pooled models
stack the waves, with strata made unique per wave and a wave term in every model.

The result is one row per indicator × wave × comparison × adjustment × level: the predictive margin (adjusted
prevalence or mean), its difference from the reference level, the odds ratio (logistic models) and the
p-value of the comparison's Wald test. A model or level that cannot be estimated is a row with a status and
a plain-English message, never an exception; `disclosure.models` applies the publication rules to the levels.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.analysis import require_columns, wave_design
from ath_analysis.disclosure import PublicationRules
from ath_analysis.disclosure.models import STATISTIC_COLUMNS, disclose_model_rows
from ath_analysis.errors import ConfigError, DataError
from ath_analysis.indicators.definitions import Indicator
from ath_analysis.models import compare_indicators
from ath_analysis.survey import LonelyPSU

log = logging.getLogger(__name__)

MODEL_COLUMNS = [
    "indicator", "kind", "wave", "year", "comparison", "adjustment", "adjusters", "level", "level_label",
    "reference_level", "is_reference", "n", "estimate", "se", "ci_low", "ci_high", "difference", "diff_se",
    "diff_ci_low", "diff_ci_high", "odds_ratio", "or_ci_low", "or_ci_high", "term_p_value", "df", "status",
    "message", "suppressed", "flag", "synthetic",
]
OK, NOT_ESTIMABLE, FAILED = "ok", "not estimable", "failed"
POOLED = "pooled"
REST_PREFIX = "not "  # level of "the rest of the region" in each-vs-rest comparisons: "not 491"
WITHIN = ("region", "subareas")
REST_LABELS = {"fi": "Muu {region} (ilman: {name})", "en": "Rest of {region} (excl. {name})"}


@dataclass(frozen=True)
class Comparison:
    """One configured comparison: levels of `variable` against `reference`, in the region or the sub-area
    municipality.

    each_vs_rest: one model per level, comparing the level with all other respondents of the domain (a 0/1
    variable "in this level"); `reference` is then unused.
    """

    name: str
    variable: str
    reference: str | None = None
    within: str = "region"
    each_vs_rest: bool = False


@dataclass(frozen=True)
class CompareSettings:
    """The config's `compare` block: adjusters, pooling and the comparisons."""

    comparisons: tuple[Comparison, ...]
    adjusters: tuple[str, ...] = ("age_group", "sex", "education")
    pooled: bool = True

    @classmethod
    def from_config(cls, block: Mapping[str, Any]) -> CompareSettings:
        return cls(tuple(comparisons_from_config(block)), tuple(block["adjusters"]), bool(block["pooled"]))


def comparisons_from_config(settings: Mapping[str, Any]) -> list[Comparison]:
    """The configured comparisons, checked (a `within` or a missing reference level names the key)."""
    out = []
    for name, spec in settings["comparisons"].items():
        comparison = Comparison(name=name, variable=spec["variable"], reference=spec.get("reference"),
                                within=spec.get("within", "region"), each_vs_rest=bool(spec.get("each_vs_rest")))
        if comparison.within not in WITHIN:
            raise ConfigError(f"compare.comparisons.{name}.within must be one of {', '.join(WITHIN)}")
        if not comparison.each_vs_rest and comparison.reference is None:
            raise ConfigError(f"compare.comparisons.{name} needs a reference level (or each_vs_rest: true)")
        out.append(comparison)
    return out


def pooled_frame(waves: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """All waves stacked; strata (and PSUs) prefixed by the wave, so each wave keeps its own strata (the waves
    are independent samples: the pooled design is stratified by wave × the waves' own strata)."""
    parts = []
    for wave, frame in waves.items():
        part = frame.copy()
        part["wave"] = wave
        # a wave without strata is one stratum of the pooled design
        part["stratum"] = wave + ":" + part["stratum"].astype("string") if "stratum" in part else wave
        if "psu" in part:
            part["psu"] = wave + ":" + part["psu"].astype("string")
        parts.append(part)
    columns = set.intersection(*(set(p.columns) for p in parts))
    missing = set.union(*(set(p.columns) for p in parts)) - columns
    design_missing = missing & {"psu", "fpc"}
    if design_missing:
        raise DataError(f"cannot pool waves: design column(s) {', '.join(sorted(design_missing))} are present "
                        "in some waves only")
    return pd.concat([p[[c for c in parts[0].columns if c in columns]] for p in parts], ignore_index=True)


def _text(values: pd.Series) -> pd.Series:
    """Category codes as text (whole-number floats such as sex 1.0 as "1"), missing as <NA>."""
    if pd.api.types.is_float_dtype(values):
        values = values.astype("Int64")
    return values.astype("string")


def _domain(frame: pd.DataFrame, within: str) -> np.ndarray:
    """The respondents a comparison is fitted on: the region's, or those of the sub-area municipality (whom
    geography gives a sub-area, 'tuntematon' included)."""
    inside = frame["in_region"].fillna(False).to_numpy(bool)
    if within == "subareas":
        inside = inside & frame["subarea_group"].notna().to_numpy(bool)
    return inside


def _labels(table: pd.DataFrame, comparisons: Sequence[Comparison], labels: Mapping[str, Mapping[str, str]],
            language: str, region_code: str) -> pd.Series:
    out = pd.Series(table["level"].astype(str).to_numpy(), index=table.index, dtype="object")
    region = labels.get("region", {}).get(region_code, region_code)
    rest = REST_LABELS.get(language, REST_LABELS["en"])
    for comparison in comparisons:
        rows = table["comparison"] == comparison.name
        names = labels.get(comparison.variable, {})

        def label(level: str, names: Mapping[str, str] = names) -> str:
            if level.startswith(REST_PREFIX):
                code = level[len(REST_PREFIX):]
                return rest.format(region=region, name=names.get(code, code))
            return names.get(level, level)

        out.loc[rows] = table.loc[rows, "level"].map(label)
    return out


def compare_data(
    frame: pd.DataFrame,
    indicators: Sequence[Indicator],
    comparisons: Sequence[Comparison],
    levels: Mapping[str, Sequence[str]],
    adjusters: Sequence[str],
    lonely_psu: LonelyPSU,
    level: float,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Rows of every indicator × comparison × adjustment × level on one data set (a wave, or all pooled).

    The models are fitted from per-(covariate cell × design unit) sums (`ath_analysis.models.compare_indicators`),
    built once per data set and comparison and shared by every indicator and by crude and adjusted fits.
    """
    domains = {within: _domain(frame, within) for within in {c.within for c in comparisons}}
    return compare_indicators(frame, wave_design(frame, lonely_psu), indicators, comparisons, levels, adjusters,
                              domains, level=level, extra=extra)


def comparison_levels(waves: Mapping[str, pd.DataFrame], comparisons: Sequence[Comparison]) -> dict[str, list[str]]:
    """The levels of each comparison: every value seen in its domain in any wave (reference first)."""
    out = {}
    for comparison in comparisons:
        seen: set[str] = set()
        for frame in waves.values():
            inside = _domain(frame, comparison.within)
            seen |= set(_text(frame[comparison.variable])[inside].dropna().unique())
        found = sorted(seen)
        if not comparison.each_vs_rest:
            if comparison.reference not in seen:
                raise DataError(f"compare.comparisons.{comparison.name}: reference level {comparison.reference!r} "
                                f"of {comparison.variable} has no respondents in any wave (levels: "
                                f"{', '.join(found) or 'none'})")
            found = [comparison.reference, *[lv for lv in found if lv != comparison.reference]]
        out[comparison.name] = found
    return out


def _check_waves(waves: Mapping[str, pd.DataFrame], needed: Sequence[str]) -> None:
    for wave, frame in waves.items():
        require_columns(frame, needed, wave, "compare (compare.comparisons and compare.adjusters)")
        if frame.empty:
            raise DataError(f"wave '{wave}': the indicator table has no respondents; no model can be fitted")


def _needed(settings: CompareSettings, indicators: Sequence[Indicator]) -> list[str]:
    return [*(c.variable for c in settings.comparisons), *settings.adjusters, "in_region", "municipality", "weight",
            *(i.id for i in indicators)]


def level_columns(settings: CompareSettings) -> list[str]:
    """The columns `comparison_levels` reads: what a job fitting one data set needs of the other waves."""
    subareas = ["subarea_group"] if any(c.within == "subareas" for c in settings.comparisons) else []
    return list(dict.fromkeys([*(c.variable for c in settings.comparisons), "in_region", *subareas]))


def comparison_datasets(waves: Sequence[str], settings: CompareSettings) -> list[str]:
    """The data sets the models are fitted on, in the table's order: each wave, then the pooled waves (when
    compare.pooled and there is more than one wave). Each is a job of the scattered workflow."""
    return [*waves, *([POOLED] if settings.pooled and len(waves) > 1 else [])]


def _dataset_rows(waves: Mapping[str, pd.DataFrame], wave_years: Mapping[str, int], dataset: str,
                  indicators: Sequence[Indicator], settings: CompareSettings, levels: Mapping[str, Sequence[str]],
                  lonely_psu: LonelyPSU, level: float) -> pd.DataFrame:
    comparisons, adjusters = list(settings.comparisons), list(settings.adjusters)
    if dataset == POOLED:
        part = compare_data(pooled_frame(waves), indicators, comparisons, levels, adjusters, lonely_psu, level,
                            extra=("wave",))
        return part.assign(wave=POOLED, year=pd.NA)
    part = compare_data(waves[dataset], indicators, comparisons, levels, adjusters, lonely_psu, level)
    return part.assign(wave=dataset, year=int(wave_years[dataset]))


def _finish(table: pd.DataFrame, comparisons: Sequence[Comparison], rules: PublicationRules, region_code: str,
            labels: Mapping[str, Mapping[str, str]], language: str) -> pd.DataFrame:
    """Column types, level labels and disclosure control: row by row within each model, so the same on one
    data set's rows as on all of them."""
    for column in STATISTIC_COLUMNS + ["term_p_value", "df"]:
        if column not in table:
            table[column] = np.nan
        table[column] = table[column].astype("float64")
    table["level_label"] = _labels(table, comparisons, labels, language, region_code)
    table["year"] = table["year"].astype("Int64")
    table["n"] = table["n"].astype("Int64")
    table["df"] = table["df"].round().astype("Int64")
    table["is_reference"] = table["is_reference"].astype(bool)
    return disclose_model_rows(table, rules)


def _ordered(table: pd.DataFrame, indicators: Sequence[Indicator], datasets: Sequence[str],
             comparisons: Sequence[Comparison], synthetic: bool) -> pd.DataFrame:
    order = {
        "_i": table["indicator"].map({i.id: k for k, i in enumerate(indicators)}),
        "_w": table["wave"].map({w: k for k, w in enumerate(datasets)}),
        "_c": table["comparison"].map({c.name: k for k, c in enumerate(comparisons)}),
        "_a": table["adjustment"].map({"crude": 0, "adjusted": 1}),
    }
    table = table.assign(**order, _r=table.index)
    table = table.sort_values(["_i", "_w", "_c", "_a", "_r"], kind="stable").reset_index(drop=True)
    table["synthetic"] = synthetic
    return table


def _log_table(table: pd.DataFrame, started: float) -> None:
    not_ok = table["status"] != OK
    models = table.groupby(["indicator", "wave", "comparison", "adjustment", "reference_level"], sort=False).ngroups
    log.info("%d rows from %d models in %.1f s; %d rows suppressed", len(table), models,
             time.perf_counter() - started, int(table["suppressed"].sum()))
    if not_ok.any():
        log.warning("%d of %d model rows are not ok (%s); see the status and message columns", int(not_ok.sum()),
                    len(table), ", ".join(f"{k}: {v}" for k, v in table.loc[not_ok, "status"].value_counts().items()))
    else:
        log.info("all %d model rows are ok", len(table))


def build_comparisons(
    waves: Mapping[str, pd.DataFrame],
    wave_years: Mapping[str, int],
    indicators: Sequence[Indicator],
    settings: CompareSettings,
    lonely_psu: LonelyPSU,
    level: float,
    rules: PublicationRules,
    region_code: str,
    labels: Mapping[str, Mapping[str, str]],
    language: str,
    synthetic: bool,
) -> pd.DataFrame:
    """The tidy comparison table for all waves and pooled, labelled, with disclosure control applied."""
    started = time.perf_counter()
    comparisons = list(settings.comparisons)
    _check_waves(waves, _needed(settings, indicators))
    levels = comparison_levels(waves, comparisons)
    datasets = comparison_datasets(list(waves), settings)
    parts = [_dataset_rows(waves, wave_years, dataset, indicators, settings, levels, lonely_psu, level)
             for dataset in datasets]
    table = _finish(pd.concat(parts, ignore_index=True), comparisons, rules, region_code, labels, language)
    table = _ordered(table, indicators, datasets, comparisons, synthetic)
    _log_table(table, started)
    return table[MODEL_COLUMNS]


def comparison_part(
    waves: Mapping[str, pd.DataFrame],
    wave_years: Mapping[str, int],
    dataset: str,
    indicators: Sequence[Indicator],
    settings: CompareSettings,
    lonely_psu: LonelyPSU,
    level: float,
    rules: PublicationRules,
    region_code: str,
    labels: Mapping[str, Mapping[str, str]],
    language: str,
    synthetic: bool,
) -> pd.DataFrame:
    """The rows of `build_comparisons` fitted on one data set (a wave, or POOLED), in their order within it.

    `results.gather.gather_comparisons` of every data set's part is `build_comparisons`' table byte for byte:
    the models of a data set never see another's respondents, and the levels come from every wave. `waves`
    holds every wave; those not fitted here need only `level_columns`. Splitting by data set rather than by
    indicator keeps each model's batch of indicators whole: the batched fits' last bits depend on which
    indicators share a batch.
    """
    started = time.perf_counter()
    comparisons = list(settings.comparisons)
    fitted = waves if dataset == POOLED else {dataset: waves[dataset]} if dataset in waves else {}
    if not fitted or dataset not in comparison_datasets(list(waves), settings):
        raise ConfigError(f"compare: no data set {dataset!r} (waves: {', '.join(waves)}; "
                          f"pooled: {settings.pooled})")
    _check_waves(fitted, _needed(settings, indicators))
    _check_waves(waves, level_columns(settings))
    levels = comparison_levels(waves, comparisons)
    rows = _dataset_rows(fitted, wave_years, dataset, indicators, settings, levels, lonely_psu, level)
    table = _finish(rows, comparisons, rules, region_code, labels, language)
    table = _ordered(table, indicators, [dataset], comparisons, synthetic)
    _log_table(table, started)
    return table[MODEL_COLUMNS]

