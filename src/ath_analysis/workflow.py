"""What the Snakefile needs before it defines a rule: the checked settings and the indicator rules.

The Snakefile calls `workflow_settings` with the config files given on the command line (or the default
config/config.yaml) and the `--config` overrides. Everything is read with the project's safe YAML reader,
validated, defaulted and checked together with the files the config names, so a bad config stops the
workflow before any job runs, with every problem listed and no traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from ath_analysis.checks import project_problems
from ath_analysis.config import DEFAULT_CONFIG, load_config
from ath_analysis.errors import AthError
from ath_analysis.indicators.definitions import canonical_variables, indicator_rules, load_indicators


@dataclass(frozen=True)
class WorkflowSettings:
    """config: the checked config (defaults filled); files: the config files used; indicator_rules: what the
    computing rules pass as params (labels and texts left out, so editing them reruns only the reports)."""

    config: dict[str, Any]
    files: tuple[str, ...]
    indicator_rules: list[dict[str, Any]]


def _shown(path: str | Path) -> str:
    """A path as the user gave it: relative to the working directory when it lies below it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _stop(message: str) -> NoReturn:
    print(f"ath-analysis: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def workflow_settings(configfiles: Sequence[str | Path] = (), overrides: Mapping[str, Any] | None = None
                      ) -> WorkflowSettings:
    """Read, check and default the configuration; on any problem print them all and exit 1."""
    files = tuple(_shown(p) for p in configfiles) or (DEFAULT_CONFIG,)
    try:
        config = load_config(files, overrides)
        problems = project_problems(config)
        if problems:
            _stop(f"invalid configuration ({', '.join(files)}):\n  " + "\n  ".join(problems))
        indicators = load_indicators(config["indicators"], variables=canonical_variables(config["variables"]))
    except AthError as exc:
        _stop(str(exc))
    return WorkflowSettings(config, files, indicator_rules(indicators))
