"""Direct age standardization: the standard population and the helper that builds it from ESP2013.

Standardized estimates answer "what would the prevalence be if this area had the standard age structure",
so areas with older or younger populations can be compared. The estimator and its variance are R's
``svystandardize(design, by=~age, over=~domain, population=..., excluding.missing=~y)``: respondents are
re-weighted so that, within each domain cell, the age groups carry the standard population's shares.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError


@dataclass(frozen=True)
class Standardization:
    """Standardize over the groups in column `by` to the standard `population` (level -> size or share).

    The population is normalised to shares over the levels of `by` found in the data, so sizes and
    proportions give the same result (and levels absent from the data, e.g. ages 0–19, do not matter).
    Every level present needs a positive population value and no respondent may lack `by`. A domain cell
    without some age group is standardized over the groups it has (R: ``postStratify(partial=TRUE)``).
    Zero-weight respondents contribute nothing; R's postStratify residualization gives them a small
    influence (it replaces their zero post-stratum weight by 1), so R's SE differs when they are present.
    """

    by: str
    population: Mapping[Hashable, float] | pd.Series = field(hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.by, str):
            raise ValueError(f"Standardization.by must be a column name (str), got {self.by!r}")
        shares = self.shares()
        if shares.empty:
            raise ValueError("Standardization.population is empty")

    def shares(self) -> pd.Series:
        """The standard population as shares summing to 1, indexed by level."""
        pop = pd.Series(self.population, dtype="float64") if not isinstance(self.population, pd.Series) \
            else self.population.astype("float64")
        if pop.isna().any() or (pop < 0).any() or not np.isfinite(pop.to_numpy()).all():
            raise ValueError("Standardization.population must be finite and non-negative")
        total = float(pop.sum())
        if total <= 0:
            raise ValueError("Standardization.population sums to zero")
        return pop / total

    def level_shares(self, levels: Sequence[object]) -> np.ndarray:
        """Shares aligned to the `by` levels found in the data (matched by value, also '1' vs 1.0)."""
        shares = self.shares()
        lookup = {_key(k): float(v) for k, v in shares.items()}
        out = np.empty(len(levels))
        for i, level in enumerate(levels):
            key = _key(level)
            if key not in lookup:
                raise DataError(f"standardization column '{self.by}' has level {level!r} that is not in the "
                                f"standard population (levels: {', '.join(map(str, shares.index))})")
            out[i] = lookup[key]
        if (out <= 0).any():
            bad = levels[int(np.flatnonzero(out <= 0)[0])]
            raise DataError(f"standardization column '{self.by}' level {bad!r} has zero standard population "
                            "but respondents in the data")
        return out


def _key(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


_BAND = re.compile(r"^\s*(\d+)\s*(?:[-–]\s*(\d+)|(\+))\s*$")


def _parse_band(band: str | tuple[int, int | None]) -> tuple[int, float]:
    if isinstance(band, tuple):
        lo, hi = band
        return int(lo), (np.inf if hi is None else int(hi))
    match = _BAND.match(str(band))
    if not match:
        raise ValueError(f"age band {band!r} is not like '20-54' or '75+'")
    lo = int(match.group(1))
    return lo, (np.inf if match.group(3) else int(match.group(2)))


def collapse_esp2013(table: pd.DataFrame, bands: Sequence[str | tuple[int, int | None]]) -> pd.Series:
    """Sum ESP2013 5-year weights into age bands (e.g. ["20-54", "55-74", "75+"]) for `Standardization`.

    `table` has columns age_group, age_min, age_max, weight; an open top group ("95+") has an empty
    age_max. Bands must start and end on the table's group limits, so no 5-year group is split; rows outside
    every band (e.g. ages under 20) are ignored. Returns the summed weight indexed by band label.
    """
    missing = [c for c in ("age_min", "age_max", "weight") if c not in table.columns]
    if missing:
        raise DataError(f"ESP2013 table lacks column(s) {', '.join(missing)}")
    lo = pd.to_numeric(table["age_min"], errors="raise").to_numpy(dtype=float)
    hi = pd.to_numeric(table["age_max"], errors="coerce").to_numpy(dtype=float)
    hi = np.where(np.isnan(hi), np.inf, hi)
    weight = pd.to_numeric(table["weight"], errors="raise").to_numpy(dtype=float)
    out = {}
    used = np.zeros(len(lo), dtype=bool)
    for band in bands:  # a handful of bands: not a hot path
        b_lo, b_hi = _parse_band(band)
        label = band if isinstance(band, str) else (f"{b_lo}+" if b_hi == np.inf else f"{b_lo}-{b_hi}")
        if b_lo not in set(lo) or (b_hi not in set(hi)):
            raise ValueError(f"age band {band!r} does not start and end on ESP2013 group limits")
        inside = (lo >= b_lo) & (hi <= b_hi)
        if (inside & used).any():
            raise ValueError(f"age band {band!r} overlaps another band")
        used |= inside
        out[str(label).strip()] = float(weight[inside].sum())
    series = pd.Series(out, name="weight", dtype="float64")
    series.index.name = "age_band"
    return series
