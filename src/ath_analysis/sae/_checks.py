"""Input checks shared by the SAE modules: every message names the offending argument."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError


class SAEDataError(DataError, ValueError):
    """Unusable small-area input data (a `DataError`, and a `ValueError` for callers outside the pipeline)."""


def as_vector(values: Any, name: str, m: int | None = None) -> np.ndarray:
    """A 1-D float array; `name` in the message when it is not numeric, not 1-D or of the wrong length."""
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(f"{name} must be one-dimensional, got a DataFrame with {values.shape[1]} columns")
        values = values.iloc[:, 0]
    try:
        if isinstance(values, pd.Series | pd.Index):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if m is not None and arr.shape[0] != m:
        raise ValueError(f"{name} has {arr.shape[0]} values but direct has {m}: one value per area is needed")
    return arr


def index_of(values: Any) -> pd.Index | None:
    """The pandas index of a Series/DataFrame argument, else None."""
    return values.index if isinstance(values, pd.Series | pd.DataFrame) else None
