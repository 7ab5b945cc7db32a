"""Rule indicators: the analysis table → one column per indicator (NaN = not in the denominator)."""

from __future__ import annotations

import json
import logging

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.indicators.definitions import canonical_variables, indicators_from_rules
from ath_analysis.indicators.table import build_indicator_table
from ath_analysis.stages.runner import Input, Output, Params, exact_params

PARAMS = ("wave", "indicators", "source")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "indicators")
    wave = str(params["wave"])
    definitions = indicators_from_rules(params["indicators"], canonical_variables(input["variables"]),
                                        str(params["source"]))
    table, audit = build_indicator_table(pd.read_parquet(input["analysis"]), definitions, wave, str(params["source"]))
    for warning in audit["warnings"]:
        log.warning("%s", warning)
    with atomic_outputs(output["table"], output["audit"]) as (table_tmp, audit_tmp):
        table.to_parquet(table_tmp, index=False)
        audit_tmp.write_text(json.dumps(audit, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("wave '%s': %d indicators for %d respondents", wave, len(definitions), len(table))
