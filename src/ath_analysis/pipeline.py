"""Pipeline stages: what each Snakemake rule (and the CLI) calls.

Each stage reads its declared inputs, calls the library, and writes its declared outputs all or nothing.
`run_stage` turns an `AthError` into a one-line message on stderr and a non-zero exit, without a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.areas import load_area_tables
from ath_analysis.atomic import atomic_outputs
from ath_analysis.config import read_yaml
from ath_analysis.errors import AthError
from ath_analysis.geography import attach_geography
from ath_analysis.harmonization import load_wave_spec
from ath_analysis.ingest import ingest_wave, write_ingest


def run_stage(stage: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a stage; on a user-caused error print the message and exit 1 (outputs are never half-written)."""
    try:
        return stage(**kwargs)
    except AthError as exc:
        print(f"ath-analysis: error: {exc}", file=sys.stderr)
        sys.exit(1)


def synthesize(config: Mapping[str, Any], wave: str, sav: str, population: str) -> None:
    """Generate one synthetic wave's `.sav` and its true population."""
    from ath_analysis.synth import generate_wave

    generate_wave(
        load_area_tables(config["areas_dir"]),
        read_yaml(config["variables"]),
        wave,
        int(config["data"]["synthetic_seed"]),
        Path(sav),
        Path(population),
    )


def ingest(config: Mapping[str, Any], wave: str, sav: str, respondents: str, labels: str, audit: str) -> None:
    """`.sav` → harmonized respondents + labels + audit."""
    variables = read_yaml(config["variables"])
    specs = load_wave_spec(wave, read_yaml(config["harmonization"]), variables, config["harmonization"])
    result = ingest_wave(sav, wave, config["waves"][wave], specs, variables, config["geography"]["min_age"])
    result.audit["synthetic"] = bool(config["data"]["synthetic"])
    write_ingest(result, Path(respondents), Path(labels), Path(audit))


def geography(config: Mapping[str, Any], wave: str, respondents: str, ingest_audit: str, analysis: str,
              audit: str) -> None:
    """Respondents → analysis table with current areas, region membership, sub-areas and age groups."""
    frame = pd.read_parquet(respondents)
    fieldwork = config["waves"][wave]["fieldwork_date"]
    result, geo_audit = attach_geography(
        frame, load_area_tables(config["areas_dir"]), config["geography"], wave, fieldwork
    )
    stage_audit = json.loads(Path(ingest_audit).read_text(encoding="utf-8"))
    stage_audit["geography"] = geo_audit
    with atomic_outputs(analysis, audit) as (analysis_tmp, audit_tmp):
        result.to_parquet(analysis_tmp, index=False)
        audit_tmp.write_text(json.dumps(stage_audit, ensure_ascii=False, indent=2) + "\n")


def _indicator_definitions(config: Mapping[str, Any]) -> list[Any]:
    from ath_analysis.indicators.definitions import canonical_variables, load_indicators

    return load_indicators(config["indicators"], variables=canonical_variables(config["variables"]))


def indicators(config: Mapping[str, Any], wave: str, analysis: str, output: str, audit: str) -> None:
    """Analysis table → one column per indicator (NaN = not in the denominator), with design and domains."""
    from ath_analysis.indicators.table import build_indicator_table

    table, stage_audit = build_indicator_table(pd.read_parquet(analysis), _indicator_definitions(config), wave,
                                               config["indicators"])
    for warning in stage_audit["warnings"]:
        print(f"ath-analysis: warning: {warning}", file=sys.stderr)
    with atomic_outputs(output, audit) as (table_tmp, audit_tmp):
        table.to_parquet(table_tmp, index=False)
        audit_tmp.write_text(json.dumps(stage_audit, ensure_ascii=False, indent=2) + "\n")


def truth(config: Mapping[str, Any], populations: Mapping[str, str], output: str) -> None:
    """True indicator values of the synthetic populations (for coverage checks)."""
    from ath_analysis.truth import population_truth

    areas = load_area_tables(config["areas_dir"])
    definitions = _indicator_definitions(config)
    parts = [
        population_truth(pd.read_parquet(path), areas, config["geography"],
                         config["waves"][wave]["fieldwork_date"], definitions, wave)
        for wave, path in populations.items()
    ]
    with atomic_outputs(output) as (tmp,):
        pd.concat(parts, ignore_index=True).to_parquet(tmp, index=False)


def _wave_tables(config: Mapping[str, Any], inputs: Mapping[str, str]
                 ) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """Every wave's indicator table and survey year, for the stages that work on all waves together."""
    waves = {wave: pd.read_parquet(path) for wave, path in inputs.items()}
    return waves, {wave: config["waves"][wave]["year"] for wave in waves}


def estimate(config: Mapping[str, Any], inputs: Mapping[str, str], parquet: str, csv: str) -> None:
    """All waves' indicator tables → the tidy estimate table (Parquet and CSV)."""
    from ath_analysis.estimates import build_estimates
    from ath_analysis.tables import write_table

    table = build_estimates(*_wave_tables(config, inputs), _indicator_definitions(config), config,
                            load_area_tables(config["areas_dir"]), read_yaml(config["variables"]))
    write_table(table, parquet, csv)


def report(config: Mapping[str, Any], area: str, estimates: str, models: str | None, audits: list[str],
           config_files: list[str], html: str, xlsx: str, csv: str, figures: str,
           small_areas: str | None = None) -> None:
    """Tables + audits → one area's self-contained HTML report, Excel workbook, formatted CSV and figures
    (with the Fay–Herriot sub-area estimates when the area shows small areas)."""
    from ath_analysis.report import build_area_report

    build_area_report(area=area, config=config, estimates_path=estimates, models_path=models, audit_paths=audits,
                      config_files=config_files, html_path=html, xlsx_path=xlsx, csv_path=csv, figures_dir=figures,
                      small_areas_path=small_areas)


def compare(config: Mapping[str, Any], inputs: Mapping[str, str], parquet: str, csv: str) -> None:
    """All waves' indicator tables → the tidy table of survey-weighted area comparisons (Parquet and CSV)."""
    from ath_analysis.compare import build_models
    from ath_analysis.tables import write_table

    table = build_models(*_wave_tables(config, inputs), _indicator_definitions(config), config,
                         load_area_tables(config["areas_dir"]), read_yaml(config["variables"]))
    write_table(table, parquet, csv)


def small_areas(config: Mapping[str, Any], inputs: Mapping[str, str], populations: Mapping[str, str] | None,
                parquet: str, csv: str) -> None:
    """Indicator tables (+ synthetic populations or the covariate file) → Fay–Herriot sub-area estimates."""
    from ath_analysis.labels import domain_value_labels
    from ath_analysis.small_areas import build_covariates, estimate_small_areas, select_indicators
    from ath_analysis.tables import write_table

    areas = load_area_tables(config["areas_dir"])
    ids = select_indicators(_indicator_definitions(config), config["small_areas"]["indicators"])
    people = {wave: pd.read_parquet(path) for wave, path in populations.items()} if populations else None
    covariates = build_covariates(config, areas, people, list(inputs))
    waves, years = _wave_tables(config, inputs)
    labels = domain_value_labels(areas, read_yaml(config["variables"]), config["report"]["language"])
    table, warnings = estimate_small_areas(waves, years, ids, covariates, config, labels)
    for warning in warnings:
        print(f"ath-analysis: warning: {warning}", file=sys.stderr)
    write_table(table, parquet, csv)
