"""The whole of Finland as reference data: municipalities by year, successors, populations, postal areas, maps;
and published reference values (THL Sotkanet).

Fetched (`ath-analysis areas fetch`, `ath-analysis reference fetch`) or imported (`ath-analysis areas import DIR`)
into `data/external/` — never committed; the pipeline reads them with `load_national_register` and
`read_reference_values` and never opens a network connection itself.

The names below are loaded on first use, so that the command line (which imports `register.commands`) does not
pay for pandas before a command runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ath_analysis.register.common import RegisterError
    from ath_analysis.register.importer import import_register
    from ath_analysis.register.model import AUTONOMOUS_MAAKUNTA, BoundaryFile, NationalRegister, load_national_register
    from ath_analysis.register.reference_values import ReferenceValuesSettings, read_reference_values, reference_value

_WHERE = {
    "RegisterError": "common",
    "import_register": "importer",
    "AUTONOMOUS_MAAKUNTA": "model",
    "BoundaryFile": "model",
    "NationalRegister": "model",
    "load_national_register": "model",
    "ReferenceValuesSettings": "reference_values",
    "read_reference_values": "reference_values",
    "reference_value": "reference_values",
}
__all__ = [
    "AUTONOMOUS_MAAKUNTA",
    "BoundaryFile",
    "NationalRegister",
    "ReferenceValuesSettings",
    "RegisterError",
    "import_register",
    "load_national_register",
    "read_reference_values",
    "reference_value",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
