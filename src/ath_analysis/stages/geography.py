"""Rule geography: respondents → the analysis table (current areas, region membership, sub-areas, ages)."""

from __future__ import annotations

import json
import logging

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.geography import GeographySettings, attach_geography
from ath_analysis.stages.common import places
from ath_analysis.stages.runner import Input, Output, Params, exact_params

PARAMS = ("wave", "fieldwork_date", "geography", "places")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "geography")
    wave = str(params["wave"])
    frame = pd.read_parquet(input["respondents"])
    where = places(input, params["places"])
    result, audit = attach_geography(frame, where.areas, GeographySettings.from_config(params["geography"]), wave,
                                     str(params["fieldwork_date"]), where.municipalities, where.subareas)
    audit = {"wave": wave, **audit}
    for warning in audit.get("warnings", []):
        log.warning("wave '%s': %s", wave, warning)
    with atomic_outputs(output["analysis"], output["audit"]) as (analysis_tmp, audit_tmp):
        result.to_parquet(analysis_tmp, index=False)
        audit_tmp.write_text(json.dumps(audit, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("wave '%s': %d respondents, %d in the region", wave, audit["rows_out"], audit["in_region"])
