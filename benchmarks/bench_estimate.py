"""Benchmark of `ath_analysis.survey.estimate_domains` at pipeline scale, and against R's `survey`.

    /tmp/venv/bin/python benchmarks/bench_estimate.py [--rows 1000000] [--no-r]

Data: N respondents, 40 binary indicators with 5 % item non-response, ~300 strata (nested in 14
municipalities), no clusters (every respondent is its own PSU); domain sets: whole region, municipality (14),
urban–rural class (7), sex, age group (3), education (3) and municipality × sex.

Reported: wall time of the whole `estimate_domains` call (validation, design, all sets, CIs; best of 3,
data generation excluded) and the peak of memory allocated during one call, measured with tracemalloc
(Python and NumPy allocations; in a separate, untimed call). If `Rscript` is on PATH, R's
``svyby(~y1+...+y40, ~<domain>, design, svymean, na.rm=TRUE)`` (``svymean`` for the whole region) is timed on
a 100,000-row subset for the same domain sets, and the speed is compared per row. Note that R's
``na.rm=TRUE`` on 40 variables at once drops respondents missing any of them, a smaller job than ours
(each variable keeps its own respondents, and we also compute CIs, df and deff), so the ratio favours R;
``--r-per-variable K`` also times the equivalent job (one call per variable) on K variables, scaled to 40.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from ath_analysis.survey import Design, estimate_domains

N_VARS = 40
DOMAIN_SETS = {
    "region": [],
    "municipality": ["municipality"],
    "urban_rural": ["urban_rural"],
    "sex": ["sex"],
    "age_group": ["age_group"],
    "education": ["education"],
    "municipality_sex": ["municipality", "sex"],
}
DESIGN = Design(weight="w", strata="stratum")
VARIABLES = [f"y{i}" for i in range(1, N_VARS + 1)]
R_SUBSET = 100_000


def make_data(n: int, seed: int = 2024) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    municipality = rng.integers(0, 14, n)
    stratum = municipality * 22 + rng.integers(0, 22, n)  # 308 strata, nested in municipalities
    cat = pd.Categorical.from_codes
    frame = pd.DataFrame({
        "w": rng.gamma(4.0, 25.0, n) + 1.0,
        "stratum": stratum,
        "municipality": cat(municipality, [f"M{i:02d}" for i in range(14)]),
        "urban_rural": cat(rng.integers(0, 7, n), [f"K{i}" for i in range(1, 8)]),
        "sex": rng.integers(1, 3, n),
        "age_group": cat(rng.integers(0, 3, n), ["20-54", "55-74", "75+"]),
        "education": cat(rng.integers(0, 3, n), ["basic", "secondary", "tertiary"]),
    })
    base = rng.uniform(0.05, 0.6, N_VARS)
    shift = (municipality - 7) * 0.01
    for j, name in enumerate(VARIABLES):
        y = (rng.random(n) < np.clip(base[j] + shift, 0.01, 0.99)).astype(np.float64)
        y[rng.random(n) < 0.05] = np.nan
        frame[name] = y
    return frame


def run(frame: pd.DataFrame) -> pd.DataFrame:
    return estimate_domains(frame, DESIGN, VARIABLES, DOMAIN_SETS, kind="proportion", ci="logit")


def time_ours(frame: pd.DataFrame, repeats: int = 3) -> tuple[float, pd.DataFrame]:
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run(frame)
        best = min(best, time.perf_counter() - start)
    return best, out


def peak_memory(frame: pd.DataFrame) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    run(frame)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dat <- read.csv(args[1], stringsAsFactors = FALSE)
per_variable <- as.integer(args[2])
vars <- grep("^y[0-9]+$", names(dat), value = TRUE)
bys <- list(~municipality, ~urban_rural, ~sex, ~age_group, ~education, ~municipality + sex)
formulas <- if (per_variable > 0) lapply(vars[seq_len(per_variable)], function(v) as.formula(paste("~", v))) else
  list(as.formula(paste("~", paste(vars, collapse = "+"))))
t <- system.time({
  des <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = dat)
  for (fml in formulas) {
    r0 <- svymean(fml, des, na.rm = TRUE)
    for (by in bys) r <- svyby(fml, by, des, svymean, na.rm = TRUE)
  }
})[["elapsed"]]
cat(sprintf("%.6f\n", t))
cat(as.character(packageVersion("survey")), "\n")
"""


def time_r(frame: pd.DataFrame, per_variable: int = 0) -> tuple[float, str] | None:
    """R's time on the first R_SUBSET rows: all 40 variables in one svyby call per set (per_variable = 0),
    or one call per variable for the first `per_variable` variables, scaled to 40."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    subset = frame.iloc[:R_SUBSET]
    with tempfile.TemporaryDirectory() as tmp:
        data_path, script_path = Path(tmp) / "subset.csv", Path(tmp) / "bench.R"
        subset.to_csv(data_path, index=False, na_rep="NA")
        script_path.write_text(R_SCRIPT)
        done = subprocess.run([rscript, str(script_path), str(data_path), str(per_variable)],
                              capture_output=True, text=True, check=True, timeout=3600)
    lines = done.stdout.split()
    seconds = float(lines[0])
    return (seconds * N_VARS / per_variable if per_variable else seconds), lines[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-r", action="store_true", help="skip the R comparison")
    parser.add_argument("--r-per-variable", type=int, default=0, metavar="K",
                        help="also time R with one svyby per variable (each keeps its own respondents, as "
                             "ours does) for K variables, scaled to 40")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    frame = make_data(args.rows)
    print(f"data: {args.rows:,} rows × {N_VARS} indicators, {frame['stratum'].nunique()} strata, "
          f"{len(DOMAIN_SETS)} domain sets (generated in {time.perf_counter() - t0:.1f} s)")

    seconds, out = time_ours(frame)
    cells = out.groupby("domain").size() // N_VARS
    peak = peak_memory(frame)
    per_row_ours = seconds / args.rows
    print(f"cells per set: {', '.join(f'{k}={v}' for k, v in cells.items())}; {len(out):,} result rows")
    print(f"ours: {seconds:.3f} s (best of 3), peak memory {peak / 2**20:,.0f} MiB (tracemalloc, one call)")
    target_ok = seconds < 3.0 and peak < 2 * 2**30
    print(f"target (< 3 s, < 2 GiB): {'met' if target_ok else 'NOT met'}")

    if not args.no_r:
        runs = [("joint", 0)] + ([("per-variable", args.r_per_variable)] if args.r_per_variable else [])
        for label, per_variable in runs:
            r = time_r(frame, per_variable)
            if r is None:
                print("R: Rscript not on PATH, comparison skipped")
                break
            r_seconds, version = r
            ratio = (r_seconds / R_SUBSET) / per_row_ours
            what = ("one svyby per set on ~y1+...+y40, na.rm=TRUE (complete cases: favours R)" if not per_variable
                    else f"one svyby per set and variable, timed on {per_variable} variables, scaled to 40")
            print(f"R survey {version} [{label}]: {r_seconds:.2f} s on {R_SUBSET:,} rows ({what})")
            print(f"  speed per row: ours {per_row_ours * 1e6:.2f} µs, R {r_seconds / R_SUBSET * 1e6:.1f} µs "
                  f"-> ours {ratio:,.0f}× faster (aim ≥ 50×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
