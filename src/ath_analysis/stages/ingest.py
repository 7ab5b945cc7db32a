"""Rule ingest: one wave's `.sav` → harmonized respondents, their labels and the ingest audit."""

from __future__ import annotations

import logging
from pathlib import Path

from ath_analysis.harmonization import load_wave_spec
from ath_analysis.ingest import ingest_wave, write_ingest
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.yaml_files import read_yaml

PARAMS = ("wave", "year", "survey", "file_checks", "min_age", "synthetic")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "ingest")
    wave = str(params["wave"])
    variables = read_yaml(input["variables"])
    specs = load_wave_spec(wave, read_yaml(input["harmonization"]), variables, input["harmonization"])
    wave_config = {"year": params["year"], "survey": params["survey"], **dict(params["file_checks"])}
    result = ingest_wave(input["sav"], wave, wave_config, specs, variables, int(params["min_age"]))
    result.audit["synthetic"] = bool(params["synthetic"])
    write_ingest(result, Path(output["respondents"]), Path(output["labels"]), Path(output["audit"]))
    audit = result.audit
    log.info("wave '%s': %d rows read, %d kept, excluded: %s", wave, audit["rows_read"], audit["rows_kept"],
             ", ".join(f"{k} {v}" for k, v in audit["excluded"].items()) or "none")
