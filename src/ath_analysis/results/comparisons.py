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
from ath_analysis.models import ModelFitError, categorical_matrix, fit_matrix, margin_arrays, wald_test
from ath_analysis.models.matrix import ModelMatrix
from ath_analysis.survey import LonelyPSU
from ath_analysis.survey.design import ResolvedDesign, resolve_design
from ath_analysis.survey.intervals import t_quantile

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
_CMP = "_comparison_level"
_REST = "_rest"
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
        inside = inside & frame["subarea"].notna().to_numpy(bool)
    return inside


@dataclass
class _Model:
    """The comparison levels of one model and its base matrix (before the indicator's missing values)."""

    comparison: Comparison
    adjustment: str
    adjusters: tuple[str, ...]  # the configured adjusters in the model (pooled models also have a wave term)
    levels: list[str]  # output level codes, reference first
    reference: str
    matrix: ModelMatrix | None  # None: no respondent at all; its comparison term's levels follow `levels`


def _model_specs(frame: pd.DataFrame, comparison: Comparison, levels: Sequence[str], adjusters: Sequence[str],
                 extra: Sequence[str]) -> list[_Model]:
    """The base matrices of one comparison on one data set: crude and adjusted, one per level if each-vs-rest."""
    domain = _domain(frame, comparison.within)
    data = pd.DataFrame({v: _text(frame[v]) for v in {comparison.variable, *adjusters, *extra}})
    out = []
    groups: list[tuple[str | None, str]]
    if comparison.each_vs_rest:
        groups = [(lv, REST_PREFIX + lv) for lv in levels]
    else:
        groups = [(None, str(comparison.reference))]
    for level, reference in groups:
        if level is None:
            column = data[comparison.variable]
            model_levels = [comparison.reference, *[lv for lv in levels if lv != comparison.reference]]
            internal = {lv: lv for lv in model_levels}
        else:
            observed = data[comparison.variable]
            column = observed.where((observed == level).fillna(True), _REST)
            model_levels = [reference, level]
            internal = {reference: _REST, level: level}
        cmp_frame = data.assign(**{_CMP: column})
        for adjustment, chosen in (("crude", ()), ("adjusted", tuple(a for a in adjusters
                                                                     if a != comparison.variable))):
            variables: dict[str, Any] = {_CMP: internal[reference]}
            variables.update({a: None for a in chosen})
            variables.update({e: None for e in extra})
            term_levels = {_CMP: [internal[lv] for lv in model_levels]}
            matrix = categorical_matrix(cmp_frame, np.zeros(len(frame)), variables, domain, term_levels)
            out.append(_Model(comparison, adjustment, chosen, [str(lv) for lv in model_levels], reference,
                              matrix if matrix.nobs else None))
    return out


