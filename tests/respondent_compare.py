"""The compare stage's former route, kept as a test oracle: one respondent-level survey GLM per model.

`compare_data` here fits every model with `ath_analysis.models.fit_matrix` (statsmodels IRLS plus the design's
sandwich covariance, itself checked against R's svyglm), so the cell-sum route of the library can be checked
against it row by row on awkward data (tests/test_cells_compare.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.analysis import wave_design
from ath_analysis.indicators.definitions import Indicator
from ath_analysis.models import ModelFitError, categorical_matrix, fit_matrix, margin_arrays, wald_test
from ath_analysis.models.matrix import ModelMatrix
from ath_analysis.results.comparisons import (
    FAILED,
    NOT_ESTIMABLE,
    OK,
    REST_PREFIX,
    Comparison,
    _domain,
    _text,
)
from ath_analysis.survey import LonelyPSU
from ath_analysis.survey.design import ResolvedDesign, resolve_design
from ath_analysis.survey.intervals import t_quantile

_CMP = "_comparison_level"
_REST = "_rest"


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


