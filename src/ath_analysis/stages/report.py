"""Rule area_report: result tables + audits → one area's HTML report, workbook, formatted table and figures."""

from __future__ import annotations

import logging
from typing import Any

from ath_analysis.report import build_area_report
from ath_analysis.report.settings import ReportSettings
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params

PARAMS = ("area", "spec", "language", "model_wave", "boundaries_code_property", "disclosure", "precision",
          "geography", "estimate", "small_areas", "waves", "synthetic", "places", "local_knowledge",
          "figure_cache")


def _files(value: Any) -> list[str]:
    """An input entry as a list of paths (a rule's optional input is an empty list)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _one(value: Any) -> str | None:
    """An optional input: its path, or None when the rule gives none."""
    files = _files(value)
    return files[0] if files else None


def run(input: Input, output: Output, params: Params, log: logging.Logger, threads: int = 1) -> None:
    """threads: the job's threads (the rule's `threads:`); the figures are drawn in as many processes."""
    exact_params(params, PARAMS, "report")
    settings = ReportSettings.from_params(params)
    config_files = [input["indicators"], input["variables"], *input["areas"], *_files(input["centres"]),
                    *_files(input["boundaries"]), *_files(input.get("register")), *_files(input.get("subarea_table"))]
    summary = build_area_report(
        settings=settings,
        estimates_path=input["estimates"],
        models_path=_one(input["comparisons"]),
        small_areas_path=_one(input["small_areas"]),
        differences_path=_one(input.get("differences")),
        audit_path=_one(input.get("publication_audit")),
        cards_dir=output.get("cards"),
        excel_csv_path=output.get("excel_csv"),
        ingest_audits=input["ingest_audits"],
        geography_audits=input["geography_audits"],
        indicators_path=input["indicators"],
        variables_path=input["variables"],
        places=places(input, params["places"]),
        centres_path=_one(input["centres"]),
        boundaries_path=_one(input["boundaries"]),
        register_path=_one(input.get("register")),
        config_files=config_files,
        settings_record={k: v for k, v in params.items() if k != "figure_cache"},
        processes=threads,
        figure_cache_dir=params["figure_cache"],
        html_path=output["html"], xlsx_path=output["xlsx"], csv_path=output["csv"], figures_dir=output["figures"],
    )
    log.info("report %s: %d indicators, %d figures, %d cards (%d PDF pages)", summary["area"], summary["indicators"],
             summary["figures"], summary["cards"], summary["card_pages"])
