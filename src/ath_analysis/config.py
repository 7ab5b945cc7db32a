"""Loading and validating config/config.yaml and the YAML files it points to.

Validation reports every problem at once, each naming the file and the key path, so an analyst can fix a
config in one round. Defaults come from the JSON Schema (through snakemake's `validate`), so the schema is
the one place where a setting is documented.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ath_analysis.errors import ConfigError, close_matches


def schema_path(name: str) -> Path:
    """Path of a packaged JSON Schema."""
    from ath_analysis.schemas import schema_file

    return schema_file(name)


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file; a syntax error names the file and the line."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}:{where}: YAML syntax error: {problem}") from None


def _describe(error: jsonschema.ValidationError, schema: Mapping[str, Any]) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        hints = "; ".join(f"unknown key '{k}'{close_matches(k, allowed)}" for k in extra)
        return f"{where}: {hints or error.message}"
    return f"{where}: {error.message}"


def schema_problems(document: Any, schema_file: str | Path, source: str | Path) -> list[str]:
    """Every JSON Schema violation in `document`, one line each naming `source` and the key path."""
    schema = read_yaml(schema_file)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{source}: {_describe(e, schema)}" for e in errors]


def check_config(config: dict[str, Any], source: str | Path = "config/config.yaml") -> dict[str, Any]:
    """Validate a config mapping and fill defaults in place; raise one ConfigError listing all problems."""
    schema_file = schema_path("config.schema.yaml")
    problems = schema_problems(config, schema_file, source)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    from snakemake.utils import validate  # the same default filling the workflow uses

    validate(config, str(schema_file), set_default=True)
    return config


def load_config(path: str | Path = "config/config.yaml") -> dict[str, Any]:
    """Read, validate and default-fill a config file."""
    config = read_yaml(path)
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return check_config(copy.deepcopy(config), path)
