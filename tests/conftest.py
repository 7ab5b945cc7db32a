"""Shared fixtures: the project's real config and reference tables, and synthetic waves made once per run."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from ath_analysis.areas import load_area_tables
from ath_analysis.config import load_config, read_yaml
from ath_analysis.synth import WAVE_FORMATS, generate_wave
from ath_analysis.synth.country import read_counties

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261123


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def areas():
    return load_area_tables(ROOT / "config" / "areas")


@pytest.fixture(scope="session")
def counties():
    """config/areas/hyvinvointialueet.csv: the synthetic waves' national design."""
    return read_counties(ROOT / "config" / "areas" / "hyvinvointialueet.csv")


@pytest.fixture(scope="session")
def variables():
    return read_yaml(ROOT / "config" / "variables.yaml")


@pytest.fixture(scope="session")
def harmonization():
    return read_yaml(ROOT / "config" / "harmonization.yaml")


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory, areas, variables, counties) -> Path:
    """The three default synthetic waves, generated once for the whole test run (with their national strata)."""
    out = tmp_path_factory.mktemp("synthetic")
    for wave in WAVE_FORMATS:
        generate_wave(areas, variables, wave, SEED, out / f"{wave}.sav", out / f"population_{wave}.parquet",
                      counties=counties, national_path=out / f"national_{wave}.parquet")
    return out


@pytest.fixture
def config(monkeypatch, synthetic_dir) -> dict:
    """The project's config (defaults filled) with waves pointing at the session's synthetic files."""
    monkeypatch.chdir(ROOT)
    cfg = copy.deepcopy(load_config(ROOT / "config" / "config.yaml"))
    for wave, wave_cfg in cfg["waves"].items():
        wave_cfg["file"] = str(synthetic_dir / f"{wave}.sav")
    return cfg


def run_snakemake(workdir: Path, *args: str, timeout: int = 900):
    """Run snakemake in `workdir` (the installed package's interpreter), capturing its output."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=workdir, capture_output=True, text=True,
                          timeout=timeout)


def planned_jobs(workdir: Path, *args: str) -> dict[str, list[str]]:
    """rule -> wildcard values (wave, area or data set) of the jobs a dry run would execute, `rule all` left
    out."""
    import re

    run = run_snakemake(workdir, "-n", *args)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    jobs: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=(?:local)?rule )", run.stdout):
        match = re.match(r"(?:local)?rule (\w+):", block)
        if match and match.group(1) != "all":
            wildcard = re.search(r"wildcards: (?:wave|area|dataset)=([\w-]+)", block)
            jobs.setdefault(match.group(1), []).append(wildcard.group(1) if wildcard else "")
    return {rule: sorted(values) for rule, values in jobs.items()}


@pytest.fixture(scope="session")
def workflow_project(tmp_path_factory) -> Path:
    """A scratch copy of the workflow and config, run once end to end on synthetic data for the whole session.

    Tests may rerun it (it stays complete and consistent) but must not leave it broken: damage a copy instead.
    """
    import shutil

    workdir = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "Snakefile", workdir)
    shutil.copytree(ROOT / "workflow", workdir / "workflow")
    shutil.copytree(ROOT / "config", workdir / "config")
    run = run_snakemake(workdir, "--cores", "2")
    assert run.returncode == 0, run.stderr[-3000:]
    return workdir


WORKFLOW_FIXTURES = {"workflow_project", "workflow_run", "project", "project_copy"}
WORKFLOW_MODULES = {"test_workflow.py", "test_coverage.py",  # coverage: 200 replicates of the pipeline's steps
                    "test_national_coverage.py"}  # 2 × 80 replicates of whole-country waves
WORKFLOW_TESTS = {"test_the_workflow_refuses_before_any_job"}


def pytest_collection_modifyitems(items):
    """Mark as `workflow` every test that runs Snakemake or the pipeline end to end (`-m "not workflow"`)."""
    for item in items:
        name = getattr(item, "originalname", item.name)
        if WORKFLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.path.name in WORKFLOW_MODULES \
                or name in WORKFLOW_TESTS:
            item.add_marker(pytest.mark.workflow)
