"""Writing result tables: Parquet for machines, CSV for people, byte-identical from identical inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ath_analysis.atomic import atomic_outputs

CSV_FLOAT_FORMAT = "%.10g"


def write_table(table: pd.DataFrame, parquet: str | Path, csv: str | Path) -> None:
    """Write a result table to Parquet and CSV together (all or nothing), with stable float formatting."""
    with atomic_outputs(parquet, csv) as (parquet_tmp, csv_tmp):
        table.to_parquet(parquet_tmp, index=False)
        table.to_csv(csv_tmp, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
