"""`ath-analysis areas import DIR`: the national register from files laid out like `../shared/reference/finland/`.

The offline route (THL's remote-access environment, CI). The directory is read in place, never copied; the
register written to `data/external/areas/` records each source file's path and sha256. Expected files (see that
directory's README):

finland_municipalities_<first>_<last>.csv   yearly lists: year, code, municipality_name_{fi,sv,en}, maakunta_code,
                                            maakunta_name_{fi,sv,en}, hyvinvointialue_code, hyvinvointialue_name_
                                            {fi,sv,en}, kuntaryhmitys_code, kuntaryhmitys_name_{fi,en}  (required)
abolished_municipalities.csv                abolished_code, successor_code                         (required)
municipality_population_sotkanet.csv        year, code, population                                 (optional)
postal_area_population_<year>.csv           postal_code, population_<year> (KOKO = whole country)  (optional)
municipality_boundaries_<year>.geojson      properties code, name_fi, name_sv                      (optional)
region_boundaries_<year>.geojson            properties code (maakunta), name_fi, name_sv           (optional)
postal_area_boundaries.geojson              properties postal_code, municipality_name_fi           (optional)

Mergers older than the first yearly list are undated there; a dated merger table (the project's
config/areas/municipal_mergers.csv by default on the command line) dates those it knows and names successors
newer than the abolished list (588 Pertunmaa → 507 Mäntyharju, 2025).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.register.common import RegisterError, pad, read_csv_text, sha256_file, shown
from ath_analysis.register.geojson import read_geojson
from ath_analysis.register.model import (
    LICENCE,
    MUNICIPALITIES,
    MUNICIPALITY_COLUMNS,
    POPULATION_COLUMNS,
    POPULATIONS,
    POSTAL_AREAS,
    POSTAL_COLUMNS,
    SUCCESSORS,
    NationalRegister,
    Output,
    csv_output,
    load_national_register,
    write_register,
)
from ath_analysis.register.normalize import (
    boundary_output,
    check_municipality_lists,
    division_years,
    municipality_by_name,
    read_dated_mergers,
)
from ath_analysis.register.successors import SUCCESSOR_COLUMNS, build_successors

_UPSTREAM = {
    "lists": "Statistics Finland classifications (municipality, maakunta, hyvinvointialue, kuntaryhmitys), as "
             "tabulated yearly in the geofi R package (rOpenGov)",
    "abolished": "Statistics Finland's list of abolished municipalities, via the statficlassifications R package",
    "population": "THL Sotkanet indicator 127 (population), via geofi",
    "postal_population": "Statistics Finland Paavo, via geofi",
    "municipality_boundaries": "National Land Survey of Finland administrative areas, via hallinnollisetrajat",
    "region_boundaries": "National Land Survey of Finland administrative areas, via hallinnollisetrajat",
    "postal_boundaries": "Statistics Finland Paavo postal code areas, via kartta_suomi",
}
_LIST_COLUMNS = {
    "municipality_name_fi": "name_fi", "municipality_name_sv": "name_sv", "municipality_name_en": "name_en",
}


def _source(path: Path, kind: str) -> dict[str, Any]:
    return {"path": str(path.resolve()), "sha256": sha256_file(path), "licence": LICENCE,
            "description": _UPSTREAM[kind]}


def _read(path: Path, required: list[str]) -> pd.DataFrame:
    frame = read_csv_text(path)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise RegisterError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def _one(directory: Path, pattern: str, required: bool) -> Path | None:
    found = sorted(directory.glob(pattern))
    if len(found) > 1:
        raise RegisterError(f"{directory}: several files match {pattern}: {shown(p.name for p in found)}")
    if not found and required:
        raise RegisterError(f"{directory}: {pattern} not found (expected a directory laid out like "
                            "../shared/reference/finland, see its README)")
    return found[0] if found else None


def _year(path: Path) -> int:
    match = re.search(r"(\d{4})\D*$", path.stem)
    if not match:
        raise RegisterError(f"{path}: cannot tell the year from the file name")
    return int(match.group(1))


def read_lists(path: Path) -> pd.DataFrame:
    frame = _read(path, ["year", "code", *_LIST_COLUMNS, "maakunta_code", "kuntaryhmitys_code"])
    frame = frame.rename(columns=_LIST_COLUMNS)
    for column in MUNICIPALITY_COLUMNS:
        if column not in frame:
            frame[column] = ""
    return check_municipality_lists(frame, str(path))


def read_abolished(path: Path) -> pd.DataFrame:
    frame = _read(path, ["abolished_code", "successor_code"])
    out = pd.DataFrame({"old_code": pad(frame["abolished_code"], 3), "new_code": pad(frame["successor_code"], 3)})
    bad = out.isna().any(axis=1) | ~out["old_code"].str.fullmatch(r"\d{3}") | ~out["new_code"].str.fullmatch(r"\d{3}")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise RegisterError(f"{path}: row {row + 1}: {frame.iloc[row].tolist()} is not a pair of municipality codes")
    return out.drop_duplicates(ignore_index=True)


def _populations(path: Path, lists: pd.DataFrame) -> tuple[Output, list[str]]:
    frame = _read(path, ["year", "code", "population"])
    out = pd.DataFrame({"year": pd.to_numeric(frame["year"], errors="coerce"), "code": pad(frame["code"], 3),
                        "population": pd.to_numeric(frame["population"], errors="coerce")})
    bad = out["year"].isna() | out["population"].isna() | (out["population"] < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise RegisterError(f"{path}: row {row + 1}: year and population must be numbers (got "
                            f"{frame.iloc[row].tolist()})")
    out = out.astype({"year": int, "population": int})
    unknown = sorted(set(out["code"]) - set(lists["code"]))
    if unknown:
        raise RegisterError(f"{path}: municipality code(s) {shown(unknown)} are in none of the yearly lists")
    out["division_year"] = division_years(out, lists)
    notes = []
    recomputed = out.loc[out["division_year"] != out["year"], ["year", "division_year"]].drop_duplicates()
    if len(recomputed):
        divisions = shown(sorted({str(v) for v in recomputed["division_year"].astype("string").fillna('none')}))
        notes.append(f"{recomputed['year'].nunique()} year(s) are given in a later municipal division "
                     f"({divisions}), not that year's")
    output = csv_output(POPULATIONS, out.sort_values(["year", "code"]), POPULATION_COLUMNS,
                        sources=[_source(path, "population")], notes=notes)
    return output, notes


def _postal(population_path: Path | None, boundary_path: Path | None, lists: pd.DataFrame,
            outputs: list[Output]) -> None:
    if boundary_path is None:
        if population_path is not None:
            raise RegisterError(f"{population_path}: postal populations need postal_area_boundaries.geojson "
                                "(it places each postal area in a municipality)")
        return
    collection = read_geojson(boundary_path)
    properties = pd.DataFrame([f.get("properties") or {} for f in collection["features"]])
    for column in ("postal_code", "municipality_name_fi"):
        if column not in properties:
            raise RegisterError(f"{boundary_path}: features lack the property {column!r}")
    properties["postal_code"] = pad(properties["postal_code"], 5)
    codes, notes = municipality_by_name(properties["municipality_name_fi"], lists, str(boundary_path))
    table = pd.DataFrame({"postal_code": properties["postal_code"], "name_fi": "", "name_sv": "",
                          "municipality_code": codes, "municipality_name": properties["municipality_name_fi"],
                          "population": pd.NA, "population_year": pd.NA, "year": pd.NA})
    sources = [_source(boundary_path, "postal_boundaries")]
    if population_path is not None:
        year = _year(population_path)
        frame = _read(population_path, ["postal_code", f"population_{year}"])
        population = pd.Series(pd.to_numeric(frame[f"population_{year}"], errors="coerce").to_numpy(),
                               index=pad(frame["postal_code"], 5))
        if population.isna().any():
            row = int(population.isna().to_numpy().nonzero()[0][0])
            raise RegisterError(f"{population_path}: row {row + 1}, column population_{year}: not a number")
        areas = population[population.index.str.fullmatch(r"\d{5}")]
        unknown = sorted(set(areas.index) - set(table["postal_code"]))
        if unknown:
            raise RegisterError(f"{population_path}: postal code(s) {shown(unknown)} have no boundary in "
                                f"{boundary_path.name}")
        table["population"] = table["postal_code"].map(areas).astype("Int64")
        table["population_year"] = year
        sources.append(_source(population_path, "postal_population"))
        outside = int(population.get("KOKO", areas.sum()) - areas.sum())
        notes.append(f"{outside} residents of the whole-country total (KOKO) are in no postal area")
    outputs.append(csv_output(POSTAL_AREAS, table.sort_values("postal_code"), POSTAL_COLUMNS, sources=sources,
                              notes=notes))
    placed = {**collection, "features": [
        {**feature, "properties": {**(feature.get("properties") or {}), "municipality_code": code}}
        for feature, code in zip(collection["features"], codes, strict=True)
    ]}
    outputs.append(boundary_output(
        placed, kind="postal_areas", year=None, what=str(boundary_path), code_property="postal_code", names={},
        expected=None, against="", sources=[_source(boundary_path, "postal_boundaries")],
        extra={"municipality_code": ("municipality_code", 3)},
    ))


def import_register(
    source: str | Path, out: str | Path, *, dated_mergers: str | Path | None = None
) -> NationalRegister:
    """Read the reference directory `source` and write the normalized register to `out`; returns it loaded."""
    source, out = Path(source), Path(out)
    if not source.is_dir():
        raise RegisterError(f"{source}: not a directory")
    lists_path = _one(source, "finland_municipalities_*.csv", required=True)
    abolished_path = _one(source, "abolished_municipalities.csv", required=True)
    assert lists_path is not None and abolished_path is not None
    lists = read_lists(lists_path)
    abolished = read_abolished(abolished_path)
    dated = read_dated_mergers(dated_mergers) if dated_mergers else None
    successors, notes = build_successors(
        lists, abolished, abolished_source=str(abolished_path),
        dated=dated, dated_source=str(dated_mergers) if dated_mergers else "",
    )
    successor_sources = [_source(abolished_path, "abolished"), _source(lists_path, "lists")]
    if dated_mergers:
        successor_sources.append({"path": str(Path(dated_mergers).resolve()), "sha256": sha256_file(dated_mergers),
                                  "licence": "", "description": "dated merger table"})
    outputs = [
        csv_output(MUNICIPALITIES, lists, MUNICIPALITY_COLUMNS, sources=[_source(lists_path, "lists")]),
        csv_output(SUCCESSORS, successors, SUCCESSOR_COLUMNS, sources=successor_sources, notes=notes),
    ]
    population_path = _one(source, "municipality_population_*.csv", required=False)
    if population_path is not None:
        output, _ = _populations(population_path, lists)
        outputs.append(output)
    _postal(_one(source, "postal_area_population_*.csv", required=False),
            _one(source, "postal_area_boundaries*.geojson", required=False), lists, outputs)
    for path in sorted(source.glob("municipality_boundaries_*.geojson")):
        year = _year(path)
        expected = set(lists.loc[lists["year"] == year, "code"])
        if not expected:
            raise RegisterError(f"{path}: no municipality list for {year} to check it against")
        outputs.append(boundary_output(
            read_geojson(path), kind="municipalities", year=year, what=str(path), code_property="code",
            names={"name_fi": "name_fi", "name_sv": "name_sv"}, expected=expected,
            against=f"the {year} municipality list", sources=[_source(path, "municipality_boundaries")],
        ))
    for path in sorted(source.glob("region_boundaries_*.geojson")):
        year = _year(path)
        expected = set(lists.loc[lists["year"] == year, "maakunta_code"])
        if not expected:
            raise RegisterError(f"{path}: no municipality list for {year} to check it against")
        outputs.append(boundary_output(
            read_geojson(path), kind="regions", year=year, what=str(path), code_property="code",
            names={"name_fi": "name_fi", "name_sv": "name_sv"}, expected=expected,
            against=f"the maakunnat of the {year} list", sources=[_source(path, "region_boundaries")],
        ))
    write_register(out, outputs, method="import", origin=str(source.resolve()),
                   years=sorted(lists["year"].unique()))
    return load_national_register(out)
