"""Everything a stage needs to know about places: the shipped area tables, the municipality catalogue (shipped
or the national register), the configured sub-areas, and the labels of every area column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ath_analysis.areas import AreaTables, load_area_tables
from ath_analysis.errors import ConfigError
from ath_analysis.labels import domain_value_labels
from ath_analysis.municipalities import Municipalities, RegisterMunicipalities, ShippedMunicipalities
from ath_analysis.register.model import NationalRegister, load_national_register
from ath_analysis.subareas import Subareas, read_subarea_table, register_subareas


@dataclass(frozen=True)
class SubareaSettings:
    """The config's `geography.subareas`: the municipality and its table (None: the register's postal areas)."""

    municipality: str
    table: str | None = None

    @classmethod
    def from_config(cls, block: Mapping[str, Any] | None) -> SubareaSettings | None:
        if not block:
            return None
        return cls(str(block["municipality"]), block.get("table"))


@dataclass(frozen=True)
class Places:
    areas: AreaTables
    municipalities: Municipalities
    subareas: Subareas | None
    register: NationalRegister | None

    def labels(self, variables: Mapping[str, Any], language: str) -> dict[str, dict[str, str]]:
        names = self.municipalities.names() if self.register is not None else None
        return domain_value_labels(self.areas, variables, language, names, self.subareas)


def load_places(area_tables: str | Path | Sequence[str | Path], register: str | Path | None = None,
                subareas: SubareaSettings | None = None, reference_date: str = "2025-01-01",
                splits: Mapping[str, str] | None = None) -> Places:
    """The places of a run. `register`: the register's folder or its manifest.json (None: shipped tables only)."""
    areas = load_area_tables(area_tables)
    national = None
    catalogue: Municipalities = ShippedMunicipalities(areas)
    if register:
        folder = Path(register)
        national = load_national_register(folder.parent if folder.name == "manifest.json" else folder)
        catalogue = RegisterMunicipalities(national, dict(splits or {}))
    chosen = None
    if subareas is not None:
        if subareas.table:
            chosen = read_subarea_table(subareas.table, subareas.municipality)
        elif national is not None:
            chosen = register_subareas(national, subareas.municipality, reference_date)
        else:
            raise ConfigError("geography.subareas.table is empty: without a table the sub-areas come from the "
                              "national register's postal code areas; set geography.register")
    return Places(areas, catalogue, chosen, national)
