"""Benchmark of the compare stage: today's respondent-level models against the cell-sum route, same table.

    python benchmarks/bench_compare.py [--scale 10] [--copies 4] [--skip-respondent] [--data DIR]
                                       [--split-municipalities 26]

Data: the project's three synthetic waves (``config/config.yaml``: seed, waves, indicators), made by the
pipeline's own stages (synthesize → ingest → geography → indicators) into a temporary directory (or read
from DIR/<wave>/indicators.parquet, e.g. a workflow's data/processed). Each wave is then scaled by
RESAMPLING ITS ROWS: every stratum's respondents are drawn `--scale` times as often (with replacement, new
respondent ids), with weights divided and the FPC's population counts multiplied by the same factor (so
totals and sampling fractions stay as they were). The indicators are multiplied by `--copies`: copy j of an
indicator is the indicator with a random 10 % of its values (missing included) replaced by other
respondents' values, so that every copy is a different response with the original's distribution.
``--split-municipalities K`` divides every municipality at random into K pseudo-municipalities, for the
national number of each-vs-rest models (K = 26: 312 municipalities).

Timed (wall clock and CPU time of the process, one run each; data preparation excluded; on a shared machine the
CPU time is the fairer measure): `compare.build_models` on all waves and pooled
as it is today (`compare_data` fitting respondent-level models), and with `compare_data` replaced by the
drop-in `ath_analysis.models.comparisons.compare_indicators` (the integration the compare stage is meant
to switch to). The two tables are then compared: identical rows, texts and integers, every statistic equal
within 1e-8 relative. Acceptance of the issue: at --scale 10 --copies 4 the cell route is ≥ 10× faster.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ath_analysis.estimates import wave_design

from ath_analysis import compare, pipeline
from ath_analysis.areas import load_area_tables
from ath_analysis.config import load_config, read_yaml
from ath_analysis.models.comparisons import compare_indicators

ROOT = Path(__file__).resolve().parents[1]
RTOL = 1e-8


def synthetic_waves(config: Mapping[str, Any], workdir: Path) -> dict[str, pd.DataFrame]:
    """The config's synthetic waves through the pipeline's stages: indicator tables."""
    out = {}
    for wave in config["waves"]:
        d = workdir / wave
        d.mkdir(parents=True, exist_ok=True)
        pipeline.synthesize(config, wave, str(d / "wave.sav"), str(d / "population.parquet"))
        pipeline.ingest(config, wave, str(d / "wave.sav"), str(d / "respondents.parquet"), str(d / "labels.json"),
                        str(d / "audit_ingest.json"))
        pipeline.geography(config, wave, str(d / "respondents.parquet"), str(d / "audit_ingest.json"),
                           str(d / "analysis.parquet"), str(d / "audit.json"))
        pipeline.indicators(config, wave, str(d / "analysis.parquet"), str(d / "indicators.parquet"),
                            str(d / "audit_indicators.json"))
        out[wave] = pd.read_parquet(d / "indicators.parquet")
    return out


def scale_rows(frame: pd.DataFrame, factor: int, seed: int) -> pd.DataFrame:
    """`factor` times as many respondents per stratum, resampled with replacement, with new ids."""
    if factor == 1:
        return frame
    rng = np.random.default_rng(seed)
    strata = frame["stratum"].astype("string").fillna("") if "stratum" in frame else pd.Series("", index=frame.index)
    positions = []
    for _, rows in strata.groupby(strata, sort=True).indices.items():
        positions.append(rng.choice(rows, size=factor * len(rows), replace=True))
    out = frame.iloc[np.sort(np.concatenate(positions))].reset_index(drop=True)
    out["respondent_id"] = [f"{i}-{k}" for k, i in enumerate(out["respondent_id"].astype(str))]
    out["weight"] = out["weight"] / factor
    if "fpc" in out:
        out["fpc"] = out["fpc"] * factor
    return out


def copy_indicators(waves: dict[str, pd.DataFrame], indicators: Sequence[Any], copies: int, seed: int
                    ) -> tuple[dict[str, pd.DataFrame], list[Any]]:
    """Each indicator `copies` times: copy j ≥ 1 has 10 % of its values replaced by other respondents'."""
    every = list(indicators)
    for j in range(1, copies):
        every += [dataclasses.replace(i, id=f"{i.id}_{j}") for i in indicators]
    out = {}
    for w, (wave, frame) in enumerate(waves.items()):
        rng = np.random.default_rng([seed, w])
        added = {}
        for j in range(1, copies):
            for indicator in indicators:
                values = frame[indicator.id].to_numpy(dtype=np.float64, na_value=np.nan).copy()
                swap = rng.random(len(values)) < 0.10
                values[swap] = values[rng.permutation(len(values))][swap]
                added[f"{indicator.id}_{j}"] = values
        out[wave] = pd.concat([frame, pd.DataFrame(added, index=frame.index)], axis=1)
    return out, every


