"""Rule small_areas: indicator tables (+ synthetic populations or the covariate file) → Fay–Herriot estimates.

The workflow scatters it by wave: rule `small_areas_part` runs `run` on one wave (its indicator table, its
population, params of that wave only) and rule `small_areas` puts the waves' tables and audits
together (`stages.gather.run_small_areas`), byte-identical to `run` on all waves in one job.
"""

from __future__ import annotations

import json
import logging

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.errors import ConfigError
from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.results.io import read_wave_tables
from ath_analysis.results.small_areas import (
    DirectSettings,
    SmallAreaSettings,
    estimate_small_areas,
    file_covariates,
    select_indicators,
    synthetic_covariates,
)
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.yaml_files import read_yaml

PARAMS = ("waves", "fieldwork_dates", "indicators", "small_areas", "estimate", "min_n", "geography", "min_age",
          "language", "synthetic", "places")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "small_areas")
    years = {str(w): int(y) for w, y in params["waves"].items()}
    where = places(input, params["places"])
    subareas = where.subareas
    if subareas is None:
        raise ConfigError("small_areas: geography.subareas is not configured, so there are no sub-areas to model")
    settings = SmallAreaSettings.from_config(params["small_areas"])
    geography = GeographySettings.from_config(params["geography"])
    definitions = indicators_from_rules(params["indicators"], canonical_variables(input["variables"]))
    ids = select_indicators(definitions, settings.indicators)
    if params["synthetic"]:
        populations = {wave: pd.read_parquet(path) for wave, path in zip(years, input["covariates"], strict=True)}
        covariates = synthetic_covariates(settings, where.areas, subareas, populations, geography,
                                          int(params["min_age"]), dict(params["fieldwork_dates"]))
    else:
        covariates = file_covariates(settings, subareas, input["covariates"][0], list(years))
    estimate = params["estimate"]
    waves = read_wave_tables(input["waves"], list(years))
    labels = where.labels(read_yaml(input["variables"]), str(params["language"]))
    min_n = int(params["min_n"])

    def fitted(hide_below: int | None) -> tuple[pd.DataFrame, list[str]]:
        return estimate_small_areas(
            waves, years, ids, covariates, settings,
            DirectSettings(estimate["ci_method"], float(estimate["level"]), estimate["lonely_psu"]), min_n,
            geography.region_code, labels, bool(params["synthetic"]), subareas.municipality, hide_below)

    table, warnings = fitted(None)  # internal: every area's answers
    publishable, _ = fitted(min_n)  # for publication: areas below min_n get the synthetic estimate
    for warning in warnings:
        log.warning("%s", warning)
    with atomic_outputs(output["internal"], output["publishable"]) as (internal_tmp, publishable_tmp):
        table.to_parquet(internal_tmp, index=False)
        publishable.to_parquet(publishable_tmp, index=False)
    if "audit" in output:
        audit = {"rows": len(table), "indicators": ids, "area_sets": list(settings.area_sets), "warnings": warnings}
        with atomic_outputs(output["audit"]) as (tmp,):
            tmp.write_text(json.dumps(audit, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("%d rows: %d indicators × %d waves × %s; %d areas below %d respondents get the synthetic estimate",
             len(table), len(ids), len(years), ", ".join(settings.area_sets),
             int((publishable["estimate_type"] == "synthetic").sum()), min_n)

