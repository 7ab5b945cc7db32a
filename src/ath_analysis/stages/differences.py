"""Rule differences: indicator tables + the estimate table → every cell against region, country, previous wave."""

from __future__ import annotations

import logging

import pandas as pd

from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.register import read_reference_values
from ath_analysis.results.differences import build_differences, published_for_waves
from ath_analysis.results.estimates import EstimateSettings
from ath_analysis.results.io import read_wave_tables, write_table
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params

PARAMS = ("waves", "indicators", "estimate", "region_code", "national", "synthetic", "places", "reference_values")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "differences")
    years = {str(w): int(y) for w, y in params["waves"].items()}
    where = places(input, params["places"])
    indicators = indicators_from_rules(params["indicators"], canonical_variables(input["variables"]))
    published = None
    settings = params["reference_values"]
    if settings and not params["national"]:
        values = read_reference_values(input["reference_values"][0], settings["indicators"])
        published = published_for_waves(values, years, settings["region_level"], settings.get("region_code"))
    table = build_differences(
        read_wave_tables(input["waves"], list(years)), years, indicators,
        EstimateSettings.from_config(params["estimate"]), pd.read_parquet(input["estimates"]),
        str(params["region_code"]), where.areas.esp2013, bool(params["national"]), bool(params["synthetic"]),
        published,
    )
    write_table(table, output["parquet"], output["csv"])
    counts = table.groupby("reference")["differs"].agg(lambda d: int(d.fillna(False).sum()))
    log.info("%d differences (%d suppressed); clear ones by reference: %s", len(table), int(table["suppressed"].sum()),
             ", ".join(f"{k} {v}" for k, v in counts.items()))
