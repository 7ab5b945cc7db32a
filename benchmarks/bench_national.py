"""Benchmark of the whole workflow at national size: every stage's time and memory, and how they grow.

    python benchmarks/bench_national.py [--workdir DIR] [--rows 30000 60000] [--indicators 50 100]
                                        [--waves 5] [--cores 2] [--no-warm]

Data: synthetic waves of the whole country made by the library's generator (`synth.generate_wave`, as rule
synthesize does) with a larger national sample, so that a wave has about `--rows` respondents (the national
design's sample per wellbeing services county and age band is scaled; Etelä-Savo's regional sample is added
as usual). Five waves by default: the three survey formats and two more of the ATH and Terve Suomi formats
(ath2014, ts2024, with their own seeds and years). Indicators: those of config/indicators.yaml, then copies
under new ids until there are `--indicators` (copy k of an indicator leaves out the respondents aged exactly
20 + k from its denominator, so every copy is a column of its own).

Each cell of the design rows × indicators (default 2 × 2) is a scratch copy of the project (Snakefile,
workflow, config) with its own config.yaml, harmonization.yaml (a block per wave) and indicators.yaml, in
which every rule gets a `benchmark:` file (Snakemake's per-job wall time, CPU time and max RSS). The cell runs
`snakemake --cores N` once from a clean state (cold: nothing computed but the waves), and the largest cell
once more with every job forced (warm: files and interpreters cached).

Printed and written to benchmarks/results/national.csv: per stage (rule), the number of jobs, the longest
job's wall time, the jobs' total wall and CPU time, the largest max RSS, cold and warm, for the largest cell;
the growth exponents a and b of time ∝ rows^a × indicators^b, from the jobs' total wall time in the 2 × 2
design (each exponent the mean over the other factor's levels; CPU time as Snakemake samples it is shown too,
but it misses the end of short jobs); and the whole run's wall time. The raw
measurements of every cell go to benchmarks/results/national_cells.csv. Targets (issue 16): whole run < 3
minutes with --cores 2, no stage > 60 s, peak memory < 4 GB. Run it on a quiet machine (it prints the load).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ath_analysis.areas import load_area_tables
from ath_analysis.synth import WAVE_FORMATS, generate_wave
from ath_analysis.synth.country import NationalDesign, read_counties
from ath_analysis.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SEED = 20261202
# the five waves: name -> (format it copies, year, fieldwork date)
WAVES = {
    "ath2012": ("ath2012", 2012, "2012-10-15"),
    "ath2014": ("ath2012", 2014, "2014-10-15"),
    "finsote2018": ("finsote2018", 2018, "2018-10-01"),
    "ts2022": ("ts2022", 2022, "2022-10-01"),
    "ts2024": ("ts2022", 2024, "2024-10-01"),
}
DEFAULT_NATIONAL = NationalDesign()
REGIONAL_RESPONDENTS = 6_000  # about what Etelä-Savo's own sample adds to a wave
RESPONDENTS_PER_SAMPLE = 31_000 / (DEFAULT_NATIONAL.sample_20_74 + DEFAULT_NATIONAL.sample_75)  # ath2012's rate


class _PlainDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(document: Any, path: Path) -> None:
    path.write_text(yaml.dump(document, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=120),
                    encoding="utf-8")


def national_design(rows: int) -> NationalDesign:
    """The national design whose waves have about `rows` respondents (with the regional sample)."""
    factor = max(rows - REGIONAL_RESPONDENTS, 1_000) / RESPONDENTS_PER_SAMPLE / (
        DEFAULT_NATIONAL.sample_20_74 + DEFAULT_NATIONAL.sample_75)
    return dataclasses.replace(DEFAULT_NATIONAL, sample_20_74=round(DEFAULT_NATIONAL.sample_20_74 * factor),
                               sample_75=round(DEFAULT_NATIONAL.sample_75 * factor))


def generate_waves(folder: Path, rows: int, waves: Sequence[str]) -> dict[str, int]:
    """The waves' .sav files, populations and national strata in folder/raw and folder/derived; respondents."""
    areas = load_area_tables(ROOT / "config" / "areas")
    variables = read_yaml(ROOT / "config" / "variables.yaml")
    counties = read_counties(ROOT / "config" / "areas" / "hyvinvointialueet.csv")
    design = national_design(rows)
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    (folder / "derived").mkdir(parents=True, exist_ok=True)
    added = {}
    for wave in waves:  # the generator knows waves by name: the copies join its formats while this runs
        base, year, date = WAVES[wave]
        added[wave] = dataclasses.replace(WAVE_FORMATS[base], wave=wave, year=year, fieldwork_date=date,
                                          national=design)
    saved = dict(WAVE_FORMATS)
    WAVE_FORMATS.update(added)
    counts = {}
    try:
        for wave in waves:
            summary = generate_wave(areas, variables, wave, SEED, folder / "raw" / f"{wave}.sav",
                                    folder / "derived" / f"population_{wave}.parquet", counties=counties,
                                    national_path=folder / "derived" / f"national_{wave}.parquet")
            counts[wave] = int(summary["respondents"])
    finally:
        WAVE_FORMATS.clear()
        WAVE_FORMATS.update(saved)
    return counts


