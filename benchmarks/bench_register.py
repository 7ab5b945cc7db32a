"""Benchmark of the national register's lookups at pipeline scale.

    python benchmarks/bench_register.py [--rows 1000000] [--register data/external/areas]

Without --register the whole country is imported into a temporary folder from `$ATH_SHARED/reference/finland`
(default `<repo>/../shared`). Data: N respondents' municipality codes drawn from the 2013 list plus the pre-2013
codes of Etelä-Savo (config/areas/municipal_mergers.csv), about 2 % missing. Timed (best of 3): mapping the codes
to the municipalities of 2025-01-01 (`municipality_at`), their maakunta and hyvinvointialue on that date, and the
Åland flag. The work is per distinct code (a few hundred), then one vectorized map over the rows.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ath_analysis.register import import_register, load_national_register

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--register", help="a register folder (default: import from $ATH_SHARED)")
    args = parser.parse_args()
    if args.register:
        register = load_national_register(args.register)
    else:
        shared = Path(os.environ.get("ATH_SHARED") or ROOT.parent / "shared") / "reference" / "finland"
        out = Path(tempfile.mkdtemp(prefix="areas-"))
        start = time.perf_counter()
        register = import_register(shared, out, dated_mergers=ROOT / "config" / "areas" / "municipal_mergers.csv")
        print(f"import of {shared}: {time.perf_counter() - start:.2f} s")
    mergers = pd.read_csv(ROOT / "config" / "areas" / "municipal_mergers.csv", dtype=str)
    pool = np.array(sorted(set(register.municipality_list("2013-01-01")["code"]) | set(mergers["old_code"])),
                    dtype=object)
    rng = np.random.default_rng(2025)
    codes = pd.Series(rng.choice(pool, size=args.rows), dtype="string")
    codes[rng.random(args.rows) < 0.02] = pd.NA
    current = register.municipality_at(codes, "2012-10-01", "2025-01-01")
    timings = {
        "municipality_at": best_of(lambda: register.municipality_at(codes, "2012-10-01", "2025-01-01")),
        "maakunta_on": best_of(lambda: register.maakunta_on(current, "2025-01-01")),
        "hyvinvointialue_on": best_of(lambda: register.hyvinvointialue_on(current, "2025-01-01")),
        "is_aland": best_of(lambda: register.is_aland(codes)),
    }
    print(f"{args.rows:,} rows, {codes.nunique()} distinct codes")
    for name, seconds in timings.items():
        print(f"  {name:20s} {seconds:7.3f} s  ({seconds / args.rows * 1e9:6.0f} ns/row)")


if __name__ == "__main__":
    main()
