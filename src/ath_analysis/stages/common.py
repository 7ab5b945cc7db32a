"""What several stages read the same way: the places of the run (area tables, register, sub-areas)."""

from __future__ import annotations

from typing import Any

from ath_analysis.places import Places, SubareaSettings, load_places
from ath_analysis.stages.runner import Input


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value else None


def places(input: Input, settings: dict[str, Any]) -> Places:
    """The places from a rule's `areas` and optional `register` inputs and its `places` param (subareas,
    splits, reference_date: see workflow/rules/common.smk)."""
    return load_places(input["areas"], _first(input.get("register")), SubareaSettings.from_config(settings["subareas"]),
                       str(settings["reference_date"]), settings.get("splits") or {})
