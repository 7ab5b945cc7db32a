"""Reference area tables shipped in `config/areas/`: the default region's municipalities and mergers, the
maakunnat and hyvinvointialueet of the whole country, urban–rural classes, ESP2013 and Mikkeli's sub-areas.

They are public facts kept as CSV; this module reads them once into typed frames so that the geography stage
and the synthetic generator agree on codes. The whole country's municipalities come from the national register
(`ath_analysis.register`) when it has been fetched or imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ath_analysis.errors import ConfigError

# Periods of region membership in municipalities.csv: column -> (first day, last day)
REGION_PERIODS = {
    "region_2013_2020": ("1900-01-01", "2020-12-31"),
    "region_2021_2024": ("2021-01-01", "2024-12-31"),
    "region_2025": ("2025-01-01", "2099-12-31"),
}

_REQUIRED = {
    "municipalities.csv": ["code", "name_fi", *REGION_PERIODS, "kuntaryhmitys_2015"],
    "municipal_mergers.csv": ["old_code", "old_name", "new_code", "new_name", "effective", "old_region"],
    "urban_rural_classes.csv": ["code", "class_no", "name_fi", "name_en", "group"],
    "kuntaryhmitys_classes.csv": ["code", "name_fi", "name_en"],
    "esp2013.csv": ["age_group", "age_min", "age_max", "weight"],
    "mikkeli_subareas.csv": ["postal_code", "former_municipality", "subarea", "subarea_group", "population_2022"],
    "maakunnat.csv": ["code", "name_fi", "name_sv", "name_en"],
    "hyvinvointialueet.csv": ["code", "name_fi", "name_en", "maakunta", "population_2022"],
}
COUNTRY = "FI"  # the domain value of the whole country


@dataclass(frozen=True)
class AreaTables:
    """All reference tables, codes kept as zero-padded strings."""

    municipalities: pd.DataFrame
    mergers: pd.DataFrame
    urban_rural_classes: pd.DataFrame
    kuntaryhmitys_classes: pd.DataFrame
    esp2013: pd.DataFrame
    mikkeli_subareas: pd.DataFrame
    maakunnat: pd.DataFrame
    hyvinvointialueet: pd.DataFrame

    def maakunta_names(self, language: str = "fi") -> dict[str, str]:
        column = f"name_{language}" if f"name_{language}" in self.maakunnat else "name_fi"
        return dict(zip(self.maakunnat["code"], self.maakunnat[column], strict=True))

    def hyvinvointialue_names(self, language: str = "fi") -> dict[str, str]:
        column = f"name_{language}" if f"name_{language}" in self.hyvinvointialueet else "name_fi"
        return dict(zip(self.hyvinvointialueet["code"], self.hyvinvointialueet[column], strict=True))

    def maakunta_of_hyvinvointialue(self) -> dict[str, str]:
        return dict(zip(self.hyvinvointialueet["code"], self.hyvinvointialueet["maakunta"], strict=True))

    def municipality_names(self) -> dict[str, str]:
        """Code → Finnish name for every municipality code the tables know, old codes included."""
        names = dict(zip(self.mergers["old_code"], self.mergers["old_name"], strict=True))
        names.update(dict(zip(self.mergers["new_code"], self.mergers["new_name"], strict=True)))
        names.update(dict(zip(self.municipalities["code"], self.municipalities["name_fi"], strict=True)))
        return names

    def region_membership(self) -> pd.DataFrame:
        """One row per (code, valid_from, valid_to, region): region of each code over time.

        Old codes are valid up to the day before their merger, with their pre-merger region.
        """
        parts = []
        for column, (start, end) in REGION_PERIODS.items():
            part = self.municipalities[["code", column]].rename(columns={column: "region"})
            part = part[part["region"].notna() & (part["region"] != "")]
            parts.append(part.assign(valid_from=pd.Timestamp(start), valid_to=pd.Timestamp(end)))
        old = self.mergers.rename(columns={"old_code": "code", "old_region": "region"})
        old = old.assign(
            valid_from=pd.Timestamp("1900-01-01"),
            valid_to=pd.to_datetime(old["effective"]) - pd.Timedelta(days=1),
        )[["code", "region", "valid_from", "valid_to"]]
        # a code that is both old and current (e.g. 640 Pieksänmaa) keeps only its own rows
        return pd.concat([*parts, old], ignore_index=True)


# The files `load_area_tables` reads (the report also reads municipality_centres.csv, separately).
AREA_TABLE_FILES = tuple(_REQUIRED)


def _read(files: dict[str, Path], name: str) -> pd.DataFrame:
    path = files[name]
    if not path.is_file():
        raise ConfigError(f"{path}: reference table not found")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    missing = [c for c in _REQUIRED[name] if c not in frame.columns]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def load_area_tables(source: str | Path | Sequence[str | Path]) -> AreaTables:
    """Read and check the reference tables: the folder that holds them (normally config/areas), or exactly
    the files of AREA_TABLE_FILES (as a Snakemake rule declares them)."""
    if isinstance(source, str | Path):
        files = {name: Path(source) / name for name in AREA_TABLE_FILES}
    else:
        files = {Path(p).name: Path(p) for p in source}
        missing = [name for name in AREA_TABLE_FILES if name not in files]
        if missing:
            raise ConfigError(f"area tables {', '.join(missing)} not given (expected {', '.join(AREA_TABLE_FILES)})")
    municipalities = _read(files, "municipalities.csv")
    mergers = _read(files, "municipal_mergers.csv")
    esp = _read(files, "esp2013.csv")
    esp["age_min"] = esp["age_min"].astype(int)
    esp["age_max"] = pd.to_numeric(esp["age_max"]).astype("Float64")
    esp["weight"] = esp["weight"].astype(float)
    subareas = _read(files, "mikkeli_subareas.csv")
    subareas["population_2022"] = subareas["population_2022"].astype(int)
    for column in [c for c in municipalities.columns if c.startswith("pop_")]:
        municipalities[column] = municipalities[column].astype(int)
    urban_rural = _read(files, "urban_rural_classes.csv")
    urban_rural["class_no"] = urban_rural["class_no"].astype(int)
    maakunnat = _read(files, "maakunnat.csv")
    maakunnat["code"] = maakunnat["code"].str.zfill(2)
    hyvinvointialueet = _read(files, "hyvinvointialueet.csv")
    hyvinvointialueet["code"] = hyvinvointialueet["code"].str.zfill(2)
    hyvinvointialueet["maakunta"] = hyvinvointialueet["maakunta"].str.zfill(2)
    if "hyvinvointialue" in municipalities:
        municipalities["hyvinvointialue"] = municipalities["hyvinvointialue"].str.zfill(2)
    return AreaTables(
        municipalities=municipalities,
        mergers=mergers,
        urban_rural_classes=urban_rural,
        kuntaryhmitys_classes=_read(files, "kuntaryhmitys_classes.csv"),
        esp2013=esp,
        mikkeli_subareas=subareas,
        maakunnat=maakunnat,
        hyvinvointialueet=hyvinvointialueet,
    )
