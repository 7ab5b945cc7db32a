"""The whole of Finland as reference data: municipalities by year, successors, populations, postal areas, maps;
and published reference values (THL Sotkanet).

Fetched (`ath-analysis areas fetch`, `ath-analysis reference fetch`) or imported (`ath-analysis areas import DIR`)
into `data/external/` — never committed; the pipeline reads them with `load_national_register` and
`read_reference_values` and never opens a network connection itself.
"""

from ath_analysis.register.common import RegisterError
from ath_analysis.register.importer import import_register
from ath_analysis.register.model import (
    AUTONOMOUS_MAAKUNTA,
    BoundaryFile,
    NationalRegister,
    load_national_register,
)
from ath_analysis.register.reference_values import (
    ReferenceValuesSettings,
    read_reference_values,
    reference_value,
)

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
