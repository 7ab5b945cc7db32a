"""Rule truth: the true indicator values of the synthetic populations (for coverage checks).

The workflow scatters it by wave: rule `truth_part` (`run_part`) computes one wave's truth from its population and
national strata, and rule `truth` (`stages.gather.run_truth`) puts the waves' parts together into the one table,
byte-identical to what `run` (all waves in one job) writes.
"""

from __future__ import annotations

import logging

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import Indicator, canonical_variables, indicators_from_rules
from ath_analysis.places import Places
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.synth.truth import population_truth

PARAMS = ("fieldwork_dates", "geography", "indicators", "places")
PART_PARAMS = ("wave", "fieldwork_date", "geography", "indicators", "places")


def _wave_truth(where: Places, geography: GeographySettings, indicators: list[Indicator], wave: str,
                fieldwork_date: str, population: str, national: str | None) -> pd.DataFrame:
    """One wave's truth; without the wave's national strata, Etelä-Savo's domains only."""
    return population_truth(pd.read_parquet(population), where.areas, geography, fieldwork_date, indicators, wave,
                            pd.read_parquet(national) if national else None, municipalities=where.municipalities)


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """All waves in one job (the unscattered stage; the reference of the scattered one)."""
    exact_params(params, PARAMS, "truth")
    where = places(input, params["places"])
    geography = GeographySettings.from_config(params["geography"])
    indicators = indicators_from_rules(params["indicators"], canonical_variables(input["variables"]))
    dates = dict(params["fieldwork_dates"])
    nationals = list(input.get("nationals") or [None] * len(dates))
    parts = [_wave_truth(where, geography, indicators, wave, dates[wave], path, national)
             for wave, path, national in zip(dates, input["populations"], nationals, strict=True)]
    table = pd.concat(parts, ignore_index=True)
    with atomic_outputs(output["table"]) as (tmp,):
        table.to_parquet(tmp, index=False)
    log.info("%d true values (%d waves × %d indicators)", len(table), len(dates), len(indicators))


def run_part(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """One wave's truth (params `wave`, `fieldwork_date`; inputs `population` and the optional `national`)."""
    exact_params(params, PART_PARAMS, "truth_part")
    wave = str(params["wave"])
    indicators = indicators_from_rules(params["indicators"], canonical_variables(input["variables"]))
    national = input.get("national")  # a path, or absent (an empty list) for Etelä-Savo's domains only
    if isinstance(national, list):
        national = national[0] if national else None
    table = _wave_truth(places(input, params["places"]), GeographySettings.from_config(params["geography"]),
                        indicators, wave, str(params["fieldwork_date"]), str(input["population"]),
                        str(national) if national else None)
    with atomic_outputs(output["table"]) as (tmp,):
        table.to_parquet(tmp, index=False)
    log.info("%d true values of wave %s (%d indicators)", len(table), wave, len(indicators))
