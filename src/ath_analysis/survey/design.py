"""The sampling design: which columns carry weights, strata, PSUs and FPC, and how lonely PSUs are treated.

`Design` is a small declarative object (usable in config and notebooks); `resolve_design` turns it plus a
frame into the arrays the variance code needs. Everything that R `survey` fixes when `svydesign()` is called
(PSUs per stratum, finite population corrections, the lonely-PSU rule) is fixed here, once, on the FULL
frame: domain estimates later reuse these per-stratum constants, which is what makes them "domain estimates
on the full design" rather than estimates on a subset of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError
from ath_analysis.survey.validation import require_columns

if TYPE_CHECKING:
    from ath_analysis.survey.bound import BoundDesign

LonelyPSU = Literal["fail", "remove", "adjust", "certainty", "average"]
LONELY_POLICIES: tuple[str, ...] = get_args(LonelyPSU)

# R's onestrat() treats a stratum whose finite population correction factor is below this as sampled with
# certainty (it contributes no variance, and is not "lonely").
_CERTAINTY_TOLERANCE = 1e-7


@dataclass(frozen=True)
class Design:
    """A stratified, clustered, weighted sample design (Taylor linearization, with-replacement PSUs).

    weight: sampling weight column (non-negative, finite; zero weights keep a respondent in the design).
    strata: stratum column, or None for an unstratified design.
    psu: primary sampling unit (cluster) column, or None when every respondent is its own PSU. PSU ids are
        taken as nested within strata (R: ``svydesign(..., nest=TRUE)``).
    fpc: finite population correction column, constant within a stratum: either the population number of
        PSUs (all values >= 1) or the sampling fraction (all values <= 1), as R's ``fpc=``.
    lonely_psu: what to do with a stratum that has a single PSU, as ``options(survey.lonely.psu=...)``.
    """

    weight: str
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: LonelyPSU = "fail"

    def __post_init__(self) -> None:
        if self.lonely_psu not in LONELY_POLICIES:
            raise ValueError(f"lonely_psu must be one of {', '.join(LONELY_POLICIES)}, got {self.lonely_psu!r}")
        for field_name in ("weight", "strata", "psu", "fpc"):
            value = getattr(self, field_name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"Design.{field_name} must be a column name (str), got {value!r}")

    @property
    def columns(self) -> list[str]:
        """The frame columns this design reads."""
        return [c for c in (self.weight, self.strata, self.psu, self.fpc) if c is not None]

    def bind(self, frame: pd.DataFrame, domains: Sequence[str] | str = ()) -> BoundDesign:
        """This design applied to `frame`, resolved once for repeated estimation calls (`BoundDesign`).

        domains: columns every later call's finest cells cross, so calls by different sets of them share
        one pass over the rows (e.g. all the columns of the domain sets you will estimate).
        """
        from ath_analysis.survey.bound import BoundDesign

        return BoundDesign(self, frame, domains)


@dataclass(frozen=True)
class ResolvedDesign:
    """Per-row codes and per-stratum variance constants of a design applied to one frame.

    The variance of a linearized statistic with PSU totals z_hp is
    ``sum_h c_h * sum_p z_hp**2 - sum_h k_h * (sum_p z_hp)**2``; ``c_h`` and ``k_h`` encode the
    with-replacement factor n_h/(n_h-1), the FPC and the lonely-PSU policy.
    """

    weights: np.ndarray  # (n,) float64
    stratum: np.ndarray  # (n,) int64 codes 0..H-1
    psu: np.ndarray | None  # (n,) int64 codes 0..P-1, unique across strata; None = each row its own PSU
    stratum_labels: pd.Index
    n_psu: np.ndarray  # (H,) PSUs per stratum in the full design (zero-weight PSUs included, as R)
    c: np.ndarray  # (H,) coefficient of the sum of squared PSU totals
    k: np.ndarray  # (H,) coefficient of the squared stratum total
    lonely: np.ndarray  # (H,) bool: single-PSU stratum (only non-zero-sized for policy "average")
    policy: str
    has_zero_weights: bool
    psu_stratum: np.ndarray | None = None  # (P,) stratum code of every PSU code; None when rows are PSUs

    @property
    def n_strata(self) -> int:
        return len(self.n_psu)

    @property
    def unit_stratum(self) -> np.ndarray:
        """Stratum code of every variance unit code: of every PSU, or of every stratum (the identity) when
        rows are PSUs and the sums needed are by stratum."""
        return self.psu_stratum if self.psu_stratum is not None else np.arange(self.n_strata)


def _codes(values: pd.Series, column: str, role: str) -> tuple[np.ndarray, pd.Index]:
    if values.isna().any():
        raise DataError(f"{role} column '{column}' has {int(values.isna().sum())} missing values")
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


def _weights(frame: pd.DataFrame, column: str) -> np.ndarray:
    series = frame[column]
    try:
        w = series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DataError(f"weight column '{column}' is not numeric ({series.dtype})") from exc
    if np.isnan(w).any():
        raise DataError(f"weight column '{column}' has {int(np.isnan(w).sum())} missing values")
    if np.isinf(w).any():
        raise DataError(f"weight column '{column}' has {int(np.isinf(w).sum())} infinite values")
    if (w < 0).any():
        raise DataError(f"weight column '{column}' has {int((w < 0).sum())} negative values")
    if not (w > 0).any():
        raise DataError(f"weight column '{column}' has no positive weight")
    return w


def _fpc_factor(frame: pd.DataFrame, column: str, stratum: np.ndarray, n_psu: np.ndarray,
                labels: pd.Index) -> np.ndarray:
    """Per-stratum (N_h - n_h) / N_h, where N_h is given directly or as n_h / sampling fraction (as R)."""
    try:
        raw = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DataError(f"fpc column '{column}' is not numeric ({frame[column].dtype})") from exc
    if np.isnan(raw).any():
        raise DataError(f"fpc column '{column}' has {int(np.isnan(raw).sum())} missing values")
    if (raw <= 0).any():
        raise DataError(f"fpc column '{column}' has non-positive values")
    n_strata = len(n_psu)
    lo = np.full(n_strata, np.inf)
    hi = np.full(n_strata, -np.inf)
    np.minimum.at(lo, stratum, raw)
    np.maximum.at(hi, stratum, raw)
    varying = np.flatnonzero(lo != hi)
    if varying.size:
        raise DataError(f"fpc column '{column}' varies within stratum '{labels[varying[0]]}'")
    as_popsize = bool((raw > 1).any())
    if as_popsize and (raw < 1).any():
        raise DataError(f"fpc column '{column}' mixes population sizes (>1) and sampling fractions (<1)")
    popsize = lo if as_popsize else n_psu / lo
    too_small = np.flatnonzero(popsize < n_psu)
    if too_small.size:
        h = too_small[0]
        raise DataError(f"fpc column '{column}' implies more than 100% sampling in stratum '{labels[h]}' "
                        f"(population {popsize[h]:g}, sampled PSUs {n_psu[h]})")
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(popsize), 1.0, (popsize - n_psu) / popsize)


def resolve_design(frame: pd.DataFrame, design: Design) -> ResolvedDesign:
    """Validate the design columns of `frame` and compute the per-stratum variance constants."""
    require_columns(frame, design.columns, "design")
    n = len(frame)
    w = _weights(frame, design.weight)
    if design.strata is not None:
        stratum, labels = _codes(frame[design.strata], design.strata, "strata")
    else:
        stratum, labels = np.zeros(n, dtype=np.int64), pd.Index(["(all)"])
    n_strata = len(labels)

    psu: np.ndarray | None = None
    psu_stratum: np.ndarray | None = None
    if design.psu is not None:
        psu_raw, _ = _codes(frame[design.psu], design.psu, "psu")
        # nest PSUs within strata: a PSU is a (stratum, psu) pair
        pair = stratum * (int(psu_raw.max()) + 1) + psu_raw
        _, psu = np.unique(pair, return_inverse=True)
        psu = psu.astype(np.int64)
        psu_stratum = np.empty(int(psu.max()) + 1, dtype=np.int64)
        psu_stratum[psu] = stratum
        n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)
    else:
        n_psu = np.bincount(stratum, minlength=n_strata).astype(np.float64)

    if design.fpc is not None:
        f = _fpc_factor(frame, design.fpc, stratum, n_psu, labels)
    else:
        f = np.ones(n_strata)

    certainty = f < _CERTAINTY_TOLERANCE
    single = (n_psu == 1) & ~certainty
    policy = design.lonely_psu
    if single.any() and design.strata is None:
        raise DataError(f"design has only one PSU (psu column '{design.psu}'); no variance can be estimated")
    if single.any() and policy == "fail":
        which = ", ".join(f"'{labels[h]}'" for h in np.flatnonzero(single)[:5])
        raise DataError(
            f"stratum {which} of strata column '{design.strata}' has only one PSU; "
            "choose Design(lonely_psu='remove'|'adjust'|'certainty'|'average')"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(n_psu > 1, f * n_psu / (n_psu - 1), 0.0)
        k = np.where(n_psu > 1, c / n_psu, 0.0)
    if policy == "adjust":
        # a lonely PSU is not centred on its stratum mean (R: centred on zero, i.e. on the domain mean
        # already subtracted from the influence values)
        c = np.where(single, f, c)
    c = np.where(certainty, 0.0, c)
    k = np.where(certainty, 0.0, k)
    return ResolvedDesign(
        weights=w,
        stratum=stratum,
        psu=psu,
        stratum_labels=labels,
        n_psu=n_psu,
        c=c,
        k=k,
        lonely=single if policy == "average" else np.zeros(n_strata, dtype=bool),
        policy=policy,
        has_zero_weights=bool((w == 0).any()),
        psu_stratum=psu_stratum,
    )