def indicator_copies(n: int) -> dict[str, Any]:
    """config/indicators.yaml with copies of its indicators under new ids, `n` indicators in all."""
    document = read_yaml(ROOT / "config" / "indicators.yaml")
    originals = list(document["indicators"])
    out = list(originals)
    k = 0
    while len(out) < n:
        k += 1
        for indicator in originals:
            if len(out) >= n:
                break
            copy = dict(indicator, id=f"{indicator['id']}_c{k}")
            drop = f"age != {20 + k}"
            copy["denominator"] = f"({indicator['denominator']}) and {drop}" if indicator.get("denominator") else drop
            out.append(copy)
    return {**document, "indicators": out[:n]}


RULE_RE = re.compile(r"^( *)rule (\w+):", re.MULTILINE)
LOG_RE = re.compile(r"^( +)log:\n +\"logs/([^\"]+)\.log\",\n", re.MULTILINE)


def add_benchmarks(rules_dir: Path) -> None:
    """Give every rule of the copied rule files a benchmark file benchmarks/<rule>/<its log's name>.tsv (the
    log's wildcards make it one file per job)."""
    for path in rules_dir.glob("*.smk"):
        text = path.read_text(encoding="utf-8")
        starts = [m.start() for m in RULE_RE.finditer(text)] + [len(text)]
        pieces = [text[: starts[0]]]
        for start, end in zip(starts, starts[1:], strict=False):
            block = text[start:end]
            rule = RULE_RE.match(block)
            assert rule is not None

            def with_benchmark(match: re.Match[str], name: str = rule.group(2)) -> str:
                indent = match.group(1)
                return (f'{indent}benchmark:\n{indent}    "benchmarks/{name}/{match.group(2)}.tsv",\n'
                        + match.group(0))

            pieces.append(LOG_RE.sub(with_benchmark, block, count=1))
        path.write_text("".join(pieces), encoding="utf-8")


def make_project(workdir: Path, data: Path, indicators: int, waves: Sequence[str]) -> Path:
    """A scratch project with the national waves and `indicators` indicators."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    shutil.copy(ROOT / "Snakefile", workdir)
    shutil.copytree(ROOT / "workflow", workdir / "workflow")
    shutil.copytree(ROOT / "config", workdir / "config")
    add_benchmarks(workdir / "workflow" / "rules")
    config = read_yaml(ROOT / "config" / "config.yaml")
    config["waves"] = {wave: {"file": f"data/raw/synthetic/{wave}.sav", "survey": WAVE_FORMATS[WAVES[wave][0]].survey,
                              "year": WAVES[wave][1], "fieldwork_date": WAVES[wave][2]} for wave in waves}
    _dump(config, workdir / "config" / "config.yaml")
    harmonization = read_yaml(ROOT / "config" / "harmonization.yaml")
    for wave in waves:
        harmonization[wave] = harmonization[WAVES[wave][0]]
    _dump(harmonization, workdir / "config" / "harmonization.yaml")
    _dump(indicator_copies(indicators), workdir / "config" / "indicators.yaml")
    # the waves as rule synthesize would have left them (copied after the config, so they are newer)
    raw, derived = workdir / "data" / "raw" / "synthetic", workdir / "data" / "processed" / "synthetic"
    raw.mkdir(parents=True)
    derived.mkdir(parents=True)
    for wave in waves:
        shutil.copy(data / "raw" / f"{wave}.sav", raw)
        for kind in ("population", "national"):
            shutil.copy(data / "derived" / f"{kind}_{wave}.parquet", derived)
    return workdir


def snakemake(workdir: Path, cores: int, *extra: str) -> float:
    """Run the workflow; its wall time (s)."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(cores), "--quiet", "rules", *extra],
                         cwd=workdir, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if run.returncode:
        sys.exit(f"bench_national: the workflow failed in {workdir}:\n{run.stderr[-3000:]}")
    return elapsed


