"""Sub-areas of one municipality (villages, districts): postal code areas and the groups they form.

A table lists them (config/areas/mikkeli_subareas.csv for Mikkeli: postal_code, subarea, subarea_group); for any
other municipality the national register's postal code areas serve, each area its own sub-area and the whole
municipality one group, until someone writes a table for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ath_analysis.errors import ConfigError
from ath_analysis.register.model import NationalRegister

COLUMNS = ["postal_code", "subarea", "subarea_group", "population"]
UNKNOWN_SUBAREA = "tuntematon"


@dataclass(frozen=True)
class Subareas:
    """The sub-areas of `municipality`: one row per postal code (COLUMNS)."""

    municipality: str
    table: pd.DataFrame

    @property
    def names(self) -> list[str]:
        return sorted(set(self.table["subarea"]))

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(self.table["subarea_group"]))


def read_subarea_table(path: str | Path, municipality: str) -> Subareas:
    """A sub-area table (postal_code, subarea, subarea_group; population or population_2022 optional)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: sub-area table not found (geography.subareas.table)")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    if "population" not in frame and "population_2022" in frame:
        frame = frame.rename(columns={"population_2022": "population"})
    missing = [c for c in ("postal_code", "subarea", "subarea_group") if c not in frame]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)} (a sub-area table has postal_code, "
                          "subarea, subarea_group)")
    frame["postal_code"] = frame["postal_code"].str.strip().str.zfill(5)
    twice = frame["postal_code"][frame["postal_code"].duplicated()].unique()
    if len(twice):
        raise ConfigError(f"{path}: postal code(s) {', '.join(twice[:5])} appear more than once")
    if "population" not in frame:
        frame["population"] = pd.NA
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").astype("Int64")
    return Subareas(municipality, frame[COLUMNS].reset_index(drop=True))


def register_subareas(register: NationalRegister, municipality: str, reference_date: str) -> Subareas:
    """Each postal code area the register places in `municipality` (as in force on the reference date)."""
    postal = register.postal_areas
    if postal is None or postal.empty:
        raise ConfigError(f"{register.directory}: the national register has no postal code areas; import or fetch "
                          "them, or give geography.subareas.table")
    current = register.municipality_at(postal["municipality_code"], reference_date, reference_date)
    rows = postal[(current == municipality).fillna(False).to_numpy()]
    if rows.empty:
        raise ConfigError(f"geography.subareas.municipality: the national register has no postal code area in "
                          f"municipality {municipality}")
    name = register.names().get(municipality, municipality)
    table = pd.DataFrame({
        "postal_code": rows["postal_code"].to_numpy(),
        "subarea": [f"{name} {code}" for code in rows["postal_code"]],
        "subarea_group": name,
        "population": pd.to_numeric(rows["population"], errors="coerce").astype("Int64").to_numpy(),
    })
    return Subareas(municipality, table.sort_values("postal_code").reset_index(drop=True))
