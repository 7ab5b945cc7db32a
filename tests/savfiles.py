"""Helpers to make damaged or altered copies of a synthetic `.sav` for bad-input tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyreadstat


def rewrite_sav(source: Path, target: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    """Copy `source` to `target` with `change` applied to the data, keeping labels and user-missing codes."""
    data, meta = pyreadstat.read_sav(str(source), user_missing=True)
    data = change(data.copy())
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    pyreadstat.write_sav(
        data,
        str(target),
        column_labels=[labels.get(c) or c for c in data.columns],
        variable_value_labels={k: v for k, v in meta.variable_value_labels.items() if k in data.columns},
        missing_ranges={k: v for k, v in meta.missing_ranges.items() if k in data.columns},
        file_label=meta.file_label,
    )
    return target
