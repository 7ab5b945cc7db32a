"""Rule truth: the true indicator values of the synthetic populations (for coverage checks)."""

from __future__ import annotations

import logging

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.synth.truth import population_truth

PARAMS = ("fieldwork_dates", "geography", "indicators", "places")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "truth")
    where = places(input, params["places"])
    geography = GeographySettings.from_config(params["geography"])
    indicators = indicators_from_rules(params["indicators"], canonical_variables(input["variables"]))
    dates = dict(params["fieldwork_dates"])
    # the national strata of each wave (absent: Etelä-Savo's domains only)
    nationals = list(input.get("nationals") or [None] * len(dates))
    parts = [population_truth(pd.read_parquet(path), where.areas, geography, dates[wave], indicators, wave,
                              pd.read_parquet(national) if national else None, municipalities=where.municipalities)
             for wave, path, national in zip(dates, input["populations"], nationals, strict=True)]
    table = pd.concat(parts, ignore_index=True)
    with atomic_outputs(output["table"]) as (tmp,):
        table.to_parquet(tmp, index=False)
    log.info("%d true values (%d waves × %d indicators)", len(table), len(dates), len(indicators))
