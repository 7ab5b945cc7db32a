"""Rule small_areas: indicator tables (+ synthetic populations or the covariate file) → Fay–Herriot estimates."""

from __future__ import annotations

import json
import logging

import pandas as pd

from ath_analysis.areas import load_area_tables
from ath_analysis.atomic import atomic_outputs
from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.labels import domain_value_labels
from ath_analysis.results.io import read_wave_tables, write_table
from ath_analysis.results.small_areas import (
    DirectSettings,
    SmallAreaSettings,
    estimate_small_areas,
    file_covariates,
    select_indicators,
    synthetic_covariates,
)
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.yaml_files import read_yaml

PARAMS = ("waves", "fieldwork_dates", "indicators", "small_areas", "estimate", "min_n", "geography", "min_age",
          "language", "synthetic")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "small_areas")
    years = {str(w): int(y) for w, y in params["waves"].items()}
    areas = load_area_tables(input["areas"])
    settings = SmallAreaSettings.from_config(params["small_areas"])
    geography = GeographySettings.from_config(params["geography"])
    definitions = indicators_from_rules(params["indicators"], canonical_variables(input["variables"]))
    ids = select_indicators(definitions, settings.indicators)
    if params["synthetic"]:
        populations = {wave: pd.read_parquet(path) for wave, path in zip(years, input["covariates"], strict=True)}
        covariates = synthetic_covariates(settings, areas, populations, geography, int(params["min_age"]),
                                          dict(params["fieldwork_dates"]))
    else:
        covariates = file_covariates(settings, areas, input["covariates"][0], list(years))
    estimate = params["estimate"]
    table, warnings = estimate_small_areas(
        read_wave_tables(input["waves"], list(years)), years, ids, covariates, settings,
        DirectSettings(estimate["ci_method"], float(estimate["level"]), estimate["lonely_psu"]),
        int(params["min_n"]), geography.region_code,
        domain_value_labels(areas, read_yaml(input["variables"]), str(params["language"])), bool(params["synthetic"]),
    )
    for warning in warnings:
        log.warning("%s", warning)
    write_table(table, output["parquet"], output["csv"])
    if "audit" in output:
        audit = {"rows": len(table), "indicators": ids, "area_sets": list(settings.area_sets), "warnings": warnings}
        with atomic_outputs(output["audit"]) as (tmp,):
            tmp.write_text(json.dumps(audit, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("%d rows: %d indicators × %d waves × %s", len(table), len(ids), len(years), ", ".join(settings.area_sets))