def _rows_of_model(model: _Model, indicator: Indicator, y_all: np.ndarray, rd: ResolvedDesign, level: float  # noqa: C901
                   ) -> list[dict[str, Any]]:
    """One dict per level of the model: statistics, status and message (before labels and disclosure)."""
    family = "binomial" if indicator.kind == "proportion" else "gaussian"
    base: dict[str, Any] = {"comparison": model.comparison.name, "adjustment": model.adjustment,
            "adjusters": "+".join(model.adjusters), "reference_level": model.reference}
    rows = [dict(base, level=lv, is_reference=lv == model.reference, n=0, status=OK, message="")
            for lv in model.levels]

    def all_rows(status: str, message: str) -> list[dict[str, Any]]:
        for row in rows:
            row.update(status=status, message=message)
        return rows

    mm = model.matrix
    if mm is None:
        return all_rows(NOT_ESTIMABLE, "no respondents in the domain")
    y_rows = y_all[mm.rows]
    keep = ~np.isnan(y_rows)
    term = mm.categorical[_CMP]
    codes = term.codes[keep]
    y = y_rows[keep]
    n = np.bincount(codes, minlength=len(model.levels))
    for k, row in enumerate(rows):
        row["n"] = int(n[k])
    separated: dict[int, str] = {}
    if family == "binomial":
        positive = rd.weights[mm.rows][keep] > 0
        ones = np.bincount(codes[positive], weights=y[positive], minlength=len(model.levels))
        counts = np.bincount(codes[positive], minlength=len(model.levels))
        for j in np.flatnonzero(counts > 0):
            if ones[j] == 0:
                separated[int(j)] = "no respondent"
            elif ones[j] == counts[j]:
                separated[int(j)] = "every respondent"
    ref = 0  # the reference is the first level
    if n.sum() == 0:
        return all_rows(NOT_ESTIMABLE, f"no respondent in the domain has a value for {indicator.id}")
    if n[ref] == 0:
        return all_rows(NOT_ESTIMABLE, f"the reference level {model.reference} has no respondents")
    if ref in separated:
        return all_rows(NOT_ESTIMABLE, f"perfect prediction: {separated[ref]} in the reference level "
                                       f"{model.reference} has the outcome")
    notes = []
    for k, row in enumerate(rows):
        if n[k] == 0:
            row.update(status=NOT_ESTIMABLE, message=f"level {row['level']} has no respondents")
        elif k in separated:
            row.update(status=NOT_ESTIMABLE, message=f"perfect prediction: {separated[k]} in level "
                                                     f"{row['level']} has the outcome")
            notes.append(f"level {row['level']} (perfect prediction) is left out of the model")
    if separated:
        keep = keep & ~np.isin(term.codes, list(separated))
    sub = mm.subset(keep, y=y_rows, response=indicator.id)
    try:
        result = fit_matrix(sub, rd, family)
    except ModelFitError as exc:
        status = NOT_ESTIMABLE if exc.reason in ("perfect prediction", "no respondents") else FAILED
        for row in rows:
            if row["status"] == OK:
                row.update(status=status, message=str(exc))
        return rows
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        for row in rows:
            if row["status"] == OK:
                row.update(status=FAILED, message=f"the model could not be fitted ({exc})")
        return rows
    estimable = [k for k, row in enumerate(rows) if row["status"] == OK]
    internal_levels = [term.levels[k] for k in estimable]
    margins = margin_arrays(result, _CMP, internal_levels, term.levels[0], level)
    test = wald_test(result, term.term)
    df = float(result.df_resid)
    t = t_quantile(1 - (1 - level) / 2, np.array(df))
    note = "; ".join(notes)
    for m, k in enumerate(estimable):
        row = rows[k]
        row.update({c: float(margins[c][m]) for c in ("estimate", "se", "ci_low", "ci_high", "difference", "diff_se",
                                                 "diff_ci_low", "diff_ci_high")})
        if row["is_reference"]:
            row.update(diff_ci_low=np.nan, diff_ci_high=np.nan)
        if family == "binomial":
            if row["is_reference"]:
                row.update(odds_ratio=1.0, or_ci_low=np.nan, or_ci_high=np.nan)
            else:
                column = mm.columns.index(f"{term.term}[T.{term.levels[k]}]")
                b, se = float(result.coefficients[column]), float(np.sqrt(result.covariance[column, column]))
                row.update(odds_ratio=float(np.exp(b)), or_ci_low=float(np.exp(b - t * se)),
                           or_ci_high=float(np.exp(b + t * se)))
        if not np.isfinite(row["estimate"]):
            row.update(status=NOT_ESTIMABLE, message="the level's margin cannot be estimated from the model")
        elif note:
            row["message"] = note
    for row in rows:
        row["term_p_value"] = test.p
        row["df"] = df
    return rows


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
    """Rows of every indicator × comparison × adjustment × level on one data set (a wave, or all pooled)."""
    rd = resolve_design(frame, wave_design(frame, lonely_psu))
    values = {i.id: frame[i.id].to_numpy(dtype=np.float64, na_value=np.nan) for i in indicators}
    rows: list[dict[str, Any]] = []
    for comparison in comparisons:
        for model in _model_specs(frame, comparison, levels[comparison.name], adjusters, extra):
            for indicator in indicators:
                for row in _rows_of_model(model, indicator, values[indicator.id], rd, level):
                    row["indicator"] = indicator.id
                    row["kind"] = indicator.kind
                    rows.append(row)
    return pd.DataFrame(rows)


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
    adjusters = list(settings.adjusters)
    needed = [*(c.variable for c in comparisons), *adjusters, "in_region", "municipality", "weight",
              *(i.id for i in indicators)]
    for wave, frame in waves.items():
        require_columns(frame, needed, wave, "compare (compare.comparisons and compare.adjusters)")
        if frame.empty:
            raise DataError(f"wave '{wave}': the indicator table has no respondents; no model can be fitted")
    levels = comparison_levels(waves, comparisons)
    parts = []
    for wave, frame in waves.items():
        part = compare_data(frame, indicators, comparisons, levels, adjusters, lonely_psu, level)
        parts.append(part.assign(wave=wave, year=int(wave_years[wave])))
    if settings.pooled and len(waves) > 1:
        part = compare_data(pooled_frame(waves), indicators, comparisons, levels, adjusters, lonely_psu, level,
                            extra=("wave",))
        parts.append(part.assign(wave=POOLED, year=pd.NA))
    table = pd.concat(parts, ignore_index=True)
    for column in STATISTIC_COLUMNS + ["term_p_value", "df"]:
        if column not in table:
            table[column] = np.nan
        table[column] = table[column].astype("float64")
    table["level_label"] = _labels(table, comparisons, labels, language, region_code)
    table["year"] = table["year"].astype("Int64")
    table["n"] = table["n"].astype("Int64")
    table["df"] = table["df"].round().astype("Int64")
    table["is_reference"] = table["is_reference"].astype(bool)
    table = disclose_model_rows(table, rules)
    order = {
        "_i": table["indicator"].map({i.id: k for k, i in enumerate(indicators)}),
        "_w": table["wave"].map({w: k for k, w in enumerate([*waves, POOLED])}),
        "_c": table["comparison"].map({c.name: k for k, c in enumerate(comparisons)}),
        "_a": table["adjustment"].map({"crude": 0, "adjusted": 1}),
    }
    table = table.assign(**order, _r=table.index)
    table = table.sort_values(["_i", "_w", "_c", "_a", "_r"], kind="stable").reset_index(drop=True)
    table["synthetic"] = synthetic
    not_ok = table["status"] != OK
    models = table.groupby(["indicator", "wave", "comparison", "adjustment", "reference_level"], sort=False).ngroups
    log.info("%d rows from %d models in %.1f s; %d rows suppressed", len(table), models,
             time.perf_counter() - started, int(table["suppressed"].sum()))
    if not_ok.any():
        log.warning("%d of %d model rows are not ok (%s); see the status and message columns", int(not_ok.sum()),
                    len(table), ", ".join(f"{k}: {v}" for k, v in table.loc[not_ok, "status"].value_counts().items()))
    else:
        log.info("all %d model rows are ok", len(table))
    return table[MODEL_COLUMNS]
