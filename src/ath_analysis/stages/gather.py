"""Rules compare, small_areas and truth of the scattered workflow: the parts (rules compare_part, small_areas_part,
truth_part) → the one comparison table, the small-area tables and audit, and the truth table, byte-identical to
the stages run in one job (`stages.compare.run`, `stages.small_areas.run`, `stages.truth.run`). Light on purpose:
pandas and the gathers only.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.errors import ConfigError
from ath_analysis.results.gather import gather_comparisons, gather_small_areas
from ath_analysis.results.io import read_part
from ath_analysis.stages.runner import Input, Output, Params, exact_params

COMPARE_PARAMS = ("indicators", "datasets")
SMALL_AREA_PARAMS = ("waves",)
TRUTH_PARAMS = ("waves",)


def _wave_parts(paths: list[str], names: list[str], rule: str, kind: str, jobs: str,
                columns: list[str] | None = None) -> list[pd.DataFrame]:
    """The parts, one per name (a wave or data set) in order, each refused if it holds rows of another (or, with
    `columns`, other columns): a part left from an earlier run must not slip into the gathered table."""
    if len(paths) != len(names):
        raise ConfigError(f"{rule}: {len(paths)} parts for {len(names)} {kind}s ({', '.join(names)})")
    parts = [read_part(path) for path in paths]
    for name, path, part in zip(names, paths, parts, strict=True):
        what = f"a {rule} part of {kind} {name!r}"
        if columns is not None and list(part.columns) != columns:
            raise ConfigError(f"{path}: {what} has columns {', '.join(map(str, part.columns))}, "
                              f"not {', '.join(columns)} (rerun the {jobs} jobs)")
        if not part.empty and set(part["wave"].unique()) != {name}:
            raise ConfigError(f"{path}: {what} holds rows of "
                              f"{', '.join(map(str, part['wave'].unique()))} (rerun the {jobs} jobs)")
    return parts


def run_comparisons(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """The data sets' parts (input `parts`, in the order of params `datasets`) → the comparison table."""
    exact_params(params, COMPARE_PARAMS, "compare")
    datasets = [str(d) for d in params["datasets"]]
    parts = _wave_parts(list(input["parts"]), datasets, "compare", "data set", "compare")
    table = gather_comparisons(parts, [str(i) for i in params["indicators"]])
    with atomic_outputs(output["table"]) as (tmp,):
        table.to_parquet(tmp, index=False)
    log.info("%d rows of %d data sets (%s) written to %s", len(table), len(parts), ", ".join(datasets),
             output["table"])


def run_small_areas(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """The waves' tables and audits (inputs `internal`, `publishable`, `audits`, in the order of params `waves`)
    → the small-area tables and audit of all waves."""
    exact_params(params, SMALL_AREA_PARAMS, "small_areas")
    waves = [str(w) for w in params["waves"]]
    lists = {name: list(input[name]) for name in ("internal", "publishable", "audits")}
    for name, paths in lists.items():
        if len(paths) != len(waves):
            raise ConfigError(f"small_areas: {len(paths)} {name} parts for {len(waves)} waves ({', '.join(waves)})")
    audits = [json.loads(Path(path).read_text(encoding="utf-8")) for path in lists["audits"]]
    ids, area_sets = audits[0]["indicators"], audits[0]["area_sets"]
    for path, audit in zip(lists["audits"], audits, strict=True):
        if audit["indicators"] != ids or audit["area_sets"] != area_sets:
            raise ConfigError(f"{path}: indicators or area sets differ from those of {lists['audits'][0]} "
                              "(rerun the small-area jobs)")
    table = gather_small_areas([read_part(p) for p in lists["internal"]], ids, area_sets)
    publishable = gather_small_areas([read_part(p) for p in lists["publishable"]], ids, area_sets)
    warnings = [warning for audit in audits for warning in audit["warnings"]]  # wave by wave, as one job's
    audit = {"rows": len(table), "indicators": ids, "area_sets": area_sets, "warnings": warnings}
    with atomic_outputs(output["internal"], output["publishable"], output["audit"]) as (internal, public, record):
        table.to_parquet(internal, index=False)
        publishable.to_parquet(public, index=False)
        record.write_text(json.dumps(audit, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    synthetic = int((publishable["estimate_type"] == "synthetic").sum()) if len(publishable) else 0
    log.info("%d rows: %d indicators × %d waves × %s; %d areas get the synthetic estimate", len(table), len(ids),
             len(waves), ", ".join(area_sets), synthetic)


# synth.truth.COLUMNS, not imported from there: that would load the simulation into a light gather job
TRUTH_COLUMNS = ["wave", "indicator", "domain", "domain_value", "value", "population"]


def run_truth(input: Input, output: Output, params: Params, log: logging.Logger) -> None:
    """The waves' truth parts (input `parts`, in the order of params `waves`) → the truth table of all waves."""
    exact_params(params, TRUTH_PARAMS, "truth")
    paths, waves = list(input["parts"]), [str(w) for w in params["waves"]]
    parts = _wave_parts(paths, waves, "truth", "wave", "truth_part", columns=TRUTH_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    with atomic_outputs(output["table"]) as (tmp,):
        table.to_parquet(tmp, index=False)
    log.info("%d true values of %d waves (%s) written to %s", len(table), len(parts), ", ".join(waves),
             output["table"])
