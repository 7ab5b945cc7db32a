"""The Snakemake workflow end to end in a scratch copy of the project: outputs, reruns, failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from .conftest import planned_jobs, run_snakemake

_snakemake = run_snakemake


@pytest.fixture(scope="module")
def project(workflow_project) -> Path:
    """The session's project, run once end to end (shared with the report tests)."""
    return workflow_project


def copy_without_results(project: Path, workdir: Path) -> None:
    """A copy of a run project without Snakemake's records, per-wave data and reports (the generated synthetic
    waves and their populations are kept, so they are not made again)."""
    def ignore(folder: str, names: list[str]) -> set[str]:
        if Path(folder).name == "processed":
            return {n for n in names if n != "synthetic"}
        return {n for n in names if n in (".snakemake", "reports", "logs")}

    shutil.copytree(project, workdir, ignore=ignore)


def _planned_jobs(workdir: Path, *args: str) -> dict[str, list[str]]:
    """rule -> wildcard values (wave or area) of the jobs a dry run would execute, `rule all` left out."""
    return planned_jobs(workdir, *args)


def test_run_fills_processed_for_every_wave(project):
    for wave in ["ath2012", "finsote2018", "ts2022"]:
        folder = project / "data" / "processed" / wave
        assert sorted(p.name for p in folder.iterdir()) == [
            "analysis.parquet", "audit_geography.json", "audit_indicators.json", "audit_ingest.json",
            "indicators.parquet", "labels.json", "respondents.parquet"]
        audit = json.loads((folder / "audit_ingest.json").read_text())
        assert audit["rows_read"] == audit["rows_kept"] + sum(audit["excluded"].values())
        geography = json.loads((folder / "audit_geography.json").read_text())
        assert geography["rows_in"] == geography["rows_out"] == audit["rows_kept"]
        indicator_audit = json.loads((folder / "audit_indicators.json").read_text())
        assert indicator_audit["rows_in"] == indicator_audit["rows_out"] == audit["rows_kept"]
        assert len(pd.read_parquet(folder / "indicators.parquet")) == audit["rows_kept"]
    estimates = pd.read_csv(project / "reports" / "tables" / "estimates.csv")
    assert set(estimates["wave"]) == {"ath2012", "finsote2018", "ts2022"} and estimates["synthetic"].all()
    assert (project / "data" / "processed" / "synthetic" / "truth.parquet").is_file()
    assert _planned_jobs(project) == {}


def test_editing_one_wave_reruns_only_that_wave_and_gives_byte_identical_tables(project):
    """A touched .sav plans that wave's stages and the all-wave tables; rerun from the same bytes, every table
    of all waves together is rewritten byte for byte (one rerun checks both: each costs a pipeline run)."""
    sav = project / "data" / "raw" / "synthetic" / "finsote2018.sav"
    sav.touch()
    jobs = _planned_jobs(project)
    for rule in ("ingest", "geography", "indicators", "small_areas_part"):
        assert jobs.pop(rule) == ["finsote2018"], rule
    # the comparisons of every data set (their levels are those of all waves); everything else that reruns is
    # a table or report of all waves together (no wave wildcard)
    assert jobs.pop("compare_part") == ["ath2012", "finsote2018", "pooled", "ts2022"]
    assert jobs.pop("publish_part") == ["ath2012", "finsote2018", "ts2022"]  # every wave's audit reads the tables
    assert jobs == {"estimate": [""], "differences": [""], "compare": [""], "small_areas": [""], "publish": [""],
                    "area_report": ["etela-savo", "mikkeli"], "local_report": ["etela-savo", "mikkeli"]}, jobs
    tables = sorted((project / "reports" / "tables").glob("*.*")) + [project / "data" / "processed" / "finsote2018"
                                                                      / "indicators.parquet"]
    before = [p.read_bytes() for p in tables]
    written = [p.stat().st_mtime_ns for p in tables]
    run = _snakemake(project, "--cores", "2")
    assert run.returncode == 0, run.stderr[-2000:]
    assert all(p.stat().st_mtime_ns > t for p, t in zip(tables, written, strict=True))  # really rewritten
    changed = [p.name for p, b in zip(tables, before, strict=True) if p.read_bytes() != b]
    assert changed == []


def test_missing_variable_fails_the_run_without_partial_output(project, tmp_path):
    workdir = tmp_path / "broken"
    copy_without_results(project, workdir)
    harmonization = workdir / "config" / "harmonization.yaml"
    harmonization.write_text(harmonization.read_text().replace("srh: terveys", "srh: terveys_x"))
    run = _snakemake(workdir, "--cores", "1")
    assert run.returncode != 0
    assert "wave 'ts2022'" in run.stderr and "terveys_x" in run.stderr and "did you mean: terveys" in run.stderr
    assert not (workdir / "data" / "processed" / "ts2022" / "respondents.parquet").exists()
    leftovers = list((workdir / "data" / "processed").rglob(".*.tmp"))
    assert leftovers == []


def test_config_typo_is_reported_with_the_key(project, tmp_path):
    workdir = tmp_path / "typo"
    shutil.copytree(project, workdir, ignore=shutil.ignore_patterns(".snakemake", "data"))
    config = workdir / "config" / "config.yaml"
    config.write_text(config.read_text().replace("min_n: 30", "min_nn: 30").replace("membership: reference",
                                                                                     "membership: referense"))
    run = _snakemake(workdir, "-n")
    assert run.returncode != 0
    output = run.stdout + run.stderr  # snakemake prints Snakefile errors on stdout
    assert "unknown key 'min_nn' (did you mean: min_n?)" in output
    assert "geography.membership: 'referense' is not one of" in output


