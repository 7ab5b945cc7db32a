"""Shared fixtures: the project's real config and reference tables, and synthetic waves made once per run."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from ath_analysis.areas import load_area_tables
from ath_analysis.config import load_config, read_yaml
from ath_analysis.synth import WAVE_FORMATS, generate_wave

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261123


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def areas():
    return load_area_tables(ROOT / "config" / "areas")


@pytest.fixture(scope="session")
def variables():
    return read_yaml(ROOT / "config" / "variables.yaml")


@pytest.fixture(scope="session")
def harmonization():
    return read_yaml(ROOT / "config" / "harmonization.yaml")


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory, areas, variables) -> Path:
    """The three default synthetic waves, generated once for the whole test run."""
    out = tmp_path_factory.mktemp("synthetic")
    for wave in WAVE_FORMATS:
        generate_wave(areas, variables, wave, SEED, out / f"{wave}.sav", out / f"population_{wave}.parquet")
    return out


@pytest.fixture
def config(monkeypatch, synthetic_dir) -> dict:
    """The project's config (defaults filled) with waves pointing at the session's synthetic files."""
    monkeypatch.chdir(ROOT)
    cfg = copy.deepcopy(load_config(ROOT / "config" / "config.yaml"))
    for wave, wave_cfg in cfg["waves"].items():
        wave_cfg["file"] = str(synthetic_dir / f"{wave}.sav")
    return cfg
