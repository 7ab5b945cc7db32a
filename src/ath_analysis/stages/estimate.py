"""Rule estimate: all waves' indicator tables → the tidy estimate table (primary suppression; the publication
gate decides what else to withhold)."""

from __future__ import annotations

import logging

from ath_analysis.atomic import atomic_outputs
from ath_analysis.disclosure import PublicationRules
from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.results.estimates import EstimateSettings, build_estimates
from ath_analysis.results.io import read_wave_tables
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.yaml_files import read_yaml

PARAMS = ("waves", "indicators", "estimate", "disclosure", "precision", "region_code", "language", "synthetic",
          "places")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "estimate")
    years = {str(w): int(y) for w, y in params["waves"].items()}
    where = places(input, params["places"])
    variables = read_yaml(input["variables"])
    indicators = indicators_from_rules(params["indicators"], canonical_variables(input["variables"]))
    table = build_estimates(
        read_wave_tables(input["waves"], list(years)), years, indicators,
        EstimateSettings.from_config(params["estimate"]),
        PublicationRules.from_config(params["disclosure"], params["precision"]),
        str(params["region_code"]), where.areas.esp2013, where.labels(variables, str(params["language"])),
        bool(params["synthetic"]),
    )
    with atomic_outputs(output["table"]) as (tmp,):
        table.to_parquet(tmp, index=False)
    log.info("%d rows (%d suppressed) for %d indicators × %d waves", len(table), int(table["suppressed"].sum()),
             len(indicators), len(years))
