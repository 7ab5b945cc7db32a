"""JSON Schemas of the configuration files, shipped as package data so any install can validate."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SCHEMAS = ("config.schema.yaml", "indicators.schema.yaml")


def schema_file(name: str) -> Path:
    """Filesystem path of a packaged schema (e.g. "config.schema.yaml")."""
    return Path(str(resources.files(__name__).joinpath(name)))
