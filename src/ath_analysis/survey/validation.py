"""Input checks whose messages name the offending column, so a user can fix the data rather than the code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError, close_matches


def as_list(value: str | Sequence[str] | None, what: str) -> list[str]:
    """Accept one column name or a sequence of them."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    out = list(value)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise ValueError(f"{what} must be column names (str), got {bad[0]!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{what} lists a column twice: {out}")
    return out


def require_columns(frame: pd.DataFrame, columns: Iterable[str], role: str) -> None:
    """Raise DataError for the first column that the frame lacks, with a did-you-mean hint."""
    present = [str(c) for c in frame.columns]
    for column in columns:
        if column not in frame.columns:
            raise DataError(f"{role} column '{column}' not found in the data{close_matches(column, present)}")


def numeric_block(frame: pd.DataFrame, columns: Sequence[str], kind: str) -> np.ndarray:
    """The variables as a float64 (len(columns), n) matrix with NaN for missing, checked for `kind`."""
    out = np.empty((len(columns), len(frame)), dtype=np.float64)
    for j, column in enumerate(columns):
        series = frame[column]
        try:
            out[j] = series.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise DataError(f"variable '{column}' is not numeric ({series.dtype}); "
                            "recode it to numbers first") from exc
    if kind == "proportion":
        ok = (out == 0) | (out == 1) | np.isnan(out)  # also rejects ±inf
        if not ok.all():
            j = int(np.flatnonzero(~ok.all(axis=1))[0])
            bad = pd.unique(out[j, ~ok[j]])[:5]
            raise DataError(f"proportion variable '{columns[j]}' must be 0/1/missing, found values "
                            f"{', '.join(f'{v:g}' for v in bad)}")
    elif np.isinf(out).any():
        j = int(np.flatnonzero(np.isinf(out).any(axis=1))[0])
        raise DataError(f"variable '{columns[j]}' has infinite values")
    return out


def check_level(level: float) -> None:
    if not (isinstance(level, int | float) and 0 < float(level) < 1):
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}")
