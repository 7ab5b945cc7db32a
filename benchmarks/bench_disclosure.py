"""Benchmark of the linked-table disclosure audit (`ath_analysis.disclosure.linked.audit`).

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_disclosure.py [--scale default|national] [--families 15]
        [--waves 3] [--nested] [--no-models] [--certify SECONDS]

`default`: one wave like the synthetic Etelä-Savo data — 6,000 respondents, 11 municipalities, Mikkeli's 6
sub-area groups and ~40 sub-areas, 7 urban–rural classes (per respondent) and their 2 groups, sex, age group
(3), education (3), municipality × sex; crude model levels (urban–rural, each municipality vs the rest); the
small-area table's sub-areas. `national`: 60,000 respondents in 309 municipalities (sizes log-normal), 21
wellbeing services counties, the same sets plus age_group2 (2), municipality × age_group and municipality ×
age_group2. Each family is one indicator with ~3 % item non-response; with `--nested` every other family
also gets the same indicator restricted to age < 80 (a two-member family).

Reported per wave: wall time of `audit` (all families; data generation and the cells table excluded), cells,
atoms, rounds, cells withheld, the distance gap of the row-space test and (with --certify) whether every
family was certified by the exact union search; at the end the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from ath_analysis.disclosure.linked import Grouping, audit

MIN_N = 30


def make_wave(scale: str, families: int, nested: bool, seed: int) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rng = np.random.default_rng(seed)
    if scale == "national":
        n, nmun, ncounty = 60_000, 309, 21
    else:
        n, nmun, ncounty = 6_000, 11, 1
    size = rng.lognormal(0.0, 1.1, nmun)
    municipality = rng.choice(nmun, n, p=size / size.sum())
    frame = pd.DataFrame({
        "region": "R",
        "county": (municipality % ncounty).astype(str),
        "municipality": pd.Series(municipality).map(lambda m: f"m{m:03d}"),
        "sex": rng.choice(["1", "2"], n),
        "education": rng.choice(["1", "2", "3"], n),
    })
    urban = rng.random(nmun) < 0.3
    cls = np.where(urban[municipality], rng.choice(["K1", "K2", "K3"], n), rng.choice(["M4", "M5", "M6", "M7"], n))
    frame["urban_rural"] = cls
    frame["urban_rural_group"] = np.where(pd.Series(cls).str.startswith("K"), "urban", "rural")
    age = rng.integers(20, 96, n)
    frame["age"] = age
    frame["age_group"] = np.select([age < 55, age < 75], ["20–54", "55–74"], "75+")
    frame["age_group2"] = np.where(age < 65, "20–64", "65+")
    big = frame["municipality"].value_counts().index[0]
    in_big = (frame["municipality"] == big).to_numpy()
    subarea = rng.choice(40, n, p=rng.dirichlet(np.full(40, 1.5)))  # sub-areas of the largest municipality…
    frame["subarea"] = np.where(in_big, pd.Series(subarea).map(lambda s: f"s{s:02d}"), None)
    frame["subarea_group"] = np.where(in_big, pd.Series(subarea // 7).astype(str), None)  # …nest in 6 groups
    for f in range(families):
        y = (rng.random(n) < 0.2).astype(float)
        y[rng.random(n) < 0.03] = np.nan
        frame[f"y{f}"] = y
        if nested and f % 2 == 0:
            frame[f"y{f}_u80"] = np.where(age < 80, y, np.nan)
    sets = {"region": ["region"], "municipality": ["municipality"], "urban_rural": ["urban_rural"],
            "urban_rural_group": ["urban_rural_group"], "subarea_group": ["subarea_group"], "sex": ["sex"],
            "age_group": ["age_group"], "education": ["education"], "municipality_sex": ["municipality", "sex"],
            "subarea": ["subarea"]}
    if scale == "national":
        sets.update({"county": ["county"], "age_group2": ["age_group2"],
                     "municipality_age": ["municipality", "age_group"],
                     "municipality_age2": ["municipality", "age_group2"]})
    return frame, sets


def cells_of(frame: pd.DataFrame, sets: dict[str, list[str]], each_vs_rest: bool
             ) -> tuple[pd.DataFrame, list[Grouping]]:
    groupings = []
    for name, columns in sets.items():
        text = frame[columns[0]].astype(object)
        for c in columns[1:]:
            text = text.astype(str) + " × " + frame[c].astype(str)
        groupings.append(Grouping.from_labels(name, text.where(frame[columns].notna().all(axis=1))))
    # crude model levels: each municipality against the rest of the region (a two-cell grouping each)
    if each_vs_rest:
        for m in sorted(frame["municipality"].unique()):
            codes = np.where(frame["municipality"] == m, 0, 1).astype(np.int8)
            groupings.append(Grouping(f"models/{m}", codes, (m, f"not {m}")))
    indicators = [c for c in frame.columns if c.startswith("y")]
    rows = [{"grouping": g.name, "key": k, "indicator": i} for i in indicators for g in groupings for k in g.keys]
    return pd.DataFrame(rows), groupings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["default", "national"], default="default")
    parser.add_argument("--families", type=int, default=15)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--nested", action="store_true")
    parser.add_argument("--no-models", action="store_true", help="leave out the each-vs-rest model levels")
    parser.add_argument("--certify", type=float, default=0.0, help="seconds per family for the exact union search")
    args = parser.parse_args()
    total = 0.0
    for wave in range(args.waves):
        frame, sets = make_wave(args.scale, args.families, args.nested, seed=wave)
        cells, groupings = cells_of(frame, sets, not args.no_models)
        values = frame[[c for c in frame.columns if c.startswith("y")]]
        started = time.perf_counter()
        result = audit(cells, groupings, values, MIN_N, certify=args.certify)
        elapsed = time.perf_counter() - started
        total += elapsed
        s = result.summary()
        print(f"wave {wave}: {elapsed:6.1f} s  cells {s['cells']}  families {s['families']}  atoms {s['atoms']}  "
              f"rounds {s['rounds']}  withheld primary {s['withheld_primary']} secondary {s['withheld_secondary']}  "
              f"exposed after {s['exposed_after']}  distances ≤{s['max_determined_distance']:.1e} | "
              f"≥{s['min_undetermined_distance']:.2f}" + (f"  certified {s['certified']}" if args.certify else ""))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {total:.1f} s for {args.waves} wave(s) × {args.families} families ({args.scale}); "
          f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
