"""Benchmark of `ath_analysis.ingest.ingest_wave` on a national-sized file, against the pyreadstat floor.

    python benchmarks/bench_ingest.py [--rows 60000] [--columns 900] [--file /tmp/ath_bench/wide.sav]

Data: a generated, bytecode-compressed `.sav` of N respondents × K variables (the size of a national Terve
Suomi extract: 60,000 × 900): id, weight, stratum, municipality, age and K-5 items coded 1–5 with value labels,
3 % user-missing `9 = En osaa sanoa` and 2 % system-missing. The wave maps 39 of them (id, weight, stratum,
municipality, age and 34 items). The file is written once and reused (`--file`).

Reported, each in a fresh process (so one run's memory does not carry into the next): wall time and the peak
memory of the process and its children together, sampled every 10 ms as the sum of their proportional set
sizes (PSS, /proc/PID/smaps_rollup: a page shared by the forked reader child and its parent counts once), of
- the floor: `pyreadstat.read_sav(path, usecols=<the 39>, user_missing=True)` alone;
- ours: `ingest_wave` (dictionary read in a child process, the 39 columns read in another, sha256 of the file,
  harmonization, checks, audit);
- the old way: `pyreadstat.read_sav(path, user_missing=True)` of every column.
Targets: ours within 2× of the floor in time and memory, and under 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ITEMS_MAPPED = 34
ROOT = Path(__file__).resolve().parents[1]


def municipality_codes() -> list[float]:
    """The shipped municipalities' codes, as numbers the way THL files carry them."""
    lines = (ROOT / "config" / "areas" / "municipalities.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [float(line.split(",", 1)[0]) for line in lines if line]


def item_names(columns: int) -> list[str]:
    return [f"q{j:03d}" for j in range(1, columns - 5 + 1)]


def mapped(columns: int) -> list[str]:
    return ["tunnus", "paino", "ositus", "kunta", "ika"] + item_names(columns)[:ITEMS_MAPPED]


def make_file(path: Path, rows: int, columns: int, seed: int = 2026) -> None:
    import numpy as np
    import pandas as pd
    import pyreadstat

    rng = np.random.default_rng(seed)
    data = {
        "tunnus": np.arange(1, rows + 1, dtype=float),
        "paino": rng.gamma(4.0, 25.0, rows),
        "ositus": rng.integers(1, 300, rows).astype(float),
        "kunta": rng.choice(municipality_codes(), rows),
        "ika": rng.integers(20, 100, rows).astype(float),
    }
    items = item_names(columns)
    for name in items:
        values = rng.integers(1, 6, rows).astype(float)
        values[rng.random(rows) < 0.03] = 9.0
        values[rng.random(rows) < 0.02] = np.nan
        data[name] = values
    labels = {1: "Ei koskaan", 2: "Harvoin", 3: "Joskus", 4: "Usein", 5: "Aina", 9: "En osaa sanoa"}
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(pd.DataFrame(data), str(path), row_compress=True,
                         variable_value_labels=dict.fromkeys(items, labels), missing_ranges=dict.fromkeys(items, [9]))


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                for child in handle.read().split():
                    pids += _tree(int(child))
        except OSError:
            continue
    return pids


class PeakMemory:
    """The largest sum of PSS over this process and its descendants while the block runs."""

    def __init__(self, interval: float = 0.01):
        self.interval, self.peak_kib, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in _tree(os.getpid())))
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _measure(kind: str, path: str, columns: int, sample: bool) -> dict[str, float]:
    """One measurement (runs in its own process): time, or memory (sampling would slow the timed run)."""
    import pyreadstat  # noqa: F401  (imports before the baseline)

    import ath_analysis.ingest  # noqa: F401

    base = _pss_kib(os.getpid())
    names = mapped(columns)
    if not sample:
        start = time.perf_counter()
        rows = _run(kind, path, names)
        return {"seconds": time.perf_counter() - start, "rows": rows}
    with PeakMemory() as memory:
        rows = _run(kind, path, names)
    return {"peak_mib": memory.peak_kib / 1024, "base_mib": base / 1024, "rows": rows}


