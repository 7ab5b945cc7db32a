"""Public entry points: tidy tables of design-based estimates by domain.

Both functions return one row per variable × domain cell. The frame must be the WHOLE sample of the
design: strata, PSU counts and FPCs come from all its rows, and domains are estimated on that full design
(R: ``subset(design, domain & !is.na(y))``), never by dropping rows beforehand. Both take (frame, design)
or a `BoundDesign` (``design.bind(frame)``), which keeps what repeated calls on the frame share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError
from ath_analysis.survey.bound import BoundDesign, bind
from ath_analysis.survey.design import Design
from ath_analysis.survey.domains import DomainPlan
from ath_analysis.survey.intervals import CI_METHODS, CIMethod, interval
from ath_analysis.survey.linearization import CellResults, Engine, Standardizer, SumsOf
from ath_analysis.survey.standardize import Standardization
from ath_analysis.survey.validation import as_list, check_level, require_columns

Kind = Literal["proportion", "mean", "total"]
KINDS: tuple[str, ...] = ("proportion", "mean", "total")

STAT_COLUMNS = ["n", "n_positive", "weight_sum", "estimate", "se", "ci_low", "ci_high", "df", "deff", "cv",
                "ci_method", "standardized"]


def estimate(
    data: pd.DataFrame | BoundDesign,
    design: Design | list[str] | str | None = None,
    variables: list[str] | str | None = None,
    by: list[str] | str | None = None,
    kind: Kind = "proportion",
    ci: CIMethod | None = None,
    level: float = 0.95,
    standardize: Standardization | None = None,
) -> pd.DataFrame:
    """Estimate `kind` of each variable in every cell of `by` (crossed), or for the whole sample.

    data, design: the frame and its `Design`, or a `BoundDesign` (``design.bind(frame)``) alone, which
    keeps the design's resolution and the pass over the rows for later calls: ``estimate(bound, ["smoker"],
    by="sex")``.

    Columns: variable, the `by` columns, then n (respondents with the variable observed), n_positive
    (proportions: respondents with y == 1), weight_sum, estimate, se, ci_low, ci_high, df (PSUs − strata
    among the cell's respondents), deff, cv (se / estimate), ci_method, standardized. `ci` is the interval of a
    proportion (None: logit); means and totals get estimate ± t·SE, as R's ``confint``, and asking them for
    another interval is a ValueError. A cell whose respondents all lack the variable gets n = 0 and NaN
    statistics.

    >>> estimate(df, Design("w", strata="stratum"), ["smoker"], by="sex")  # doctest: +SKIP
    """
    bound_design, names = call_inputs(data, design, variables)
    method = resolve_ci(kind, ci)
    by_cols = as_list(by, "by")
    plan, results, names = _compute(bound_design, names, {"by": by_cols}, kind, level, standardize)
    dset = plan.sets[0]
    ncell, nvar = dset.ncell, len(names)
    cells = np.tile(np.arange(ncell), nvar)
    head = pd.DataFrame({"variable": np.repeat(np.array(names, dtype=object), ncell)})
    labels = dset.labels.iloc[cells].reset_index(drop=True) if by_cols else pd.DataFrame(index=head.index)
    stats = _stats_frame(results[0], kind, method, level, standardize is not None)
    out = pd.concat([head, labels, stats], axis=1)
    out.attrs.update(_attrs(bound_design.design, kind, method, level, standardize))
    return out


def estimate_domains(
    data: pd.DataFrame | BoundDesign,
    design: Design | list[str] | str | None = None,
    variables: list[str] | str | None = None,
    domain_sets: Mapping[str, Sequence[str]] | None = None,
    kind: Kind = "proportion",
    ci: CIMethod | None = None,
    level: float = 0.95,
    standardize: Standardization | None = None,
) -> pd.DataFrame:
    """Estimates for many domain sets in one pass, e.g. {"region": [], "municipality": ["municipality"]}.

    data, design: as for `estimate` (a `BoundDesign` alone: ``estimate_domains(bound, variables, sets)``).
    Returns the columns of `estimate` with the domain columns replaced by ``domain`` (the set's name) and
    ``domain_value``: the cell's values as text joined with " × " (integral float codes written without
    ".0"), and "all" for a set with no columns (the whole population). Rows are ordered by set, variable,
    then cell. Work is shared: row sums are accumulated once into the finest crossing of all domain columns.
    """
    if isinstance(data, BoundDesign) and design is not None and not isinstance(design, Design) \
            and domain_sets is None:  # estimate_domains(bound, variables, domain_sets)
        design, variables, domain_sets = None, design, variables
    if domain_sets is None:
        raise TypeError("domain_sets is required, e.g. {'all': [], 'municipality': ['municipality']}")
    bound_design, names = call_inputs(data, design, variables)
    method = resolve_ci(kind, ci)
    plan, results, names = _compute(bound_design, names, domain_sets, kind, level, standardize)
    text = plan.uniques_text()
    pieces = []
    for dset, res in zip(plan.sets, results, strict=True):
        nvar = len(names)
        values = dset.value_strings(text)
        head = pd.DataFrame({
            "domain": np.full(dset.ncell * nvar, dset.name, dtype=object),
            "domain_value": np.tile(values, nvar),
            "variable": np.repeat(np.array(names, dtype=object), dset.ncell),
        })
        pieces.append(pd.concat([head, _stats_frame(res, kind, method, level, standardize is not None)], axis=1))
    out = pd.concat(pieces, ignore_index=True)
    out.attrs.update(_attrs(bound_design.design, kind, method, level, standardize))
    return out


def _attrs(design: Design, kind: str, ci: str, level: float, standardize: Standardization | None) -> dict:
    return {"design": repr(design), "kind": kind, "ci": ci, "level": level,
            "standardize": None if standardize is None else standardize.by}


def resolve_ci(kind: str, ci: str | None) -> str:
    """The interval method: `ci` for proportions (default logit); means and totals only have Wald intervals."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if ci is not None and ci not in CI_METHODS:
        raise ValueError(f"ci must be one of {', '.join(CI_METHODS)}, got {ci!r}")
    if kind == "proportion":
        return "logit" if ci is None else ci
    if ci not in (None, "wald"):
        raise ValueError(f"ci={ci!r} applies to proportions only; a {kind} has a Wald interval (ci=None or 'wald')")
    return "wald"


def call_inputs(data: pd.DataFrame | BoundDesign, design: Design | list[str] | str | None,
                         variables: list[str] | str | None) -> tuple[BoundDesign, list[str]]:
    """The call's bound design and variable names; with a BoundDesign the variables may come second."""
    if isinstance(data, BoundDesign) and design is not None and not isinstance(design, Design):
        if variables is not None:
            raise TypeError("with a BoundDesign, give the variables once: estimate(bound, variables, ...)")
        design, variables = None, design
    if design is not None and not isinstance(design, Design):
        raise TypeError(f"design must be a Design, got {type(design).__name__}")
    bound_design = bind(data, design)
    if variables is None:
        raise TypeError("variables is required")
    names = as_list(variables, "variables")
    if not names:
        raise ValueError("variables is empty")
    return bound_design, names


def _compute(bound_design: BoundDesign, names: list[str], domain_sets: Mapping[str, Sequence[str]], kind: str,
             level: float, standardize: Standardization | None) -> tuple[DomainPlan, list[CellResults], list[str]]:
    plan, engine, sums_of = prepare(bound_design, names, domain_sets, kind, level, standardize)
    return plan, engine.run(sums_of, names)[0], names


def prepare(bound_design: BoundDesign, names: list[str], domain_sets: Mapping[str, Sequence[str]], kind: str,
            level: float, standardize: Standardization | None) -> tuple[DomainPlan, Engine, SumsOf]:
    """Check the arguments and set up the engine of one call (domain cells, standardization, atom sums)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    check_level(level)
    require_columns(bound_design.frame, names, "variable")
    if standardize is not None and kind == "total":
        raise ValueError("standardization applies to proportions and means, not totals")
    extra = [standardize.by] if standardize is not None else []
    plan = bound_design.plan(domain_sets, extra)
    std = None
    if standardize is not None:
        codes = plan.columns[standardize.by]
        if (codes.codes < 0).any():
            raise DataError(f"standardization column '{standardize.by}' has {int((codes.codes < 0).sum())} "
                            "missing values")
        shares = standardize.level_shares(list(np.asarray(codes.uniques, dtype=object)))
        std = Standardizer(codes.codes, shares / shares.sum())
    engine, sums_of = bound_design.engine(plan, kind, std)
    return plan, engine, sums_of


def flat(a: np.ndarray) -> np.ndarray:
    """(cell × variable) array to one value per row of a tidy table (variable-major, then cell)."""
    return np.ascontiguousarray(a.T).reshape(-1)


def _stats_frame(res: CellResults, kind: str, ci: str, level: float, standardized: bool) -> pd.DataFrame:
    """Flatten (cell × variable) arrays, variable-major, and add SE, CI and CV."""

    n = flat(res.n)
    est = flat(res.estimate)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(flat(res.variance))
    df = flat(res.df)
    method = ci
    low, high = interval(method, est, se, n, df, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / est
    n_positive = pd.array(np.round(flat(res.n_positive)), dtype="Int64") if kind == "proportion" \
        else pd.array([pd.NA] * len(n), dtype="Int64")
    return pd.DataFrame({
        "n": n.astype(np.int64),
        "n_positive": n_positive,
        "weight_sum": flat(res.weight_sum),
        "estimate": est,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "df": df,
        "deff": flat(res.deff),
        "cv": cv,
        "ci_method": method,
        "standardized": standardized,
    })
