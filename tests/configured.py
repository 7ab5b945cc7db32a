"""Test adapters: the library's table builders and the stages called from a whole (default-filled) config.

The workflow passes each stage only the config values its rule declares (workflow/rules/*.smk); these helpers
build the same params from a config dict, so tests can change one setting and call a builder or a stage.
`tests/test_stages.py` checks that these params are exactly what the workflow's rules pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.areas import AREA_TABLE_FILES, AreaTables
from ath_analysis.disclosure import PublicationRules
from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import Indicator, canonical_variables, indicator_rules, load_indicators
from ath_analysis.places import Places, SubareaSettings, load_places
from ath_analysis.results.comparisons import CompareSettings, build_comparisons
from ath_analysis.results.estimates import EstimateSettings, build_estimates
from ath_analysis.results.small_areas import (
    DirectSettings,
    SmallAreaSettings,
    estimate_small_areas,
    file_covariates,
    synthetic_covariates,
)
from ath_analysis.stages.runner import run_stage
from ath_analysis.subareas import Subareas

GEOGRAPHY_KEYS = ("region_code", "reference_date", "membership", "urban_rural_source")


def rules_of(config: Mapping[str, Any]) -> PublicationRules:
    return PublicationRules.from_config(config["disclosure"], config["precision"])


def geography_of(config: Mapping[str, Any]) -> GeographySettings:
    return GeographySettings.from_config(config["geography"])


def places_of(config: Mapping[str, Any]) -> Places:
    geography = config["geography"]
    return load_places(config["areas_dir"], geography["register"], SubareaSettings.from_config(geography["subareas"]),
                       geography["reference_date"], geography["splits"])


def subareas_of(config: Mapping[str, Any]) -> Subareas | None:
    return places_of(config).subareas


def labels_of(config: Mapping[str, Any], areas: AreaTables, variables: Mapping[str, Any]) -> dict:
    return places_of(config).labels(variables, config["report"]["language"])


def estimates(waves: Mapping[str, pd.DataFrame], years: Mapping[str, int], indicators: Sequence[Indicator],
              config: Mapping[str, Any], areas: AreaTables, variables: Mapping[str, Any]) -> pd.DataFrame:
    return build_estimates(waves, years, indicators, EstimateSettings.from_config(config["estimate"]),
                           rules_of(config), config["geography"]["region_code"], areas.esp2013,
                           labels_of(config, areas, variables), bool(config["data"]["synthetic"]))


def comparisons(waves: Mapping[str, pd.DataFrame], years: Mapping[str, int], indicators: Sequence[Indicator],
                config: Mapping[str, Any], areas: AreaTables, variables: Mapping[str, Any]) -> pd.DataFrame:
    return build_comparisons(waves, years, indicators, CompareSettings.from_config(config["compare"]),
                             config["estimate"]["lonely_psu"], config["estimate"]["level"], rules_of(config),
                             config["geography"]["region_code"], labels_of(config, areas, variables),
                             config["report"]["language"], bool(config["data"]["synthetic"]))


def covariates(config: Mapping[str, Any], areas: AreaTables, populations: Mapping[str, pd.DataFrame] | None,
               waves: Sequence[str]) -> dict:
    settings = SmallAreaSettings.from_config(config["small_areas"])
    subareas = subareas_of(config)
    assert subareas is not None
    if config["data"]["synthetic"]:
        dates = {w: config["waves"][w]["fieldwork_date"] for w in waves}
        return synthetic_covariates(settings, areas, subareas, {w: populations[w] for w in waves},
                                    geography_of(config), config["geography"]["min_age"], dates)
    return file_covariates(settings, subareas, settings.covariate_file, waves)


def small_area_table(waves: Mapping[str, pd.DataFrame], years: Mapping[str, int], ids: Sequence[str], cov: Mapping,
                     config: Mapping[str, Any], labels: Mapping) -> tuple[pd.DataFrame, list[str]]:
    est = config["estimate"]
    return estimate_small_areas(waves, years, ids, cov, SmallAreaSettings.from_config(config["small_areas"]),
                                DirectSettings(est["ci_method"], est["level"], est["lonely_psu"]),
                                config["disclosure"]["min_n"], config["geography"]["region_code"], labels,
                                bool(config["data"]["synthetic"]), config["geography"]["subareas"]["municipality"])


# ------------------------------------------------------------------------------ stage params, as the rules pass
def write_indicator_tables(config: Mapping[str, Any], waves: Sequence[str], sav_dir: Path, out: Path,
                           areas: AreaTables, variables: Mapping[str, Any], harmonization: Mapping[str, Any],
                           definitions: Sequence[Indicator]) -> dict[str, Path]:
    """Each wave's indicator table as the ingest, geography and indicators stages write it: wave → Parquet."""
    from ath_analysis.geography import attach_geography
    from ath_analysis.harmonization import load_wave_spec
    from ath_analysis.indicators.table import build_indicator_table
    from ath_analysis.ingest import ingest_wave

    paths = {}
    for wave in waves:
        specs = load_wave_spec(wave, harmonization, variables)
        result = ingest_wave(sav_dir / f"{wave}.sav", wave, config["waves"][wave], specs, variables)
        frame, _ = attach_geography(result.respondents, areas, geography_of(config), wave,
                                    config["waves"][wave]["fieldwork_date"], subareas=subareas_of(config))
        table, _ = build_indicator_table(frame, definitions, wave)
        paths[wave] = out / f"{wave}_indicators.parquet"
        table.to_parquet(paths[wave], index=False)
    return paths


