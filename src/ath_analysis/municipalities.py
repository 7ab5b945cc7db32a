"""Where a municipality code belongs: today's municipality, its maakunta and hyvinvointialue on a date.

Two catalogues answer the same questions. `ShippedMunicipalities` reads the tables shipped in `config/areas/`
(the default region's municipalities and mergers): enough for the default run. `RegisterMunicipalities` reads
the national register (`ath-analysis areas import` / `fetch`): any municipality of Finland since 2013, with
chains, splits and dated mergers. Geography asks the catalogue and never knows which one it has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from ath_analysis.areas import AreaTables
from ath_analysis.register.model import AUTONOMOUS_MAAKUNTA, NationalRegister

IMPORT_HINT = ("the shipped tables in config/areas know the default region's municipalities only; for others "
               "import or fetch the national register (ath-analysis areas import DIR, or ath-analysis areas fetch) "
               "and set geography.register")


class Municipalities(Protocol):
    """What geography needs to know about municipality codes."""

    def unknown(self, codes: pd.Series) -> list[str]:
        """Codes (distinct, sorted) this catalogue does not know at all."""

    def current(self, codes: pd.Series, survey_date: str, reference_date: str) -> pd.Series:
        """The municipality in force on `reference_date` of each code recorded on `survey_date`."""

    def maakunta(self, codes: pd.Series, on: str) -> pd.Series:
        """The maakunta (2 digits) of each code on `on`; missing for a code not in force then."""

    def hyvinvointialue(self, codes: pd.Series, on: str) -> pd.Series:
        """The hyvinvointialue (2 digits) of each code (its county from 2023 on, for earlier dates too)."""

    def kuntaryhmitys(self, codes: pd.Series, on: str) -> pd.Series:
        """Statistics Finland's grouping (1 urban, 2 semi-urban, 3 rural) of each current code."""

    def is_aland(self, codes: pd.Series) -> pd.Series:
        """True for codes of Ahvenanmaa, which THL's adult surveys do not cover."""

    def names(self) -> dict[str, str]:
        """Code → Finnish name of every code known (abolished ones included)."""


@dataclass(frozen=True)
class ShippedMunicipalities:
    """The tables of config/areas: the default region's municipalities, their mergers and region periods."""

    areas: AreaTables

    def unknown(self, codes: pd.Series) -> list[str]:
        known = set(self.areas.municipalities["code"]) | set(self.areas.mergers["old_code"]) | set(
            self.areas.mergers["new_code"])
        return sorted(set(codes.dropna()) - known)

    def current(self, codes: pd.Series, survey_date: str, reference_date: str) -> pd.Series:
        mergers = self.areas.mergers[pd.to_datetime(self.areas.mergers["effective"]) <= pd.Timestamp(reference_date)]
        step = dict(zip(mergers["old_code"], mergers["new_code"], strict=True))
        result = codes.copy()
        for _ in range(len(step) + 1):  # chains such as 640 → 593
            moved = result.map(step)
            if moved.isna().all():
                break
            result = moved.fillna(result)
        return result

    def maakunta(self, codes: pd.Series, on: str) -> pd.Series:
        membership = self.areas.region_membership()
        day = pd.Timestamp(on)
        valid = membership[(membership["valid_from"] <= day) & (membership["valid_to"] >= day)]
        return codes.map(valid.drop_duplicates("code").set_index("code")["region"]).astype("string")

    def hyvinvointialue(self, codes: pd.Series, on: str) -> pd.Series:
        table = self.areas.municipalities
        if "hyvinvointialue" not in table:
            return pd.Series(pd.NA, index=codes.index, dtype="string")
        return self.current(codes, on, "2099-12-31").map(table.set_index("code")["hyvinvointialue"]).astype("string")

    def kuntaryhmitys(self, codes: pd.Series, on: str) -> pd.Series:
        return codes.map(self.areas.municipalities.set_index("code")["kuntaryhmitys_2015"]).astype("string")

    def is_aland(self, codes: pd.Series) -> pd.Series:
        return pd.Series(False, index=codes.index)  # the shipped tables hold no Åland municipality

    def names(self) -> dict[str, str]:
        return self.areas.municipality_names()


@dataclass(frozen=True)
class RegisterMunicipalities:
    """The national register: every municipality since the first yearly list, with dated successors."""

    register: NationalRegister
    splits: Mapping[str, str] = field(default_factory=dict)

    def unknown(self, codes: pd.Series) -> list[str]:
        table = self.register
        known = set(table.municipalities["code"]) | set(table.successors["old_code"]) | set(
            table.successors["new_code"])
        return sorted(set(codes.dropna()) - known)

    def current(self, codes: pd.Series, survey_date: str, reference_date: str) -> pd.Series:
        return self.register.municipality_at(codes, survey_date, reference_date, splits=self.splits)

    def maakunta(self, codes: pd.Series, on: str) -> pd.Series:
        # a code recorded at survey time is in that day's list; an older survey uses the first list
        return self.register.maakunta_on(codes, on, nearest=True)

    def hyvinvointialue(self, codes: pd.Series, on: str) -> pd.Series:
        current = self.register.municipality_at(codes, on, self._hva_date(on), splits=self.splits)
        return self.register.hyvinvointialue_on(current, self._hva_date(on), nearest=True)

    def _hva_date(self, on: str) -> str:
        """The counties exist from 2023; an earlier date asks the first list that has them."""
        return max(on, "2023-01-01")

    def kuntaryhmitys(self, codes: pd.Series, on: str) -> pd.Series:
        return self.register.kuntaryhmitys_on(codes, on, nearest=True)

    def is_aland(self, codes: pd.Series) -> pd.Series:
        return self.register.is_aland(codes)

    def names(self) -> dict[str, str]:
        return self.register.names()


__all__ = ["AUTONOMOUS_MAAKUNTA", "IMPORT_HINT", "Municipalities", "RegisterMunicipalities",
           "ShippedMunicipalities"]
