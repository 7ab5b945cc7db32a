"""`ath-analysis validate`: config, harmonization, indicators and data variables checked together.

Everything is reported at once, so an analyst fixes a config in one round instead of one error per run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from ath_analysis.config import check_config, read_yaml
from ath_analysis.errors import AthError, close_matches
from ath_analysis.harmonization import parse_wave_spec
from ath_analysis.ingest import check_wave_file

SENSITIVE_DIRS = ("data/raw", "data/processed")


def _indicator_problems(config: dict[str, Any]) -> list[str]:
    from ath_analysis.indicators.definitions import canonical_variables, load_indicators

    try:
        load_indicators(config["indicators"], variables=canonical_variables(config["variables"]))
    except AthError as exc:
        return str(exc).splitlines()
    return []


def _wave_problems(config: dict[str, Any], variables: dict[str, Any]) -> tuple[list[str], list[str]]:
    harmonization = read_yaml(config["harmonization"])
    problems: list[str] = []
    warnings: list[str] = []
    for wave, wave_config in config["waves"].items():
        if not isinstance(harmonization, dict) or wave not in harmonization:
            known = list(harmonization) if isinstance(harmonization, dict) else []
            problems.append(f"{config['harmonization']}: no block for wave '{wave}'{close_matches(wave, known)}")
            continue
        specs, spec_problems = parse_wave_spec(wave, harmonization[wave], variables, config["harmonization"])
        problems += spec_problems
        path = Path(wave_config["file"])
        if not path.is_file():
            if not config["data"]["synthetic"]:
                problems.append(f"wave '{wave}': data file {path} not found")
            continue
        # ingest's own checks, on the dictionary and the mapped columns only, in ingest's words
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
    raw = read_yaml(config_path)
    if not isinstance(raw, dict):
        return [f"{config_path}: expected a mapping of settings at the top level"], []
    try:
        config = check_config(raw, config_path)
    except AthError as exc:
        return str(exc).splitlines()[1:] or [str(exc)], []
    problems: list[str] = []
    variables = read_yaml(config["variables"])
    wave_problems, warnings = _wave_problems(config, variables)
    problems += wave_problems
    problems += _indicator_problems(config)
    warnings += [
        f"{f} is tracked by git: survey data must never be committed (git rm --cached {f})"
        for f in tracked_sensitive_files(Path(config_path).resolve().parent.parent)
    ]
    return [p.strip() for p in problems], warnings
