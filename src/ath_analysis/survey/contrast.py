"""Differences with design-based confidence intervals: the one rule behind every "clearly different" verdict.

An area is clearly different from its region (or a wave from the previous one) when the 95 % CI of the
DIFFERENCE excludes 0 — not when the two estimates' own intervals fail to overlap, which is a stricter and
unstated test. Two situations need two variance formulas:

* `parent_differences`: a domain minus the domain that contains it (municipality − region, municipality ×
  sex − sex), on the same sample. The area's respondents are also the region's, so the two estimates are
  correlated and Var(p_d − p_P) = V_d + V_P − 2 Cov(p_d, p_P), all linearized jointly on the full design.
* `independent_difference` / `independent_differences`: two independent samples (two waves, or an estimate
  and a published national value), where the covariance is 0 and SE = sqrt(se1² + se2²).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import special

from ath_analysis.errors import DataError
from ath_analysis.survey.bound import BoundDesign
from ath_analysis.survey.design import Design
from ath_analysis.survey.domains import parent_cells
from ath_analysis.survey.estimate import Kind, call_inputs, flat, prepare
from ath_analysis.survey.intervals import t_quantile, wald
from ath_analysis.survey.linearization import ParentPair
from ath_analysis.survey.standardize import Standardization
from ath_analysis.survey.validation import check_level, require_columns

DfRule = Literal["satterthwaite", "min", "normal"]
DF_RULES: tuple[str, ...] = get_args(DfRule)

DIFFERENCE_COLUMNS = ["n", "n_parent", "estimate_domain", "estimate_parent", "estimate", "se", "ci_low",
                      "ci_high", "df", "ci_method", "standardized", "differs"]


def parent_differences(
    data: pd.DataFrame | BoundDesign,
    design: Design | None = None,
    variables: list[str] | str | None = None,
    domain_sets: Mapping[str, Sequence[str]] | None = None,
    parents: Mapping[str, str] | Sequence[tuple[str, str]] | str | None = None,
    kind: Kind = "proportion",
    level: float = 0.95,
    standardize: Standardization | None = None,
) -> pd.DataFrame:
    """Each cell of a domain set minus the cell of its parent set that contains it, with a design-based CI.

    data, design: the frame and its `Design`, or a `BoundDesign` alone (``parent_differences(bound,
        variables, domain_sets, parents)``).
    domain_sets: as for `estimate_domains`, e.g. {"region": [], "municipality": ["municipality"],
        "municipality_sex": ["municipality", "sex"], "sex": ["sex"]}.
    parents: child set -> parent set (both names in `domain_sets`), e.g. {"municipality": "region",
        "municipality_sex": "sex"}; or (child, parent) pairs, to compare a set with several parents; or one
        set name, the parent of every other set. Every child cell must lie inside one parent cell (DataError
        otherwise), as a municipality lies inside its region.

    The difference p_d − p_P is linearized jointly on the full design: z = z_d − z_P, with z_d and z_P the
    influence values of the two domain estimates (zero outside their domains), so the covariance of the two
    estimates through the shared respondents, strata and PSUs is included. It is a statistic of the parent
    domain: df are the parent's (PSUs − strata among its respondents for the variable), and under
    ``lonely_psu="average"`` the lonely strata are averaged over the parent's strata. The CI is Wald,
    difference ± t(df)·SE, for proportions too (a difference has no logit scale). Standardized differences
    (`standardize`) subtract the two directly standardized estimates, each over its own age groups.

    Rows: one per child set × variable × child cell (sets in the order of `parents`). Columns: domain,
    domain_value, parent (the parent set), parent_value, variable, n, n_parent, estimate_domain,
    estimate_parent, estimate (the difference), se, ci_low, ci_high, df, ci_method, standardized and
    differs (the CI excludes 0; NA when there is no CI).

    R equivalent, for a cell d of parent P and variable y::

        sub <- subset(design, P & !is.na(y)); sub <- update(sub, yd = y * d, one = 1)
        r <- svyratio(~yd + y, ~d + one, sub, covmat = TRUE)
        confint(svycontrast(r, c("yd/d" = 1, "y/one" = -1)), df = degf(sub))
    """
    if isinstance(data, BoundDesign) and design is not None and not isinstance(design, Design):
        if parents is not None:
            raise TypeError("with a BoundDesign, give (variables, domain_sets, parents) once")
        design, variables, domain_sets, parents = None, design, variables, domain_sets
    if domain_sets is None or parents is None:
        raise TypeError("domain_sets and parents are required")
    if kind not in ("proportion", "mean"):
        raise ValueError(f"differences are of proportions or means, got kind={kind!r}")
    pairs = _pairs(domain_sets, parents)
    bound_design, names = call_inputs(data, design, variables)
    plan, engine, sums_of = prepare(bound_design, names, domain_sets, kind, level, standardize)
    index = {dset.name: i for i, dset in enumerate(plan.sets)}
    text = plan.uniques_text()
    specs = [ParentPair(index[c], index[p], parent_cells(plan, index[c], index[p])) for c, p in pairs]
    results, diffs = engine.run(sums_of, names, specs)

    pieces = []
    nvar = len(names)
    for spec, diff in zip(specs, diffs, strict=True):
        child, parent = plan.sets[spec.child], plan.sets[spec.parent]
        own, whole = results[spec.child], results[spec.parent]
        ncell = child.ncell
        est = flat(diff.estimate)
        se = np.sqrt(flat(diff.variance))
        df = flat(diff.df)
        low, high = wald(est, se, df, level)
        head = pd.DataFrame({
            "domain": np.full(ncell * nvar, child.name, dtype=object),
            "domain_value": np.tile(child.value_strings(text), nvar),
            "parent": np.full(ncell * nvar, parent.name, dtype=object),
            "parent_value": np.tile(parent.value_strings(text)[spec.cell_parent], nvar),
            "variable": np.repeat(np.array(names, dtype=object), ncell),
            "n": flat(own.n).astype(np.int64),
            "n_parent": flat(diff.n_parent).astype(np.int64),
            "estimate_domain": flat(own.estimate),
            "estimate_parent": flat(whole.estimate[spec.cell_parent]),
            "estimate": est,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "df": df,
            "ci_method": "wald",
            "standardized": standardize is not None,
            "differs": _differs(low, high),
        })
        pieces.append(head)
    out = pd.concat(pieces, ignore_index=True)
    out.attrs.update({"design": repr(bound_design.design), "kind": kind, "ci": "wald", "level": level,
                      "standardize": None if standardize is None else standardize.by})
    return out


def _pairs(domain_sets: Mapping[str, Sequence[str]],
           parents: Mapping[str, str] | Sequence[tuple[str, str]] | str) -> list[tuple[str, str]]:
    names = [str(k) for k in domain_sets]
    if isinstance(parents, str):
        if parents not in names:
            raise ValueError(f"parent set '{parents}' is not one of the domain sets ({', '.join(names)})")
        pairs = [(c, parents) for c in names if c != parents]
    elif isinstance(parents, Mapping):
        pairs = [(str(c), str(p)) for c, p in parents.items()]
    elif isinstance(parents, Sequence) and all(isinstance(x, tuple) and len(x) == 2 for x in parents):
        pairs = [(str(x[0]), str(x[1])) for x in parents]
    else:
        raise TypeError("parents must be a set name, a mapping child -> parent or (child, parent) pairs, got "
                        f"{parents!r}")
    if len(set(pairs)) != len(pairs):
        raise ValueError("parents lists a (child, parent) pair twice")
    if not pairs:
        raise ValueError("parents names no child set: give at least one other domain set")
    for child, parent in pairs:
        for role, name in (("child", child), ("parent", parent)):
            if name not in names:
                raise ValueError(f"{role} set '{name}' is not one of the domain sets ({', '.join(names)})")
        if child == parent:
            raise ValueError(f"domain set '{child}' cannot be its own parent")
    return pairs


def _differs(low: np.ndarray, high: np.ndarray) -> pd.arrays.BooleanArray:
    """The CI excludes 0 (NA where a limit is undefined)."""
    known = ~(np.isnan(low) | np.isnan(high))
    return pd.arrays.BooleanArray(np.where(known, (low > 0) | (high < 0), False), ~known)


def independent_difference(
    estimate1: np.ndarray | pd.Series | float,
    se1: np.ndarray | pd.Series | float,
    estimate2: np.ndarray | pd.Series | float,
    se2: np.ndarray | pd.Series | float,
    df1: np.ndarray | pd.Series | float = np.inf,
    df2: np.ndarray | pd.Series | float = np.inf,
    level: float = 0.95,
    df_rule: DfRule = "satterthwaite",
) -> pd.DataFrame:
    """estimate1 − estimate2 for independent samples: SE = sqrt(se1² + se2²), CI = difference ± t(df)·SE.

    df_rule chooses the degrees of freedom of the t quantile:
    * "satterthwaite" (default; Welch): df = (v1 + v2)² / (v1²/df1 + v2²/df2) with v = se², the usual
      approximation for a sum of independent variance estimates; it lies between min(df1, df2) and
      df1 + df2 and tends to the df of the estimate that dominates the variance. A published value without
      df (df = inf) adds no term.
    * "min": the smaller df (conservative);
    * "normal": the normal quantile (df = inf).
    If either df is ≤ 0 or NaN (an estimate without a variance estimate) df is that value and the limits NaN,
    under every rule. Arguments broadcast (arrays or scalars); returns columns estimate, se, df, ci_low,
    ci_high, differs.

    R equivalent: ``d <- e1 - e2; s <- sqrt(s1^2 + s2^2); d + c(-1, 1) * qt(0.975, df) * s``.
    """
    if df_rule not in DF_RULES:
        raise ValueError(f"df_rule must be one of {', '.join(DF_RULES)}, got {df_rule!r}")
    check_level(level)
    e1, s1, e2, s2, d1, d2 = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in
                                                   (estimate1, se1, estimate2, se2, df1, df2)))
    if ((s1 < 0) | (s2 < 0)).any():
        raise ValueError("standard errors must be non-negative")
    v1, v2 = s1 * s1, s2 * s2
    with np.errstate(divide="ignore", invalid="ignore"):
        if df_rule == "normal":
            df = np.full(e1.shape, np.inf)
        elif df_rule == "min":
            df = np.minimum(d1, d2)
        else:
            terms = np.where(v1 > 0, v1 * v1 / d1, 0.0) + np.where(v2 > 0, v2 * v2 / d2, 0.0)
            df = np.where(terms > 0, (v1 + v2) ** 2 / terms, np.minimum(d1, d2))
        usable = (d1 > 0) & (d2 > 0)
        df = np.where(usable, df, np.minimum(d1, d2))
        df = np.where(np.isnan(d1) | np.isnan(d2), np.nan, df)
    estimate = e1 - e2
    se = np.sqrt(v1 + v2)
    low, high = wald(estimate.reshape(-1), se.reshape(-1), df.reshape(-1), level)
    return pd.DataFrame({"estimate": estimate.reshape(-1), "se": se.reshape(-1), "df": df.reshape(-1),
                         "ci_low": low, "ci_high": high, "differs": _differs(low, high)})


def independent_differences(
    first: pd.DataFrame,
    second: pd.DataFrame,
    on: Sequence[str] = ("domain", "domain_value", "variable"),
    level: float = 0.95,
    df_rule: DfRule = "satterthwaite",
) -> pd.DataFrame:
    """Row-by-row `independent_difference` of two estimate tables (first − second), e.g. two waves.

    Rows are matched on the `on` columns (each key at most once per table); a row of only one table is kept
    with NaN differences, so nothing drops out silently. Each table needs estimate and se; df is used when
    present (else inf, e.g. a published value). Columns: `on`, estimate_1, se_1, df_1, estimate_2, se_2,
    df_2, then those of `independent_difference`.

    R equivalent: ``m <- merge(first, second, by = on, all = TRUE)``, then the formula of
    `independent_difference` on its columns.
    """
    keys = list(on)
    tables = []
    for name, table in (("first", first), ("second", second)):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f"{name} must be a pandas DataFrame, got {type(table).__name__}")
        require_columns(table, [*keys, "estimate", "se"], f"{name} table")
        if table.duplicated(keys).any():
            dup = table.loc[table.duplicated(keys), keys].iloc[0].tolist()
            raise DataError(f"{name} table has more than one row for {dict(zip(keys, dup, strict=True))}")
        part = table[[*keys, "estimate", "se"]].copy()
        part["df"] = table["df"].astype(np.float64) if "df" in table else np.inf
        tables.append(part)
    merged = tables[0].merge(tables[1], on=keys, how="outer", suffixes=("_1", "_2"), sort=False)
    diff = independent_difference(merged["estimate_1"], merged["se_1"], merged["estimate_2"], merged["se_2"],
                                  merged["df_1"], merged["df_2"], level=level, df_rule=df_rule)
    out = pd.concat([merged.reset_index(drop=True), diff], axis=1)
    out.attrs.update({"ci": "wald", "level": level, "df_rule": df_rule})
    return out


def se_from_ci(
    ci_low: np.ndarray | pd.Series | float,
    ci_high: np.ndarray | pd.Series | float,
    level: float = 0.95,
    df: np.ndarray | pd.Series | float = np.inf,
    estimate: np.ndarray | pd.Series | float | None = None,
    method: Literal["wald", "logit"] = "wald",
) -> np.ndarray:
    """The SE implied by a published CI, for comparing with a value that comes without one.

    "wald": (high − low) / (2 t); "logit" (an interval symmetric on the logit scale, as THL publishes for
    prevalences): p(1 − p)(logit(high) − logit(low)) / (2 t), which needs the `estimate` p. `df` = inf gives
    the normal quantile. This inverts `ath_analysis.survey.intervals.wald` / `logit` exactly.

    R equivalent: ``(hi - lo) / (2 * qt(0.975, df))``; logit: ``p * (1 - p) * (qlogis(hi) - qlogis(lo)) /
    (2 * qt(0.975, df))``.
    """
    check_level(level)
    low = np.asarray(ci_low, dtype=np.float64)
    high = np.asarray(ci_high, dtype=np.float64)
    shape = np.broadcast(low, high).shape
    t = t_quantile(1 - (1 - level) / 2, np.broadcast_to(np.asarray(df, dtype=np.float64), shape))
    if method == "wald":
        return (high - low) / (2 * t)
    if method == "logit":
        if estimate is None:
            raise ValueError("method='logit' needs the estimate")
        p = np.asarray(estimate, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return p * (1 - p) * (special.logit(high) - special.logit(low)) / (2 * t)
    raise ValueError(f"method must be 'wald' or 'logit', got {method!r}")