def _run(kind: str, path: str, names: list[str]) -> int:
    import pyreadstat

    from ath_analysis.harmonization import ColumnSpec
    from ath_analysis.ingest import ingest_wave

    if kind == "floor":
        frame, _ = pyreadstat.read_sav(path, usecols=names, user_missing=True)
        rows = len(frame)
    elif kind == "all":
        frame, _ = pyreadstat.read_sav(path, user_missing=True)
        rows = len(frame)
    else:
        specs = [ColumnSpec("respondent_id", "tunnus"), ColumnSpec("weight", "paino"),
                 ColumnSpec("stratum", "ositus"), ColumnSpec("municipality_code", "kunta", zero_pad=3),
                 ColumnSpec("age", "ika")]
        specs += [ColumnSpec(f"item{i}", name) for i, name in enumerate(names[5:], start=1)]
        variables = {"respondent_id": {"type": "id"}, "weight": {"type": "weight"}, "stratum": {"type": "design"},
                     "municipality_code": {"type": "code"}, "age": {"type": "numeric", "min": 0, "max": 120}}
        variables.update({f"item{i}": {"type": "category", "values": {k: {} for k in range(1, 6)}}
                          for i in range(1, ITEMS_MAPPED + 1)})
        result = ingest_wave(path, "bench", {"year": 2022, "survey": "Terve Suomi"}, specs, variables)
        rows = result.audit["rows_read"]
    return rows


def measure(kind: str, path: Path, columns: int, repeats: int) -> dict[str, float]:
    """Best time of `repeats` fresh processes, and the peak memory of one more."""
    def once(sample: bool) -> dict[str, float]:
        command = [sys.executable, __file__, "--measure", kind, "--file", str(path), "--columns", str(columns)]
        done = subprocess.run(command + (["--sample"] if sample else []), capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    times = [once(False)["seconds"] for _ in range(repeats)]
    return {"seconds": min(times), **once(True)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--columns", type=int, default=900)
    parser.add_argument("--file", type=Path, default=Path("/tmp/ath_bench/wide_60000x900.sav"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-all", action="store_true", help="do not time the read of every column")
    parser.add_argument("--measure", choices=["floor", "ours", "all"], help=argparse.SUPPRESS)
    parser.add_argument("--sample", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure:
        print(json.dumps(_measure(args.measure, str(args.file), args.columns, args.sample)))
        return 0
    if not args.file.is_file():
        start = time.perf_counter()
        make_file(args.file, args.rows, args.columns)
        print(f"wrote {args.file} ({args.file.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - start:.0f} s")
    print(f"file: {args.file}, {args.file.stat().st_size / 2**20:.0f} MiB, {args.rows:,} × {args.columns} "
          f"(bytecode-compressed); the wave maps {len(mapped(args.columns))} variables")
    floor = measure("floor", args.file, args.columns, args.repeats)
    ours = measure("ours", args.file, args.columns, args.repeats)
    print(f"before the call (interpreter and imports): {floor['base_mib']:.0f} MiB")
    print(f"pyreadstat usecols (floor): {floor['seconds']:.2f} s, peak {floor['peak_mib']:.0f} MiB")
    print(f"ingest_wave (ours):         {ours['seconds']:.2f} s, peak {ours['peak_mib']:.0f} MiB "
          f"({ours['seconds'] / floor['seconds']:.2f}× the floor's time, {ours['peak_mib'] / floor['peak_mib']:.2f}× "
          "its memory)")
    if not args.skip_all:
        every = measure("all", args.file, args.columns, 1)
        print(f"pyreadstat, every column:   {every['seconds']:.2f} s, peak {every['peak_mib']:.0f} MiB (the old way)")
    ok = ours["seconds"] <= 2 * floor["seconds"] and ours["peak_mib"] <= 2 * floor["peak_mib"] \
        and ours["peak_mib"] < 400
    print(f"target (within 2× of the floor, < 400 MB): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