def read_benchmarks(workdir: Path) -> dict[str, dict[str, float]]:
    """Per rule: jobs, longest job (s), total wall (s), total CPU (s), largest max RSS (MB)."""
    out: dict[str, dict[str, float]] = {}
    for path in sorted((workdir / "benchmarks").rglob("*.tsv")):
        rule = path.relative_to(workdir / "benchmarks").parts[0]
        with path.open(encoding="utf-8") as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        stats = out.setdefault(rule, {"jobs": 0, "max_s": 0.0, "total_s": 0.0, "cpu_s": 0.0, "max_rss_mb": 0.0})
        seconds = float(row["s"])
        stats["jobs"] += 1
        stats["max_s"] = max(stats["max_s"], seconds)
        stats["total_s"] += seconds
        stats["cpu_s"] += float(row.get("cpu_time") or "nan")
        stats["max_rss_mb"] = max(stats["max_rss_mb"], float(row.get("max_rss") or "nan"))
    return out


def exponents(cells: Mapping[tuple[int, int], Mapping[str, Mapping[str, float]]], rule: str
              ) -> tuple[float, float]:
    """(a, b) of time ∝ rows^a × indicators^b from a 2 × 2 design (means over the other factor), on the jobs'
    total wall time: Snakemake samples a job's CPU time now and then, so a short job's is undercounted."""
    rows = sorted({r for r, _ in cells})
    inds = sorted({i for _, i in cells})
    if len(rows) != 2 or len(inds) != 2:
        return math.nan, math.nan

    def seconds(r: int, i: int) -> float:
        return cells[(r, i)].get(rule, {}).get("total_s", math.nan)

    def slope(t0: float, t1: float, x0: float, x1: float) -> float:
        return math.log(t1 / t0) / math.log(x1 / x0) if t0 > 0 and t1 > 0 else math.nan

    a = sum(slope(seconds(rows[0], i), seconds(rows[1], i), rows[0], rows[1]) for i in inds) / 2
    b = sum(slope(seconds(r, inds[0]), seconds(r, inds[1]), inds[0], inds[1]) for r in rows) / 2
    return a, b


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a new temporary one, removed)")
    parser.add_argument("--rows", type=int, nargs="+", default=[30_000, 60_000], help="respondents per wave")
    parser.add_argument("--indicators", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--waves", type=int, default=5, choices=range(1, len(WAVES) + 1))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--no-warm", action="store_true", help="skip the warm rerun of the largest cell")
    parser.add_argument("--out", type=Path, default=RESULTS / "national.csv")
    args = parser.parse_args(argv)
    waves = list(WAVES)[: args.waves]
    os.environ.setdefault("PYTHONPATH", str(ROOT / "src"))
    scratch = args.workdir or Path(tempfile.mkdtemp(prefix="bench_national_"))
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"({os.cpu_count()} CPUs); scratch: {scratch}")
    counts: dict[int, dict[str, int]] = {}
    for rows in args.rows:
        started = time.perf_counter()
        counts[rows] = generate_waves(scratch / f"data_{rows}", rows, waves)
        print(f"waves of ~{rows} respondents: {counts[rows]} (generated in {time.perf_counter() - started:.0f} s)")
    cells: dict[tuple[int, int], dict[str, dict[str, float]]] = {}
    walls: dict[tuple[int, int], float] = {}
    for rows in args.rows:
        for n in args.indicators:
            project = make_project(scratch / f"cell_{rows}_{n}", scratch / f"data_{rows}", n, waves)
            walls[(rows, n)] = snakemake(project, args.cores)
            cells[(rows, n)] = read_benchmarks(project)
            print(f"cell rows {rows} × indicators {n}: whole run {walls[(rows, n)]:.0f} s cold "
                  f"(load {os.getloadavg()[0]:.2f})")
    big = (max(args.rows), max(args.indicators))
    project = scratch / f"cell_{big[0]}_{big[1]}"
    warm: dict[str, dict[str, float]] = {}
    warm_wall = math.nan
    if not args.no_warm:
        shutil.rmtree(project / "benchmarks")
        warm_wall = snakemake(project, args.cores, "--forcerun", "ingest", "truth")
        warm = read_benchmarks(project)
        print(f"cell rows {big[0]} × indicators {big[1]}: whole run {warm_wall:.0f} s warm")
    cold = cells[big]
    header = ["stage", "jobs", "cold_max_job_s", "cold_total_s", "cold_cpu_s", "warm_max_job_s", "warm_total_s",
              "max_rss_mb", "exponent_rows", "exponent_indicators"]
    table = []
    for rule in sorted(cold, key=lambda r: -cold[r]["total_s"]):
        a, b = exponents(cells, rule)
        w = warm.get(rule, {})
        table.append([rule, int(cold[rule]["jobs"]), cold[rule]["max_s"], cold[rule]["total_s"], cold[rule]["cpu_s"],
                      w.get("max_s", math.nan), w.get("total_s", math.nan),
                      max(cold[rule]["max_rss_mb"], w.get("max_rss_mb", 0.0)), a, b])
    table.append(["whole run", sum(int(c["jobs"]) for c in cold.values()), walls[big], math.nan,
                  sum(c["cpu_s"] for c in cold.values()), warm_wall, math.nan,
                  max(c["max_rss_mb"] for c in cold.values()), math.nan, math.nan])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rows_per_wave", "waves", "indicators", *header])
        respondents = round(sum(counts[big[0]].values()) / len(waves))
        for row in table:
            writer.writerow([respondents, len(waves), big[1], *[f"{v:.3g}" if isinstance(v, float) else v
                                                                for v in row]])
    with (args.out.parent / f"{args.out.stem}_cells.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rows", "indicators", "stage", "jobs", "max_s", "total_s", "cpu_s", "max_rss_mb",
                         "whole_run_s"])
        for (rows, n), stats in cells.items():
            for rule, s in stats.items():
                writer.writerow([rows, n, rule, int(s["jobs"]), f"{s['max_s']:.3f}", f"{s['total_s']:.3f}",
                                 f"{s['cpu_s']:.3f}", f"{s['max_rss_mb']:.1f}", f"{walls[(rows, n)]:.1f}"])
    print(f"\n{len(waves)} waves of ~{respondents} respondents, {big[1]} indicators, --cores {args.cores}")
    print(f"{'stage':<18}{'jobs':>5}{'cold max':>10}{'cold sum':>10}{'cpu':>8}{'warm max':>10}{'warm sum':>10}"
          f"{'RSS MB':>8}{'a rows':>8}{'b ind':>7}")
    for row in table:
        print(f"{row[0]:<18}{row[1]:>5}" + "".join(f"{v:>{w}.1f}" for v, w in zip(row[2:8], (10, 10, 8, 10, 10, 8),
                                                                                   strict=True))
              + "".join(f"{v:>{w}.2f}" for v, w in zip(row[8:], (8, 7), strict=True)))
    misses = [r[0] for r in table[:-1] if r[2] > 60]
    print(f"targets: whole run {walls[big]:.0f} s (< 180), longest stage job {max(r[2] for r in table[:-1]):.0f} s "
          f"(< 60{'; over: ' + ', '.join(misses) if misses else ''}), peak job memory "
          f"{max(r[7] for r in table[:-1]):.0f} MB (< 4096); load average now {os.getloadavg()[0]:.2f}")
    print(f"written: {args.out} and {args.out.parent / (args.out.stem + '_cells.csv')}")
    if args.workdir is None:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
