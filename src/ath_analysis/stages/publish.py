"""Rule publish: the publication gate. Every table that leaves for reports/ passes here, audited together.

The estimate, comparison and small-area stages write their tables to data/processed/results/ with primary
suppression only; this stage knows every cell of every table as a set of respondents of its wave, withholds
what would let anyone recover a group of fewer than disclosure.min_n respondents (the linked-table audit),
and writes the published tables and the audit's figures.
"""

from __future__ import annotations

import json
import logging

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.disclosure.published import (
    GateSettings,
    public_small_areas,
    publication_gate,
    withhold_estimates,
    withhold_models,
    withhold_small_areas,
)
from ath_analysis.results.comparisons import comparisons_from_config
from ath_analysis.results.io import read_wave_tables, write_table
from ath_analysis.stages.runner import Input, Output, Params, exact_params

PARAMS = ("waves", "min_n", "certify", "region_code", "estimate", "compare", "small_area_sets",
          "subarea_municipality")


def run(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    exact_params(params, PARAMS, "publish")
    waves = read_wave_tables(input["waves"], list(params["waves"]))
    estimates = pd.read_parquet(input["estimates"])
    comparisons = pd.read_parquet(input["comparisons"])
    small_areas = pd.read_parquet(input["small_areas"])
    min_n = int(params["min_n"])
    estimate, compare = params["estimate"], params["compare"]
    settings = GateSettings(
        min_n=min_n, region_code=str(params["region_code"]), domain_sets=estimate["domains"],
        standardize_by=estimate["standardize_by"] if estimates["standardized"].any() else None,
        comparisons=comparisons_from_config(compare), adjusters=list(compare["adjusters"]),
        small_area_sets=list(params["small_area_sets"]) if len(small_areas) else [],
        small_area_municipality=params["subarea_municipality"], certify=float(params["certify"]),
    )
    gate = publication_gate(waves, estimates, comparisons, small_areas if len(small_areas) else None, settings)
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
        log.info("wave %s: %s cells, %s published, %s withheld as primary and %s as secondary suppression; "
                 "%s atoms, %s sets checked, %s exposed after the audit", wave, figures["cells"],
                 figures["published"], figures["withheld_primary"], figures["withheld_secondary"], figures["atoms"],
                 figures["sets_checked"], figures["exposed_after"])