def split_municipalities(waves: dict[str, pd.DataFrame], parts: int, seed: int) -> dict[str, pd.DataFrame]:
    """Each municipality's respondents divided at random into `parts` pseudo-municipalities (codes "<code>-k";
    part 0 keeps the code, so that Mikkeli's own comparisons keep respondents),
    for a national-like number of each-vs-rest models (12 × 26 = 312 ≈ Finland's 309)."""
    if parts == 1:
        return waves
    out = {}
    for w, (wave, frame) in enumerate(waves.items()):
        rng = np.random.default_rng([seed, w, parts])
        part = rng.integers(0, parts, len(frame))
        code = frame["municipality"].astype("string")
        pseudo = code + "-" + pd.Series(part, index=frame.index).astype("string")
        out[wave] = frame.assign(municipality=pseudo.where(part > 0, code))  # part 0 keeps the real code
    return out


def cells_compare_data(frame: pd.DataFrame, indicators: Sequence[Any], comparisons: Sequence[Any],
                       levels: Mapping[str, Sequence[str]], adjusters: Sequence[str], lonely_psu: str, level: float,
                       extra: Sequence[str] = ()) -> pd.DataFrame:
    """compare.compare_data's signature on the cell route (what the compare stage would call)."""
    domains = {within: compare._domain(frame, within) for within in {c.within for c in comparisons}}
    return compare_indicators(frame, wave_design(frame, lonely_psu), indicators, comparisons, levels, adjusters,
                              domains, level=level, extra=extra)


def run(waves: Mapping[str, pd.DataFrame], years: Mapping[str, int], indicators: Sequence[Any],
        config: Mapping[str, Any], cells: bool) -> tuple[float, float, pd.DataFrame]:
    areas = load_area_tables(config["areas_dir"])
    variables = read_yaml(config["variables"])
    original = compare.compare_data
    if cells:
        compare.compare_data = cells_compare_data  # type: ignore[assignment]
    try:
        start, cpu = time.perf_counter(), time.process_time()
        table = compare.build_models(waves, years, indicators, config, areas, variables)
        return time.perf_counter() - start, time.process_time() - cpu, table
    finally:
        compare.compare_data = original  # type: ignore[assignment]


def differences(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """What differs between two model tables (empty: equal, statistics within RTOL)."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"shape/columns differ: {a.shape} {b.shape}"]
    out = []
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_float_dtype(x):
            xv, yv = x.to_numpy(float), y.to_numpy(float)
            same = np.isclose(xv, yv, rtol=RTOL, atol=1e-300, equal_nan=True)
            if not same.all():
                out.append(f"{column}: {int((~same).sum())} values differ beyond {RTOL:g}")
        elif not x.astype(str).equals(y.astype(str)):
            out.append(f"{column}: {int((x.astype(str) != y.astype(str)).sum())} values differ")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="respondents × this (resampled rows)")
    parser.add_argument("--copies", type=int, default=4, help="indicators × this")
    parser.add_argument("--data", type=Path, help="read DIR/<wave>/indicators.parquet instead of generating")
    parser.add_argument("--skip-respondent", action="store_true", help="time only the cell route")
    parser.add_argument("--split-municipalities", type=int, default=1, metavar="K",
                        help="divide each municipality into K pseudo-municipalities (K=26: 312 each-vs-rest models "
                             "per data set, national scale); best with --skip-respondent")
    parser.add_argument("--seed", type=int, default=20250307)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    config = load_config(ROOT / "config" / "config.yaml")
    indicators = pipeline._indicator_definitions(config)
    t0 = time.perf_counter()
    if args.data:
        waves = {w: pd.read_parquet(args.data / w / "indicators.parquet") for w in config["waves"]}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            waves = synthetic_waves(config, Path(tmp))
    waves = {w: scale_rows(f, args.scale, args.seed + k) for k, (w, f) in enumerate(waves.items())}
    waves, indicators = copy_indicators(waves, indicators, args.copies, args.seed)
    waves = split_municipalities(waves, args.split_municipalities, args.seed)
    years = {w: int(config["waves"][w]["year"]) for w in waves}
    rows = {w: len(f) for w, f in waves.items()}
    municipalities = len(set().union(*(set(f.loc[f["in_region"], "municipality"]) for f in waves.values())))
    print(f"data: waves {rows} (× {args.scale}, resampled rows), {len(indicators)} indicators (× {args.copies}), "
          f"{municipalities} municipalities, prepared in {time.perf_counter() - t0:.0f} s")
    cell_seconds, cell_cpu, cell_table = run(waves, years, indicators, config, cells=True)
    print(f"cell route:        {cell_seconds:8.1f} s wall, {cell_cpu:8.1f} s CPU  ({len(cell_table):,} rows)")
    if args.skip_respondent:
        return 0
    row_seconds, row_cpu, row_table = run(waves, years, indicators, config, cells=False)
    print(f"respondent route:  {row_seconds:8.1f} s wall, {row_cpu:8.1f} s CPU  ({len(row_table):,} rows)")
    problems = differences(row_table, cell_table)
    print("tables: " + ("identical (statistics within 1e-8)" if not problems else "DIFFER: " + "; ".join(problems)))
    speedup = row_cpu / cell_cpu
    print(f"speed-up: {speedup:.1f}× in CPU time ({row_seconds / cell_seconds:.1f}× wall; acceptance at --scale 10 "
          f"--copies 4: ≥ 10×) -> {'met' if speedup >= 10 and not problems else 'NOT met'}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
