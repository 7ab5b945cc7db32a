"""Rule local_report: the gated tables + the local-knowledge workbook → one area's local page and partnership pack.

Reads only what the publication gate let out (`reports/tables/estimates.parquet`, `differences.parquet`), the
checked workbook and the reference tables that place its areas, so editing the workbook reruns only this rule.
"""

from __future__ import annotations

import logging

import pandas as pd

from ath_analysis.errors import ConfigError
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.local.catalogue import ThemeCatalogue, area_catalogue
from ath_analysis.local.workbook import read_workbook
from ath_analysis.report.local_data import local_area, prepare_local
from ath_analysis.report.local_page import write_local_page
from ath_analysis.report.pack import write_pack
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params

PARAMS = ("area", "spec", "language", "region_code", "region_labels", "synthetic", "places")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "local_report")
    region_code = str(params["region_code"])
    where = places(input, params["places"])
    label_fi, label_en = (list(params["region_labels"]) + [None, None])[:2]
    areas = area_catalogue(where.municipalities, region_code, str(params["places"]["reference_date"]),
                           region_label_fi=label_fi, region_label_en=label_en, subareas=where.subareas)
    indicators = load_indicators(input["indicators"], variables=canonical_variables(input["variables"]))
    themes = ThemeCatalogue.from_indicators(indicators)
    knowledge = read_workbook(input["workbook"], areas, themes)
    if knowledge.example and not params["synthetic"]:
        raise ConfigError(f"local_knowledge: {input['workbook']} is a made-up EXAMPLE workbook and the survey data "
                          "are real; name your own workbook (ath-analysis local template) or set local_knowledge: null")
    outputs = prepare_local(
        pd.read_parquet(input["estimates"]), pd.read_parquet(input["differences"]), knowledge, areas, themes,
        indicators, local_area(str(params["area"]), params["spec"], region_code), region_code,
        lang=str(params["language"]), synthetic=bool(params["synthetic"]),
    )
    sources = {"tables": f"{input['estimates']}, {input['differences']}", "workbook": str(input["workbook"])}
    write_local_page(outputs, output["page"], sources=sources)
    pages = write_pack(outputs, output["pack_html"], output["pack_pdf"])
    need = outputs.need["finding"].value_counts()
    log.info("local page %s: %d indicators, %d need-meets-no-one cells, %d actions followed; pack: %d A4 pages%s",
             params["area"], outputs.cells["indicator"].nunique(), int(need.get("need_no_one", 0)),
             outputs.follow["action"].nunique() if not outputs.follow.empty else 0, pages,
             " (EXAMPLE workbook)" if knowledge.example else "")
