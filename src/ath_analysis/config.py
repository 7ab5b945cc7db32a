"""config/config.yaml: reading, schema validation with defaults, and merging command-line overrides.

Validation reports every problem at once, each naming the file and the key path, so an analyst can fix a
config in one round. Defaults come from the packaged JSON Schema (`ath_analysis/schemas`), so the schema is
the one place where a setting is documented. Checks that need the other configuration files (harmonization,
variables, indicators, area tables) are in `ath_analysis.checks`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import validators

from ath_analysis.errors import ConfigError, close_matches
from ath_analysis.schemas import schema_file
from ath_analysis.yaml_files import read_yaml

__all__ = ["check_config", "load_config", "merge", "read_yaml", "schema_problems"]

DEFAULT_CONFIG = "config/config.yaml"


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        hints = "; ".join(f"unknown key '{k}'{close_matches(str(k), allowed)}" for k in extra)
        return f"{where}: {hints or error.message}"
    if error.validator == "format" and error.validator_value == "date":
        return f"{where}: {error.instance!r} is not a calendar date (YYYY-MM-DD)"
    if error.validator == "pattern":
        form = error.schema.get("description") or error.validator_value
        return f"{where}: {error.instance!r} does not have the expected form ({form})"
    return f"{where}: {error.message}"


def _non_finite(value: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Key paths of NaN and infinite numbers (`.nan`, `.inf` in YAML), which JSON Schema lets through."""
    if isinstance(value, float) and not math.isfinite(value):
        yield f"{'.'.join(path) or '(top level)'}: {value!r} is not a finite number"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _non_finite(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*path, str(index)))


def schema_problems(document: Any, schema: str | Path | Mapping[str, Any], source: str | Path) -> list[str]:
    """Every JSON Schema violation in `document`, one line each naming `source` and the key path."""
    if not isinstance(schema, Mapping):
        schema = read_yaml(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    problems = [f"{source}: {_describe(e)}" for e in errors]
    return problems + [f"{source}: {p}" for p in _non_finite(document)]


def _with_defaults(validator_class: Any) -> Any:
    """A validator class that fills each missing property from its schema `default` while validating.

    The pattern of the jsonschema FAQ; defaults are copied, so filling never shares a mutable default between
    two places of the document.
    """
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator: Any, properties: Mapping[str, Any], instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


def check_config(config: dict[str, Any], source: str | Path = DEFAULT_CONFIG) -> dict[str, Any]:
    """Validate a config mapping and fill defaults in place; raise one ConfigError listing all problems."""
    schema = read_yaml(schema_file("config.schema.yaml"))
    problems = schema_problems(config, schema, source)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    _with_defaults(jsonschema.Draft202012Validator)(schema).validate(config)
    return config


def merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` merged into `base` block by block (as Snakemake merges config files), in place."""
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def load_config(paths: str | Path | Sequence[str | Path] = DEFAULT_CONFIG,
                overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read config file(s) with the safe YAML reader, merge them in order (then `overrides`), check, fill
    defaults. Messages name the file(s) actually used."""
    files = [paths] if isinstance(paths, str | Path) else list(paths)
    if not files:
        raise ConfigError("no configuration file given")
    config: dict[str, Any] = {}
    for path in files:
        document = read_yaml(path)
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise ConfigError(f"{path}: expected a mapping of settings at the top level")
        merge(config, document)
    merge(config, dict(overrides or {}))
    return check_config(config, ", ".join(str(p) for p in files))
