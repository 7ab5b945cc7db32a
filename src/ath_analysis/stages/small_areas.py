"""Rule small_areas: indicator tables (+ synthetic populations or the covariate file) → Fay–Herriot estimates.

The workflow scatters it by wave: rule `small_areas_part` runs `run` on one wave (its indicator table, its
population, params of that wave only) and rule `small_areas` (`run_gather`) puts the waves' tables and audits
together, byte-identical to `run` on all waves in one job.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.errors import ConfigError
from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.results.io import read_part, read_wave_tables
from ath_analysis.results.small_areas import (
    DirectSettings,
    SmallAreaSettings,
    estimate_small_areas,
    file_covariates,
    gather_small_areas,
    select_indicators,
    synthetic_covariates,
)
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.yaml_files import read_yaml

PARAMS = ("waves", "fieldwork_dates", "indicators", "small_areas", "estimate", "min_n", "geography", "min_age",
          "language", "synthetic", "places")
GATHER_PARAMS = ("waves",)


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


def run_gather(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """The waves' tables and audits (inputs `internal`, `publishable`, `audits`, in the order of params `waves`)
    → the small-area tables and audit of all waves."""
    exact_params(params, GATHER_PARAMS, "small_areas")
    waves = [str(w) for w in params["waves"]]
    lists = {name: list(input[name]) for name in ("internal", "publishable", "audits")}
    for name, paths in lists.items():
        if len(paths) != len(waves):
            raise ConfigError(f"small_areas: {len(paths)} {name} parts for {len(waves)} waves ({', '.join(waves)})")
    audits = [json.loads(Path(path).read_text(encoding="utf-8")) for path in lists["audits"]]
    ids, area_sets = audits[0]["indicators"], audits[0]["area_sets"]
    for path, audit in zip(lists["audits"], audits, strict=True):
        if audit["indicators"] != ids or audit["area_sets"] != area_sets:
            raise ConfigError(f"{path}: indicators or area sets differ from those of {lists['audits'][0]} "
                              "(rerun the small-area jobs)")
    table = gather_small_areas([read_part(p) for p in lists["internal"]], ids, area_sets)
    publishable = gather_small_areas([read_part(p) for p in lists["publishable"]], ids, area_sets)
    warnings = [warning for audit in audits for warning in audit["warnings"]]  # wave by wave, as one job's
    with atomic_outputs(output["internal"], output["publishable"]) as (internal_tmp, publishable_tmp):
        table.to_parquet(internal_tmp, index=False)
        publishable.to_parquet(publishable_tmp, index=False)
    audit = {"rows": len(table), "indicators": ids, "area_sets": area_sets, "warnings": warnings}
    with atomic_outputs(output["audit"]) as (tmp,):
        tmp.write_text(json.dumps(audit, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    synthetic = int((publishable["estimate_type"] == "synthetic").sum()) if len(publishable) else 0
    log.info("%d rows: %d indicators × %d waves × %s; %d areas get the synthetic estimate", len(table), len(ids),
             len(waves), ", ".join(area_sets), synthetic)
