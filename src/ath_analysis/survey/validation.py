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


def numeric_values(frame: pd.DataFrame, column: str, kind: str, check_binary: bool = True) -> np.ndarray:
    """One variable as float64 (n,) with NaN for missing, checked for `kind` (a read-only view when the column
    is already float64). check_binary=False leaves the 0/1 check of a proportion to the caller
    (`binary_error`), which can do it with counts it computes anyway."""
    series = frame[column]
    try:
        out = series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DataError(f"variable '{column}' is not numeric ({series.dtype}); recode it to numbers first") from exc
    if kind == "proportion":
        if check_binary and not ((out == 0) | (out == 1) | np.isnan(out)).all():  # also rejects ±inf
            raise binary_error(column, out)
    elif np.isinf(out).any():
        raise DataError(f"variable '{column}' has infinite values")
    return out


def binary_state(values: np.ndarray, column: str) -> np.ndarray:
    """A proportion variable as uint8 codes: 0 missing, 1 for y = 0, 2 for y = 1 (DataError for other values)."""
    observed = values == values
    one = values == 1
    if np.count_nonzero(values == 0) + np.count_nonzero(one) != np.count_nonzero(observed):
        raise binary_error(column, values)
    return observed.view(np.uint8) + one.view(np.uint8)


def binary_error(column: str, values: np.ndarray) -> DataError:
    """The error for a proportion variable with values other than 0, 1 and missing (naming a few of them)."""
    bad = pd.unique(values[~((values == 0) | (values == 1) | np.isnan(values))])[:5]
    return DataError(f"proportion variable '{column}' must be 0/1/missing, found values "
                     f"{', '.join(f'{v:g}' for v in bad)}")


def check_level(level: float) -> None:
    if not (isinstance(level, int | float) and 0 < float(level) < 1):
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}")
