"""Rule synthesize: one synthetic wave's `.sav`, its true Etelä-Savo population and its national strata
(data.synthetic: true)."""

from __future__ import annotations

import logging
from pathlib import Path

from ath_analysis.areas import load_area_tables
from ath_analysis.register import load_national_register
from ath_analysis.stages.runner import Input, Output, Params, exact_params
from ath_analysis.synth import SYNTHETIC_NOTE, generate_wave
from ath_analysis.synth.country import read_counties
from ath_analysis.yaml_files import read_yaml

PARAMS = ("wave", "seed")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "synthesize")
    counties = read_counties(input["counties"]) if input.get("counties") else None
    # a national register (its manifest.json), when the rule has one: real municipalities for the national sample
    manifest = input.get("register") or []
    manifest = manifest[0] if isinstance(manifest, list) and manifest else manifest
    register = load_national_register(Path(manifest).parent) if manifest else None
    national = Path(output["national"]) if output.get("national") else None
    summary = generate_wave(load_area_tables(input["areas"]), read_yaml(input["variables"]), str(params["wave"]),
                            int(params["seed"]), Path(output["sav"]), Path(output["population"]),
                            counties=counties, register=register, national_path=national)
    log.info("%s: %d respondents in %d counties (%d in the national sample) of %d adults in Etelä-Savo and %d "
             "elsewhere (%s %d) — %s", output["sav"], summary["respondents"], summary["counties"],
             summary["national_respondents"], summary["population"], summary["national_population"], summary["survey"],
             summary["year"], SYNTHETIC_NOTE)
