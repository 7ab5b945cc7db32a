"""Rule compare: all waves' indicator tables → the comparison table (survey-weighted models, crude/adjusted)."""

from __future__ import annotations

import logging

from ath_analysis.atomic import atomic_outputs
from ath_analysis.disclosure import PublicationRules
from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.results.comparisons import CompareSettings, build_comparisons
from ath_analysis.results.io import read_wave_tables
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.yaml_files import read_yaml

PARAMS = ("waves", "indicators", "compare", "lonely_psu", "level", "disclosure", "precision", "region_code",
          "language", "synthetic", "places")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
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