def indicator_rules_of(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    return indicator_rules(load_indicators(config["indicators"], variables=canonical_variables(config["variables"])))


def area_files(config: Mapping[str, Any]) -> list[str]:
    return [str(Path(config["areas_dir"]) / name) for name in AREA_TABLE_FILES]


def params(config: Mapping[str, Any], rule: str, wave: str | None = None, area: str | None = None
           ) -> dict[str, Any]:
    """The params the workflow's rule `rule` passes (see workflow/rules/*.smk)."""
    waves = config["waves"]
    years = {w: spec["year"] for w, spec in waves.items()}
    dates = {w: spec["fieldwork_date"] for w, spec in waves.items()}
    geography = {k: config["geography"][k] for k in GEOGRAPHY_KEYS}
    synthetic = bool(config["data"]["synthetic"])
    places = {"subareas": config["geography"]["subareas"], "splits": config["geography"]["splits"],
              "reference_date": config["geography"]["reference_date"]}
    language = config["report"]["language"]
    if rule == "ingest":
        assert wave is not None
        return {"wave": wave, "year": waves[wave]["year"], "survey": waves[wave]["survey"],
                "file_checks": {k: v for k, v in waves[wave].items() if k in ("encoding", "expected_rows", "sha256")},
                "min_age": config["geography"]["min_age"], "synthetic": synthetic}
    if rule == "geography":
        assert wave is not None
        return {"wave": wave, "fieldwork_date": waves[wave]["fieldwork_date"], "geography": geography,
                "places": places}
    if rule == "indicators":
        return {"wave": wave, "indicators": indicator_rules_of(config), "source": config["indicators"]}
    if rule == "estimate":
        return {"waves": years, "indicators": indicator_rules_of(config), "estimate": config["estimate"],
                "disclosure": config["disclosure"], "precision": config["precision"],
                "region_code": config["geography"]["region_code"], "language": language, "synthetic": synthetic,
                "places": places}
    if rule == "publish":
        subareas = config["geography"]["subareas"]
        return {"waves": years, "min_n": config["disclosure"]["min_n"], "certify": config["disclosure"]["certify"],
                "region_code": config["geography"]["region_code"],
                "estimate": {k: config["estimate"][k] for k in ("domains", "standardize_by")},
                "compare": {k: config["compare"][k] for k in ("comparisons", "adjusters")},
                "small_area_sets": config["small_areas"]["area_sets"],
                "subarea_municipality": subareas["municipality"] if subareas else None}
    if rule == "differences":
        return {"waves": years, "indicators": indicator_rules_of(config), "estimate": config["estimate"],
                "region_code": config["geography"]["region_code"], "national": config["data"]["national"],
                "synthetic": synthetic, "places": places,
                "reference_values": config["reference_values"] if not config["data"]["national"] else None}
    if rule == "compare":
        return {"waves": years, "indicators": indicator_rules_of(config), "compare": config["compare"],
                "lonely_psu": config["estimate"]["lonely_psu"], "level": config["estimate"]["level"],
                "disclosure": config["disclosure"], "precision": config["precision"],
                "region_code": config["geography"]["region_code"], "language": language, "synthetic": synthetic,
                "places": places}
    if rule == "small_areas":
        return {"waves": years, "fieldwork_dates": dates if synthetic else {}, "indicators": indicator_rules_of(config),
                "small_areas": config["small_areas"],
                "estimate": {k: config["estimate"][k] for k in ("ci_method", "level", "lonely_psu")},
                "min_n": config["disclosure"]["min_n"], "geography": geography,
                "min_age": config["geography"]["min_age"], "language": language, "synthetic": synthetic,
                "places": places}
    if rule == "truth":
        return {"fieldwork_dates": dates, "geography": geography, "indicators": indicator_rules_of(config),
                "places": places}
    if rule == "truth_part":
        assert wave is not None
        return {"wave": wave, "fieldwork_date": dates[wave], "geography": geography,
                "indicators": indicator_rules_of(config), "places": places}
    if rule == "area_report":
        assert area is not None
        spec = config["report"]["areas"][area]
        shows = bool(spec.get("small_areas"))
        return {
            "area": area, "spec": spec, "language": language, "model_wave": config["report"]["model_wave"],
            "boundaries_code_property": config["report"]["boundaries_code_property"] if spec.get("map") else None,
            "disclosure": config["disclosure"], "precision": config["precision"],
            "geography": {k: config["geography"][k] for k in ("region_code", "reference_date", "min_age")},
            "estimate": {k: config["estimate"][k] for k in ("level", "ci_method", "standardize_by", "domains")},
            "small_areas": {k: config["small_areas"][k] for k in ("max_direct_cv", "covariates", "method",
                                                                  "transform", "finite_population")} if shows else {},
            "waves": {w: {k: s[k] for k in ("survey", "year", "fieldwork_date")} for w, s in waves.items()},
            "synthetic": synthetic, "places": places, "local_knowledge": bool(config["local_knowledge"]),
            "figure_cache": str(Path(config["data"]["processed_dir"]) / "cache" / "figures"),
        }
    if rule == "local_report":
        assert area is not None
        spec = config["report"]["areas"][area]
        from ath_analysis.local.cli import region_labels

        return {"area": area, "spec": {k: v for k, v in spec.items()
                                       if k in ("name_fi", "name_en", "focus", "compare", "labels_en")},
                "language": language, "region_code": config["geography"]["region_code"],
                "region_labels": list(region_labels(config)), "synthetic": synthetic, "places": places}
    raise KeyError(rule)


def run(module: Any, rule: str, input: Mapping[str, Any], output: Mapping[str, Any], params: Mapping[str, Any],
        log_path: str | Path | None = None) -> int:
    """Run a stage as its script does (error policy included); the exit code (0 or 1)."""
    return run_stage(module.run, rule, input, output, params, str(log_path) if log_path else None)


def area_report(config: Mapping[str, Any], area: str, *, estimates: str | Path, models: str | Path | None,
                ingest_audits: Sequence[str | Path], geography_audits: Sequence[str | Path], html: str | Path,
                xlsx: str | Path, csv: str | Path, figures: str | Path, small_areas: str | Path | None = None,
                now: Any = None) -> dict[str, Any]:
    """One area's report from a whole config, with the inputs the report rule gives it."""
    from ath_analysis.report import build_area_report
    from ath_analysis.report.settings import ReportSettings

    spec = config["report"]["areas"][area]
    boundaries = config["report"]["boundaries"] if spec.get("map") else None
    centres = Path(config["areas_dir"]) / "municipality_centres.csv" if spec.get("map") and not boundaries else None
    given = params(config, "area_report", area=area)
    return build_area_report(
        settings=ReportSettings.from_params(given), settings_record=given,
        estimates_path=estimates, models_path=models, small_areas_path=small_areas,
        ingest_audits=ingest_audits, geography_audits=geography_audits, indicators_path=config["indicators"],
        variables_path=config["variables"], places=places_of(config), centres_path=centres,
        boundaries_path=boundaries, config_files=[config["indicators"]], html_path=html, xlsx_path=xlsx,
        csv_path=csv, figures_dir=figures, now=now)