def test_no_respondent_level_data_reach_reports(project):
    estimates = pd.read_parquet(project / "reports" / "tables" / "estimates.parquet")
    assert not {"respondent_id", "weight", "age", "stratum"} & set(estimates.columns)
    analysis = pd.concat(pd.read_parquet(p) for p in (project / "data" / "processed").glob("*/indicators.parquet"))
    cells = sum(analysis.groupby("wave")[col].nunique().sum() for col in ["municipality", "sex", "education"])
    assert len(estimates) < len(analysis) / 5 and cells > 0
    for path in (project / "reports").rglob("*"):
        if path.suffix in {".csv", ".parquet"}:
            table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(
                path, **({"sep": ";", "decimal": ",", "encoding": "utf-8-sig"} if path.name.endswith("_excel.csv")
                         else {}))
            assert "respondent_id" not in table.columns, path


def _csv_instead_of_sav(path: Path) -> None:
    path.write_text("tunniste;paino_ts\nTS22-1;2.5\n")


def _unknown_municipality(path: Path) -> None:
    from .savfiles import rewrite_sav

    rewrite_sav(path, path, lambda d: d.assign(kunta=d["kunta"].where(d.index > 2, 999)))


@pytest.mark.parametrize(("damage", "expected"), [
    (_csv_instead_of_sav, "is not an SPSS .sav file"),
    (_unknown_municipality, "unknown municipality code(s) in variable municipality_code: '999' (3 respondents)"),
])
def test_bad_wave_fails_the_run_with_a_clear_message(project, tmp_path, damage, expected):
    workdir = tmp_path / "bad"
    copy_without_results(project, workdir)
    damage(workdir / "data" / "raw" / "synthetic" / "ts2022.sav")
    run = _snakemake(workdir, "--cores", "1")
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert "wave 'ts2022'" in output and expected in output and "Traceback" not in output
    assert not (workdir / "reports" / "tables" / "estimates.parquet").exists()
    assert not list((workdir / "data" / "processed").rglob("*.tmp"))
    assert not (workdir / "data" / "processed" / "ts2022" / "analysis.parquet").exists()


def test_published_files_say_nothing_about_suppressed_cells(project):
    """Every published table, and the report tables and workbooks, carry only the identity and the reason of a
    suppressed cell: no n, df, counts, sums, estimate, interval or p-value; small-area n only from min_n up."""
    import openpyxl

    tables = project / "reports" / "tables"
    min_n = 30
    estimates = pd.read_parquet(tables / "estimates.parquet")
    hidden = estimates[estimates["suppressed"]]
    assert len(hidden) > 50 and (hidden["flag"] == "complementary suppression").any()
    numbers = ["n", "n_positive", "weight_sum", "estimate", "se", "ci_low", "ci_high", "df", "deff", "cv"]
    assert hidden[numbers].isna().all().all()
    models = pd.read_parquet(tables / "comparisons.parquet")
    withheld = models[models["suppressed"]]
    assert len(withheld) and withheld[["n", "df", "estimate", "se", "ci_low", "ci_high", "term_p_value",
                                       "difference", "odds_ratio"]].isna().all().all()
    assert (withheld["message"].fillna("") == "").all()
    small = pd.read_parquet(tables / "small_areas.parquet")
    assert not small["n"].between(1, min_n - 1).any() and (small["respondents"] == f"< {min_n}").any()
    assert small.loc[small["direct_suppressed"], ["direct", "direct_se", "direct_ci_low"]].isna().all().all()
    assert (small.loc[small["respondents"] == f"< {min_n}", "estimate_type"] == "synthetic").all()
    differences = pd.read_parquet(tables / "differences.parquet")
    blank = ["difference", "se", "ci_low", "estimate_area"]
    assert differences.loc[differences["suppressed"], blank].isna().all().all()
    # the internal tables hold the hidden counts; they must not reach any published table
    internal = pd.read_parquet(project / "data" / "processed" / "results" / "estimates.parquet")
    keys = ["indicator", "wave", "domain", "domain_value", "standardized"]
    counts = internal.merge(hidden[keys], on=keys)
    assert (counts["n"] > 0).any()
    for path in tables.glob("*_report.csv"):
        report = pd.read_csv(path, dtype=str)
        if {"domain", "domain_value", "indicator", "wave"} <= set(report.columns) and "n" in report:
            merged = report.merge(hidden[["indicator", "wave", "domain", "domain_value"]].astype(str),
                                  on=["indicator", "wave", "domain", "domain_value"])
            assert merged["n"].isna().all(), path
    checked = 0
    for path in (project / "reports").glob("*.xlsx"):
        book = openpyxl.load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            rows = list(sheet.values)
            header = [str(c) for c in rows[0]] if rows else []
            if "Huomautus" in header and "Arvo (% tai keskiarvo)" in header:  # the sheets for people
                frame = pd.DataFrame(rows[1:], columns=header)
                shown = frame[frame["Huomautus"] == "ei julkaista"]
                for column in ("Vastaajia (n)", "Arvo (% tai keskiarvo)", "Luottamusväli alaraja"):
                    assert shown[column].isna().all(), (path, sheet.title, column)
                checked += len(shown)
            if not rows or "suppressed" not in header:
                continue
            header = [str(c) for c in rows[0]]
            frame = pd.DataFrame(rows[1:], columns=header)
            shown = frame[frame["suppressed"].astype(str).isin(["True", "1", "TRUE"])]
            for column in ("n", "estimate", "ci_low", "ci_high"):
                if column in shown:
                    assert shown[column].isna().all(), (path, sheet.title, column)
    assert checked > 0  # the workbooks have hidden cells, and they are blank
