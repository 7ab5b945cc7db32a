"""Benchmark of the compare stage: its cell-sum route against the former respondent-level models, same table.

    python benchmarks/bench_compare.py [--scale 10] [--copies 4] [--skip-respondent] [--data DIR]
                                       [--split-municipalities 26]

Data: the project's three synthetic waves (``config/config.yaml``: data.synthetic_seed, waves, indicators), made
with the library functions the workflow's stages call (synth.generate_wave → ingest.ingest_wave →
geography.attach_geography → indicators.table.build_indicator_table) in a temporary directory (or read from
DIR/<wave>/indicators.parquet, e.g. a workflow's data/processed). Each wave is then scaled by
RESAMPLING ITS ROWS: every stratum's respondents are drawn `--scale` times as often (with replacement, new
respondent ids), with weights divided and the FPC's population counts multiplied by the same factor (so
totals and sampling fractions stay as they were). The indicators are multiplied by `--copies`: copy j of an
indicator is the indicator with a random 10 % of its values (missing included) replaced by other
respondents' values, so that every copy is a different response with the original's distribution.
``--split-municipalities K`` divides every municipality at random into K pseudo-municipalities, for the
national number of each-vs-rest models (K = 26: 312 municipalities).

Timed (wall clock and CPU time of the process, one run each; data preparation excluded; on a shared machine the
CPU time is the fairer measure): `results.comparisons.build_comparisons` on all waves and pooled as the compare
stage runs it (the cell route: `compare_data` calls `models.compare_indicators`), and, unless
--skip-respondent, with `results.comparisons.compare_data` replaced by the former respondent-level route kept
as a test oracle (``tests/respondent_compare.py``). The two tables are then compared: identical rows, texts and
integers, every statistic equal within 1e-8 relative. Acceptance of the issue: at --scale 10 --copies 4 the cell
route is ≥ 10× faster.
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

from ath_analysis.areas import AreaTables, load_area_tables
from ath_analysis.config import load_config
from ath_analysis.disclosure import PublicationRules
from ath_analysis.geography import GeographySettings, attach_geography
from ath_analysis.harmonization import load_wave_spec
from ath_analysis.indicators.definitions import Indicator, canonical_variables, load_indicators
from ath_analysis.indicators.table import build_indicator_table
from ath_analysis.ingest import ingest_wave
from ath_analysis.labels import domain_value_labels
from ath_analysis.places import SubareaSettings, load_places
from ath_analysis.results import comparisons as compare
from ath_analysis.results.comparisons import CompareSettings, build_comparisons
from ath_analysis.synth import generate_wave
from ath_analysis.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parents[1]
RTOL = 1e-8


def synthetic_waves(config: Mapping[str, Any], areas: AreaTables, indicators: Sequence[Indicator], workdir: Path
                    ) -> dict[str, pd.DataFrame]:
    """The config's synthetic waves through what the stages call (synthesize → ingest → geography → indicators):
    indicator tables, as the compare stage reads them."""
    variables = read_yaml(config["variables"])
    harmonization = read_yaml(config["harmonization"])
    geography = GeographySettings.from_config(config["geography"])
    # the places as the geography stage has them (the sub-areas of `within: subareas` comparisons included)
    places = load_places(config["areas_dir"], None, SubareaSettings.from_config(config["geography"]["subareas"]),
                         str(config["geography"]["reference_date"]), config["geography"].get("splits") or {})
    out = {}
    for wave, spec in config["waves"].items():
        sav = workdir / f"{wave}.sav"
        generate_wave(areas, variables, wave, int(config["data"]["synthetic_seed"]), sav,
                      workdir / f"{wave}_population.parquet")
        specs = load_wave_spec(wave, harmonization, variables, config["harmonization"])
        wave_config = {k: v for k, v in spec.items() if k in ("year", "survey", "encoding", "expected_rows", "sha256")}
        respondents = ingest_wave(sav, wave, wave_config, specs, variables, int(config["geography"]["min_age"]))
        analysis, _ = attach_geography(respondents.respondents, areas, geography, wave, str(spec["fieldwork_date"]),
                                       places.municipalities, places.subareas)
        out[wave], _ = build_indicator_table(analysis, indicators, wave, config["indicators"])
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


def respondent_compare_data() -> Any:
    """The former respondent-level `compare_data` (a test oracle, so it lives in tests/, not in the library)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.respondent_compare import compare_data

    return compare_data


def run(waves: Mapping[str, pd.DataFrame], years: Mapping[str, int], indicators: Sequence[Any],
        config: Mapping[str, Any], areas: AreaTables, cells: bool) -> tuple[float, float, pd.DataFrame]:
    """(wall seconds, CPU seconds, table) of the compare stage's table builder; `cells` False: respondent route."""
    labels = domain_value_labels(areas, read_yaml(config["variables"]), config["report"]["language"])
    rules = PublicationRules.from_config(config["disclosure"], config["precision"])
    settings = CompareSettings.from_config(config["compare"])
    original = compare.compare_data
    if not cells:
        compare.compare_data = respondent_compare_data()  # as tests/test_cells_compare.py does with monkeypatch
    try:
        start, cpu = time.perf_counter(), time.process_time()
        table = build_comparisons(waves, years, indicators, settings, config["estimate"]["lonely_psu"],
                                  config["estimate"]["level"], rules, config["geography"]["region_code"], labels,
                                  config["report"]["language"], bool(config["data"]["synthetic"]))
        return time.perf_counter() - start, time.process_time() - cpu, table
    finally:
        compare.compare_data = original


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
    indicators = load_indicators(config["indicators"], variables=canonical_variables(config["variables"]))
    areas = load_area_tables(config["areas_dir"])
    t0 = time.perf_counter()
    if args.data:
        waves = {w: pd.read_parquet(args.data / w / "indicators.parquet") for w in config["waves"]}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            waves = synthetic_waves(config, areas, indicators, Path(tmp))
    waves = {w: scale_rows(f, args.scale, args.seed + k) for k, (w, f) in enumerate(waves.items())}
    waves, indicators = copy_indicators(waves, indicators, args.copies, args.seed)
    waves = split_municipalities(waves, args.split_municipalities, args.seed)
    years = {w: int(config["waves"][w]["year"]) for w in waves}
    rows = {w: len(f) for w, f in waves.items()}
    municipalities = len(set().union(*(set(f.loc[f["in_region"], "municipality"]) for f in waves.values())))
    print(f"data: waves {rows} (× {args.scale}, resampled rows), {len(indicators)} indicators (× {args.copies}), "
          f"{municipalities} municipalities, prepared in {time.perf_counter() - t0:.0f} s")
    cell_seconds, cell_cpu, cell_table = run(waves, years, indicators, config, areas, cells=True)
    print(f"cell route:        {cell_seconds:8.1f} s wall, {cell_cpu:8.1f} s CPU  ({len(cell_table):,} rows)")
    if args.skip_respondent:
        return 0
    row_seconds, row_cpu, row_table = run(waves, years, indicators, config, areas, cells=False)
    print(f"respondent route:  {row_seconds:8.1f} s wall, {row_cpu:8.1f} s CPU  ({len(row_table):,} rows)")
    problems = differences(row_table, cell_table)
    print("tables: " + ("identical (statistics within 1e-8)" if not problems else "DIFFER: " + "; ".join(problems)))
    speedup = row_cpu / cell_cpu
    print(f"speed-up: {speedup:.1f}× in CPU time ({row_seconds / cell_seconds:.1f}× wall; acceptance at --scale 10 "
          f"--copies 4: ≥ 10×) -> {'met' if speedup >= 10 and not problems else 'NOT met'}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
