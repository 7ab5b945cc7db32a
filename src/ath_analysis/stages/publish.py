"""Rule publish: the publication gate. Every table that leaves for reports/ passes here, audited together.

The estimate, comparison and small-area stages write their tables to data/processed/results/ with primary
suppression only; this stage knows every cell of every table as a set of respondents of its wave, withholds
what would let anyone recover a group of fewer than disclosure.min_n respondents (the linked-table audit),
and writes the published tables and the audit's figures.

Each wave's audit is its own, so the workflow scatters it: `run_part` (rule publish_part) audits one wave and
writes its decision to a small JSON file, and `run_gather` (rule publish) applies the waves' decisions to the
tables. `run` does both in one job; the written files are the same, byte for byte.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.disclosure.published import (
    GateResult,
    GateSettings,
    combine,
    decision_record,
    public_small_areas,
    publication_gate,
    read_decision,
    wave_gate,
    withhold_estimates,
    withhold_models,
    withhold_small_areas,
)
from ath_analysis.errors import ConfigError
from ath_analysis.results.comparisons import comparisons_from_config
from ath_analysis.results.io import read_wave_tables, write_table
from ath_analysis.stages.runner import Input, Output, Params, exact_params

AUDIT_PARAMS = ("min_n", "certify", "region_code", "estimate", "compare", "small_area_sets", "subarea_municipality")
PARAMS = ("waves", *AUDIT_PARAMS)
PART_PARAMS = ("wave", *AUDIT_PARAMS)
GATHER_PARAMS = ("waves", "min_n")


def _tables(input: Input) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (pd.read_parquet(input["estimates"]), pd.read_parquet(input["comparisons"]),
            pd.read_parquet(input["small_areas"]))


def _settings(params: Params, estimates: pd.DataFrame, small_areas: pd.DataFrame) -> GateSettings:
    estimate, compare = params["estimate"], params["compare"]
    return GateSettings(
        min_n=int(params["min_n"]), region_code=str(params["region_code"]), domain_sets=estimate["domains"],
        standardize_by=estimate["standardize_by"] if estimates["standardized"].any() else None,
        comparisons=comparisons_from_config(compare), adjusters=list(compare["adjusters"]),
        small_area_sets=list(params["small_area_sets"]) if len(small_areas) else [],
        small_area_municipality=params["subarea_municipality"], certify=float(params["certify"]),
    )


def _log_wave(log: logging.Logger, wave: str, figures: Mapping[str, Any]) -> None:
    log.info("wave %s: %s cells, %s published, %s withheld as primary and %s as secondary suppression; "
             "%s atoms, %s sets checked, %s exposed after the audit", wave, figures["cells"],
             figures["published"], figures["withheld_primary"], figures["withheld_secondary"], figures["atoms"],
             figures["sets_checked"], figures["exposed_after"])


def _write(gate: GateResult, estimates: pd.DataFrame, comparisons: pd.DataFrame, small_areas: pd.DataFrame,
           min_n: int, output: Output, log: logging.Logger) -> None:
    """The published tables and the audit record from the gate's decisions."""
    published = {
        "estimates": withhold_estimates(estimates, gate),
        "comparisons": withhold_models(comparisons, gate),
        "small_areas": public_small_areas(withhold_small_areas(small_areas, gate, blank_n=False), min_n)
        if len(small_areas) else small_areas,
    }
    summary = gate.summary()
    record = {"min_n": min_n, "waves": summary,
              "withheld": {name: {"primary": int(gate.primary[key].sum()), "secondary": int(gate.secondary[key].sum())}
                           for name, key in (("estimates", "estimates"), ("comparisons", "models"),
                                             ("small_areas", "small_areas")) if key in gate.primary}}
    for name, table in published.items():
        write_table(table, output[f"{name}_parquet"], output[f"{name}_csv"])
    with atomic_outputs(output["audit"]) as (tmp,):
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    for wave, figures in summary.items():
        assert isinstance(figures, dict)
        _log_wave(log, wave, figures)


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """The gate in one job: every wave's audit, then the published tables."""
    exact_params(params, PARAMS, "publish")
    waves = read_wave_tables(input["waves"], list(params["waves"]))
    estimates, comparisons, small_areas = _tables(input)
    settings = _settings(params, estimates, small_areas)
    gate = publication_gate(waves, estimates, comparisons, small_areas if len(small_areas) else None, settings)
    _write(gate, estimates, comparisons, small_areas, settings.min_n, output, log)


def run_part(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """One wave's audit (input `waves`: its indicator table alone) → its decision file (output `decision`)."""
    exact_params(params, PART_PARAMS, "publish_part")
    wave = str(params["wave"])
    frame = read_wave_tables(input["waves"], [wave])[wave]
    estimates, comparisons, small_areas = _tables(input)
    settings = _settings(params, estimates, small_areas)
    small = small_areas if len(small_areas) else None
    decision = wave_gate(wave, frame, estimates, comparisons, small, settings)
    record = decision_record(decision, estimates, comparisons, small)
    with atomic_outputs(output["decision"]) as (tmp,):
        tmp.write_text(json.dumps(record, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    _log_wave(log, wave, decision.summary)


def run_gather(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """The waves' decision files (input `parts`, in the order of params `waves`) → the published tables and the
    audit record, as `run` writes them."""
    exact_params(params, GATHER_PARAMS, "publish")
    waves, paths = [str(w) for w in params["waves"]], [str(p) for p in input["parts"]]
    if len(paths) != len(waves):
        raise ConfigError(f"publish: {len(paths)} decision files for {len(waves)} waves ({', '.join(waves)})")
    estimates, comparisons, small_areas = _tables(input)
    small = small_areas if len(small_areas) else None
    decisions = [read_decision(json.loads(Path(path).read_text(encoding="utf-8")), path, wave, estimates,
                               comparisons, small) for wave, path in zip(waves, paths, strict=True)]
    min_n = int(params["min_n"])
    gate = combine(estimates, comparisons, small, decisions, min_n)
    _write(gate, estimates, comparisons, small_areas, min_n, output, log)
