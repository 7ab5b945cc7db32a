"""Per-wave harmonization specs: canonical variable ← the wave's own variable, with recodes.

The spec is data (config/harmonization.yaml), so a new survey wave needs no code: only a block that names
its variables and says how its codes differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ath_analysis.errors import ConfigError, close_matches

REQUIRED_DESIGN = ("respondent_id", "weight", "stratum")
_SPEC_KEYS = {"source", "recode", "zero_pad", "missing"}


@dataclass(frozen=True)
class ColumnSpec:
    """How one canonical variable is made from one source variable."""

    canonical: str
    source: str
    recode: Mapping[Any, Any] = field(default_factory=dict)
    zero_pad: int | None = None
    missing: tuple[Any, ...] = ()


def _column_spec(canonical: str, raw: Any, where: str) -> tuple[ColumnSpec | None, list[str]]:
    if isinstance(raw, str):
        return ColumnSpec(canonical, raw), []
    if not isinstance(raw, Mapping):
        return None, [f"{where}: expected a variable name or a mapping with 'source'"]
    problems = [
        f"{where}: unknown key '{k}'{close_matches(str(k), _SPEC_KEYS)}" for k in raw if k not in _SPEC_KEYS
    ]
    if not isinstance(raw.get("source"), str):
        problems.append(f"{where}: 'source' (the variable name in the file) is required")
    recode = raw.get("recode", {}) or {}
    if not isinstance(recode, Mapping):
        problems.append(f"{where}: 'recode' must map file codes to canonical codes")
    zero_pad = raw.get("zero_pad")
    if zero_pad is not None and (not isinstance(zero_pad, int) or zero_pad < 1):
        problems.append(f"{where}: 'zero_pad' must be a positive whole number")
    missing = raw.get("missing", []) or []
    if not isinstance(missing, list):
        problems.append(f"{where}: 'missing' must be a list of codes")
    if problems:
        return None, problems
    return ColumnSpec(canonical, raw["source"], dict(recode), zero_pad, tuple(missing)), []


def parse_wave_spec(
    wave: str, raw: Any, variables: Mapping[str, Any], source: str = "config/harmonization.yaml"
) -> tuple[list[ColumnSpec], list[str]]:
    """Column specs of one wave and the problems found (unknown canonical names, missing design variables)."""
    where = f"{source}: wave '{wave}'"
    if not isinstance(raw, Mapping):
        return [], [f"{where}: no harmonization block (expected a mapping canonical variable: source variable)"]
    specs: list[ColumnSpec] = []
    problems: list[str] = []
    allowed = set(variables)
    for canonical, entry in raw.items():
        if canonical not in allowed:
            problems.append(
                f"{where}: '{canonical}' is not a canonical variable{close_matches(str(canonical), allowed)}"
            )
            continue
        spec, spec_problems = _column_spec(canonical, entry, f"{where}, variable '{canonical}'")
        problems.extend(spec_problems)
        if spec:
            specs.append(spec)
    problems.extend(
        f"{where}: required design variable '{name}' is not mapped" for name in REQUIRED_DESIGN if name not in raw
    )
    return specs, problems


def load_wave_spec(wave: str, harmonization: Mapping[str, Any], variables: Mapping[str, Any],
                   source: str = "config/harmonization.yaml") -> list[ColumnSpec]:
    """The specs of one wave, or a ConfigError listing everything wrong with them."""
    if wave not in harmonization:
        waves = [w for w in harmonization if not str(w).startswith("_")]
        raise ConfigError(f"{source}: no block for wave '{wave}'{close_matches(wave, waves)}")
    specs, problems = parse_wave_spec(wave, harmonization[wave], variables, source)
    if problems:
        raise ConfigError("invalid harmonization:\n  " + "\n  ".join(problems))
    return specs
