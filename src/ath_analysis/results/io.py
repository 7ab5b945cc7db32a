"""Writing result tables: Parquet for machines, CSV for people, byte-identical from identical inputs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from ath_analysis.atomic import atomic_outputs
from ath_analysis.errors import ConfigError

CSV_FLOAT_FORMAT = "%.10g"
# A text cell starting with one of these is a formula to a spreadsheet (CSV injection: =HYPERLINK(…), +cmd…)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralize_text(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as formulas, prefixed with an apostrophe (shown as text);
    numbers are left as they are. Labels come from config and data files, which anyone may have written."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype("string")
            returns = text.str.contains("\r", regex=False).fillna(False).to_numpy(bool)
            if returns.any():  # a bare carriage return ends a CSV row in most readers
                text = text.str.replace("\r", " ", regex=False)
                values = values.astype(object).where(~returns, text.astype(object))
            risky = text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(bool)
            if risky.any():
                values = values.astype(object).where(~risky, "'" + text.astype(object))
            out[column] = values
    return out


def write_table(table: pd.DataFrame, parquet: str | Path, csv: str | Path) -> None:
    """Write a result table to Parquet and CSV together (all or nothing), with stable float formatting; text that
    would be a formula in a spreadsheet is written as text in the CSV."""
    with atomic_outputs(parquet, csv) as (parquet_tmp, csv_tmp):
        table.to_parquet(parquet_tmp, index=False)
        neutralize_text(table).to_csv(csv_tmp, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")


def read_wave_tables(paths: Sequence[str | Path], waves: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Every wave's indicator table, by wave name (`paths` in the order of `waves`)."""
    if len(paths) != len(waves):
        raise ConfigError(f"{len(paths)} indicator tables for {len(waves)} waves ({', '.join(waves)})")
    return {wave: pd.read_parquet(path) for wave, path in zip(waves, paths, strict=True)}


def read_optional_table(path: str | Path | None, required: Sequence[str], what: str) -> pd.DataFrame | None:
    """A result table an area report may use: None when absent, an error naming missing columns otherwise."""
    if not path or not Path(path).is_file():
        return None
    table = pd.read_parquet(path)
    missing = [c for c in required if c not in table]
    if missing:
        raise ConfigError(f"{path}: {what} lacks column(s) {', '.join(missing)}")
    return table


def read_part(path: str | Path) -> pd.DataFrame:
    """A table one job of a scattered stage wrote, with the column types it had in memory: pandas reads text
    back as `str`, so columns that were `object` (as the pandas metadata of the file records) are made `object`
    again, and the gathered table is written byte-identical to the one a single job writes."""
    table = pd.read_parquet(path)
    metadata = pq.read_schema(path).metadata or {}
    pandas_meta = json.loads(metadata.get(b"pandas", b"{}"))
    for column in pandas_meta.get("columns", []):
        name = column.get("name")
        if column.get("numpy_type") == "object" and name in table and table[name].dtype != object:
            table[name] = table[name].astype(object)
    return table


def read_columns(path: str | Path, wanted: Sequence[str]) -> pd.DataFrame:
    """Only the columns `wanted` of a Parquet table, those it has (a caller's column check names the others)."""
    present = set(pq.read_schema(path).names)
    return pd.read_parquet(path, columns=[c for c in wanted if c in present])
