"""Benchmark of the synthetic whole-country waves: `generate_wave` and the truth, per wave, as the pipeline runs them.

    python benchmarks/bench_synth.py [--waves ts2022 ...] [--mc-adults 50000] [--repeat 1]

Reported per wave: wall time of `generate_wave` (Etelä-Savo's population, both samples, weights, the `.sav`,
the population and national-strata Parquet files) and of `population_truth` (Etelä-Savo's domains plus the
country, maakunnat and counties, whose expectations are simulated with --mc-adults adults per county), the
peak of memory allocated during each (tracemalloc: Python and NumPy allocations, a separate untimed call),
and the sizes of what is written. Run it on a quiet machine; the pipeline runs the three waves' `synthesize`
jobs in parallel and `truth` beside the other stages.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.areas import load_area_tables
from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.synth import WAVE_FORMATS, generate_wave
from ath_analysis.synth.country import read_counties
from ath_analysis.synth.truth import MC_ADULTS, population_truth
from ath_analysis.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parents[1]
GEO = GeographySettings(region_code=str(read_yaml(ROOT / "config" / "config.yaml")["geography"]["region_code"]),
                        reference_date="2025-01-01", membership="reference", urban_rural_source="auto")


def _timed(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


def _peak(call: Callable[[], Any]) -> float:
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--waves", nargs="*", default=list(WAVE_FORMATS))
    parser.add_argument("--mc-adults", type=int, default=MC_ADULTS)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-memory", action="store_true", help="skip the (slow) tracemalloc runs")
    args = parser.parse_args()
    areas = load_area_tables(ROOT / "config" / "areas")
    counties = read_counties(ROOT / "config" / "areas" / "hyvinvointialueet.csv")
    variables = read_yaml(ROOT / "config" / "variables.yaml")
    indicators = load_indicators(ROOT / "config" / "indicators.yaml",
                                 variables=canonical_variables(ROOT / "config" / "variables.yaml"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for wave in args.waves:
            fmt = WAVE_FORMATS[wave]
            paths = out / f"{wave}.sav", out / f"population_{wave}.parquet", out / f"national_{wave}.parquet"

            def generate(wave: str = wave, paths: tuple[Path, ...] = paths) -> dict[str, Any]:
                return generate_wave(areas, variables, wave, 20261123, paths[0], paths[1], counties=counties,
                                     national_path=paths[2])

            generate_s, summary = _timed(generate, args.repeat)
            population, national = pd.read_parquet(paths[1]), pd.read_parquet(paths[2])

            def truth(fmt: Any = fmt, population: pd.DataFrame = population, national: pd.DataFrame = national
                      ) -> pd.DataFrame:
                return population_truth(population, areas, GEO, fmt.fieldwork_date, indicators, fmt.wave, national,
                                        mc_adults=args.mc_adults)

            truth_s, table = _timed(truth, args.repeat)
            rows.append({
                "wave": wave, "respondents": summary["respondents"], "generate_s": round(generate_s, 2),
                "truth_s": round(truth_s, 2), "truth_rows": len(table),
                "generate_peak_mb": None if args.no_memory else round(_peak(generate), 1),
                "truth_peak_mb": None if args.no_memory else round(_peak(truth), 1),
                "sav_mb": round(paths[0].stat().st_size / 2**20, 1),
                "population_mb": round(paths[1].stat().st_size / 2**20, 1),
            })
            print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
