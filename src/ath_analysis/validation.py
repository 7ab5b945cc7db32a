"""`ath-analysis validate`: the whole configuration and the survey files it names, checked together.

Everything is reported at once, so an analyst fixes a config in one round instead of one error per run. The
configuration checks are the ones the workflow runs when it starts (`ath_analysis.checks`); on top of them each
wave's file gets ingest's own checks on its dictionary and mapped columns (`ingest.check_wave_file`), in
ingest's words.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from ath_analysis.checks import project_problems
from ath_analysis.config import load_config
from ath_analysis.errors import AthError
from ath_analysis.harmonization import parse_wave_spec
from ath_analysis.ingest import check_wave_file
from ath_analysis.yaml_files import read_yaml

SENSITIVE_DIRS = ("data/raw", "data/processed")


def _wave_file_problems(config: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(problems, warnings) of each wave's file: exists, readable, holds and types what its harmonization maps."""
    try:
        harmonization = read_yaml(config["harmonization"])
        variables = read_yaml(config["variables"])
    except AthError:
        return [], []  # already reported by the configuration checks
    problems: list[str] = []
    warnings: list[str] = []
    for wave, wave_config in config["waves"].items():
        if not isinstance(harmonization, dict) or not isinstance(harmonization.get(wave), dict):
            continue
        specs, spec_problems = parse_wave_spec(wave, harmonization[wave], variables, config["harmonization"])
        if spec_problems:
            continue
        path = Path(wave_config["file"])
        if not path.is_file():
            if not config["data"]["synthetic"]:
                problems.append(f"wave '{wave}': data file {path} not found")
            continue
        file_problems, file_warnings = check_wave_file(path, wave, specs, variables, wave_config,
                                                       config["geography"]["min_age"])
        problems += file_problems
        warnings += file_warnings
    return problems, warnings


def tracked_sensitive_files(root: str | Path = ".") -> list[str]:
    """Files under data/raw or data/processed that git tracks (they must never be committed)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", *SENSITIVE_DIRS], cwd=root, capture_output=True, text=True, check=False
        ).stdout.split()
    except OSError:
        return []
    return [f for f in listed if not f.endswith(("README.md", ".gitkeep"))]


def validate_project(config_path: str | Path = "config/config.yaml") -> tuple[list[str], list[str]]:
    """(problems, warnings) for the whole configuration and the data it names."""
    try:
        config = load_config(config_path)
    except AthError as exc:
        lines = str(exc).splitlines()
        return [line.strip() for line in (lines[1:] if len(lines) > 1 else lines)], []
    file_problems, warnings = _wave_file_problems(config)
    problems = project_problems(config) + file_problems
    warnings += [
        f"{f} is tracked by git: survey data must never be committed (git rm --cached {f})"
        for f in tracked_sensitive_files(Path(config_path).resolve().parent.parent)
    ]
    return [p.strip() for p in problems], warnings
