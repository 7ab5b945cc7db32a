"""Rule compare: all waves' indicator tables → the comparison table (survey-weighted models, crude/adjusted).

The workflow scatters it: rule `compare_part` (`run_part`) fits the models of one data set — a wave, or the
waves pooled — and rule `compare` (`stages.gather.run_comparisons`) puts the parts together into the one
table, byte-identical to what `run` (all data sets in one job) writes.
"""

from __future__ import annotations

import logging

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.disclosure import PublicationRules
from ath_analysis.errors import ConfigError
from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.results.comparisons import (
    POOLED,
    CompareSettings,
    build_comparisons,
    comparison_part,
    level_columns,
)
from ath_analysis.results.io import read_columns, read_wave_tables
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.yaml_files import read_yaml

PARAMS = ("waves", "indicators", "compare", "lonely_psu", "level", "disclosure", "precision", "region_code",
          "language", "synthetic", "places")
PART_PARAMS = (*PARAMS, "dataset")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """All data sets in one job (the unscattered stage; the reference of the scattered one)."""
    exact_params(params, PARAMS, "compare")
    years = {str(w): int(y) for w, y in params["waves"].items()}
    where = places(input, params["places"])
    language = str(params["language"])
    table = build_comparisons(
        read_wave_tables(input["waves"], list(years)), years,
        indicators_from_rules(params["indicators"], canonical_variables(input["variables"])),
        CompareSettings.from_config(params["compare"]), params["lonely_psu"], float(params["level"]),
        PublicationRules.from_config(params["disclosure"], params["precision"]), str(params["region_code"]),
        where.labels(read_yaml(input["variables"]), language), language, bool(params["synthetic"]),
    )
    with atomic_outputs(output["table"]) as (tmp,):
        table.to_parquet(tmp, index=False)
    log.info("%d rows written to %s", len(table), output["table"])


def run_part(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """One data set's models (params `dataset`: a wave, or "pooled"); the other waves are read for the
    comparisons' levels only."""
    exact_params(params, PART_PARAMS, "compare_part")
    years = {str(w): int(y) for w, y in params["waves"].items()}
    dataset = str(params["dataset"])
    settings = CompareSettings.from_config(params["compare"])
    paths = list(input["waves"])
    if len(paths) != len(years):
        raise ConfigError(f"compare_part: {len(paths)} indicator tables for {len(years)} waves ({', '.join(years)})")
    columns = level_columns(settings)
    waves = {wave: pd.read_parquet(path) if dataset in (wave, POOLED) else read_columns(path, columns)
             for wave, path in zip(years, paths, strict=True)}
    where = places(input, params["places"])
    language = str(params["language"])
    table = comparison_part(
        waves, years, dataset,
        indicators_from_rules(params["indicators"], canonical_variables(input["variables"])),
        settings, params["lonely_psu"], float(params["level"]),
        PublicationRules.from_config(params["disclosure"], params["precision"]), str(params["region_code"]),
        where.labels(read_yaml(input["variables"]), language), language, bool(params["synthetic"]),
    )
    with atomic_outputs(output["table"]) as (tmp,):
        table.to_parquet(tmp, index=False)
    log.info("%s: %d rows written to %s", dataset, len(table), output["table"])

