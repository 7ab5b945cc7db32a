"""`ath-analysis validate`: the whole configuration and the survey files it names, checked together.

Everything is reported at once, so an analyst fixes a config in one round instead of one error per run. The
configuration checks are the ones the workflow runs when it starts (`ath_analysis.checks`); on top of them
each wave's file is opened (metadata only) to check that every mapped variable is in it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pyreadstat

from ath_analysis.checks import project_problems
from ath_analysis.config import load_config
from ath_analysis.errors import AthError, close_matches
from ath_analysis.harmonization import parse_wave_spec
from ath_analysis.yaml_files import read_yaml

SENSITIVE_DIRS = ("data/raw", "data/processed")


def _wave_file_problems(config: dict[str, Any]) -> list[str]:
    """Each wave's file exists, can be read and holds the variables its harmonization maps."""
    try:
        harmonization = read_yaml(config["harmonization"])
        variables = read_yaml(config["variables"])
    except AthError:
        return []  # already reported by the configuration checks
    problems: list[str] = []
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
        try:
            _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        except Exception as exc:  # a damaged file: say which
            problems.append(f"wave '{wave}': cannot read {path}: {exc}")
            continue
        problems += [
            f"wave '{wave}': variable '{s.source}' (for {s.canonical}) is not in {path}"
            f"{close_matches(s.source, meta.column_names)}"
            for s in specs
            if s.source not in meta.column_names
        ]
    return problems


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
    problems = project_problems(config) + _wave_file_problems(config)
    warnings = [
        f"{f} is tracked by git: survey data must never be committed (git rm --cached {f})"
        for f in tracked_sensitive_files(Path(config_path).resolve().parent.parent)
    ]
    return [p.strip() for p in problems], warnings
