"""Rule synthesize: one synthetic wave's `.sav` and its true population (data.synthetic: true)."""

from __future__ import annotations

import logging
from pathlib import Path

from ath_analysis.areas import load_area_tables
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.synth import SYNTHETIC_NOTE, generate_wave
from ath_analysis.yaml_files import read_yaml

PARAMS = ("wave", "seed")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "synthesize")
    summary = generate_wave(load_area_tables(input["areas"]), read_yaml(input["variables"]), str(params["wave"]),
                            int(params["seed"]), Path(output["sav"]), Path(output["population"]))
    log.info("%s: %d respondents of a population of %d (%s %d) — %s", output["sav"], summary["respondents"],
             summary["population"], summary["survey"], summary["year"], SYNTHETIC_NOTE)
