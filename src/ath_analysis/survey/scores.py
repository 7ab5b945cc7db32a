"""Design-based covariance of per-respondent linearized values (estimating-function scores, influence values).

For a statistic whose linearization is a matrix Z (one row per respondent of the full frame, one column per
parameter; zero for respondents outside the statistic's domain), the with-replacement covariance is

    V = Σ_h c_h Σ_p z_hp z_hp' − Σ_h k_h (Σ_p z_hp)(Σ_p z_hp)'

with z_hp the PSU totals of Z and c_h, k_h the per-stratum factors of `ResolvedDesign` (FPC, n_h/(n_h−1) and
the lonely-PSU policy, fixed on the full design). This is R's ``svyrecvar`` for one-stage designs, and what
``svyglm``'s sandwich (Z = estimating functions × A⁻¹) and ``svymean`` (Z = w(y − ȳ)/Σw) compute on
``subset(design, domain)``.
"""

from __future__ import annotations

import numpy as np

from ath_analysis.survey.design import ResolvedDesign


def _group_sums(codes: np.ndarray, size: int, values: np.ndarray) -> np.ndarray:
    """Sums of the rows of `values` (n × p) per code in [0, size) (one bincount per column)."""
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=size)
    return out


def _occupied(codes: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of `codes` (all in [0, size)), sorted."""
    return np.flatnonzero(np.bincount(codes, minlength=size))


def design_df(rd: ResolvedDesign, rows: np.ndarray | None = None) -> int:
    """R's ``degf(subset(design, rows))``: PSUs minus strata, counting only respondents with a positive weight."""
    inset = rd.weights > 0
    if rows is not None:
        inset = inset & rows
    if rd.psu is not None:
        n_units = len(_occupied(rd.psu[inset], len(rd.unit_stratum)))
    else:
        n_units = int(inset.sum())
    return int(n_units - len(_occupied(rd.stratum[inset], rd.n_strata)))


def design_covariance(rd: ResolvedDesign, scores: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Covariance (p × p) of the totals of `scores` under the design.

    scores: (m × p) or (m,) linearized values of the respondents in `rows` (a bool mask over the design's
        rows: the statistic's domain; None = every row). Respondents outside `rows` count as zeros; `rows`
        also decides which strata are present for ``lonely_psu="average"`` (R: the strata of
        ``subset(design, rows)``).
    """
    z = np.asarray(scores, dtype=np.float64)
    if z.ndim == 1:
        z = z[:, None]
    if rows is None:
        stratum, psu = rd.stratum, rd.psu
    else:
        rows = np.asarray(rows, dtype=bool)
        if rows.shape != rd.weights.shape:
            raise ValueError(f"rows must be a mask of the design's {len(rd.weights)} rows")
        stratum = rd.stratum[rows]
        psu = rd.psu[rows] if rd.psu is not None else None
    if z.shape[0] != len(stratum):
        raise ValueError(f"scores have {z.shape[0]} rows for {len(stratum)} respondents")
    if psu is not None:
        units = _occupied(psu, len(rd.unit_stratum))
        unit_code = np.zeros(len(rd.unit_stratum), dtype=np.int64)
        unit_code[units] = np.arange(len(units))
        z = _group_sums(unit_code[psu], len(units), z)
        stratum = rd.unit_stratum[units]
    totals = _group_sums(stratum, rd.n_strata, z)
    variance = (z * rd.c[stratum][:, None]).T @ z - (totals * rd.k[:, None]).T @ totals
    if rd.policy == "average":
        present = np.zeros(rd.n_strata, dtype=bool)
        present[stratum] = True
        nstrat = int(present.sum())
        nlonely = int((present & rd.lonely).sum())
        variance = variance * (nstrat / (nstrat - nlonely) if nstrat > nlonely else np.nan)
    return (variance + variance.T) / 2
