"""The whole country as reference data: one normalized format on disk and the `NationalRegister` that reads it.

`ath-analysis areas fetch` (Statistics Finland's and THL's open interfaces) and `ath-analysis areas import DIR`
(a directory laid out like `../shared/reference/finland/`) both write this format to `data/external/areas/`
(git-ignored: the data are open, CC BY 4.0, but the project does not ship them):

municipalities.csv   one row per municipality in force on 1 January of `year` (consecutive years):
                     year, code, name_fi, name_sv, name_en, maakunta_code, maakunta_name_{fi,sv,en},
                     hyvinvointialue_code, hyvinvointialue_name_{fi,sv,en} (blank before the source has it),
                     kuntaryhmitys_code (1 urban, 2 semi-urban, 3 rural), kuntaryhmitys_name_{fi,sv,en}
successors.csv       abolished code → the municipality it joined: old_code, old_name, new_code, new_name,
                     effective (YYYY-MM-DD, blank when no source dates it), known_by (the merger had happened by
                     this day: `effective`, or 1 January of the first list), split (true when the old code has
                     several successors; no shares are known), source
populations.csv      year, code, population, division_year (the municipal list whose codes the figures use:
                     Sotkanet publishes every year in the current division)
postal_areas.csv     postal_code, name_fi, name_sv, municipality_code (as the source assigns it; map it with
                     `municipality_at`), municipality_name, population, population_year, year (of the postal
                     division; blank when the source does not say)
boundaries/*.geojson municipalities_YYYY, regions_YYYY (maakunnat), hyvinvointialueet_YYYY (fetch only),
                     postal_areas[_YYYY]: FeatureCollections in WGS 84 whose features carry `code`, `name_fi`,
                     `name_sv` (postal areas: `municipality_code`)
manifest.json        format version, how and when the data were made, and per file its sha256, rows, sources
                     (URL or path, licence, retrieval time, sha256 of what was read) and notes

Codes are text: municipalities 3 digits, maakunnat and hyvinvointialueet 2 digits, postal codes 5 digits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis import __version__
from ath_analysis.atomic import atomic_outputs
from ath_analysis.register.common import (
    DateLike,
    RegisterError,
    day,
    pad,
    per_code,
    read_csv_text,
    sha256_bytes,
    sha256_file,
    shown,
    utc_now,
)
from ath_analysis.register.geojson import read_geojson
from ath_analysis.register.successors import SUCCESSOR_COLUMNS

FORMAT = "ath-analysis national register"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MUNICIPALITIES = "municipalities.csv"
SUCCESSORS = "successors.csv"
POPULATIONS = "populations.csv"
POSTAL_AREAS = "postal_areas.csv"
BOUNDARY_KINDS = ("municipalities", "regions", "hyvinvointialueet", "postal_areas")
LICENCE = "CC BY 4.0"
ATTRIBUTION = "Statistics Finland, National Land Survey of Finland and THL open data (CC BY 4.0)"
# Ahvenanmaa (Åland), the autonomous maakunta outside THL's adult surveys: geography excludes it by this code.
AUTONOMOUS_MAAKUNTA = "21"

_LEVELS = ("maakunta", "hyvinvointialue", "kuntaryhmitys")
MUNICIPALITY_COLUMNS = ["year", "code", "name_fi", "name_sv", "name_en"] + [
    f"{level}_{part}" for level in _LEVELS for part in ("code", "name_fi", "name_sv", "name_en")
]
POPULATION_COLUMNS = ["year", "code", "population", "division_year"]
POSTAL_COLUMNS = ["postal_code", "name_fi", "name_sv", "municipality_code", "municipality_name", "population",
                  "population_year", "year"]
_WIDTHS = {"code": 3, "maakunta_code": 2, "hyvinvointialue_code": 2, "municipality_code": 3, "old_code": 3,
           "new_code": 3, "postal_code": 5}


@dataclass(frozen=True)
class Output:
    """One file to write into the register directory, with what the manifest says about it."""

    name: str
    content: bytes
    rows: int
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kind: str | None = None  # boundary kind
    year: int | None = None  # boundary year


@dataclass(frozen=True)
class BoundaryFile:
    kind: str
    year: int | None
    path: Path
    sha256: str


def csv_output(name: str, frame: pd.DataFrame, columns: Sequence[str], **meta: Any) -> Output:
    """A CSV in the register's format: fixed columns, blank for missing, '\\n' line ends (stable bytes)."""
    text = frame.loc[:, list(columns)].to_csv(index=False, lineterminator="\n")
    return Output(name=name, content=text.encode("utf-8"), rows=len(frame), **meta)


def write_register(directory: str | Path, outputs: Sequence[Output], *, method: str, origin: str,
                   years: Sequence[int], notes: Sequence[str] = ()) -> Path:
    """Write all outputs and the manifest together (all or nothing); stale boundary files are removed."""
    directory = Path(directory)
    names = [o.name for o in outputs]
    if len(set(names)) != len(names):
        raise RegisterError(f"{directory}: two outputs named the same")
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": utc_now(),
        "created_by": f"ath-analysis {__version__}",
        "method": method,
        "origin": origin,
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "coverage": {"first_year": int(min(years)), "last_year": int(max(years))} if len(years) else {},
        "notes": list(notes),
        "files": {
            o.name: {"sha256": sha256_bytes(o.content), "rows": o.rows, "kind": o.kind, "year": o.year,
                     "sources": o.sources, "notes": o.notes}
            for o in outputs
        },
    }
    targets = [directory / o.name for o in outputs] + [directory / MANIFEST]
    with atomic_outputs(*targets) as temps:
        for output, temp in zip(outputs, temps, strict=False):
            temp.write_bytes(output.content)
        temps[-1].write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    keep = {directory / o.name for o in outputs}
    for stale in [*(directory / "boundaries").glob("*.geojson"), directory / POPULATIONS, directory / POSTAL_AREAS]:
        if stale not in keep:
            stale.unlink(missing_ok=True)
    return directory / MANIFEST


def _read_csv(directory: Path, name: str, columns: Sequence[str], manifest: Mapping[str, Any]) -> pd.DataFrame:
    path = directory / name
    record = manifest["files"].get(name)
    if record is None:
        raise RegisterError(f"{directory / MANIFEST}: lists no {name}")
    if not path.is_file():
        raise RegisterError(f"{path}: file listed in the manifest is missing; run `ath-analysis areas import` or "
                            "`ath-analysis areas fetch` again")
    if sha256_file(path) != record["sha256"]:
        raise RegisterError(f"{path}: changed since it was written (sha256 differs from {MANIFEST}); run "
                            "`ath-analysis areas import` or `ath-analysis areas fetch` again")
    frame = read_csv_text(path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RegisterError(f"{path}: missing column(s) {', '.join(missing)}")
    for column, width in _WIDTHS.items():
        if column in frame:
            frame[column] = pad(frame[column], width).fillna("")
    return frame


def _integers(frame: pd.DataFrame, columns: Iterable[str], path: Path) -> None:
    for column in columns:
        values = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype("Int64")
        bad = values.isna() & (frame[column] != "")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise RegisterError(f"{path}: row {row + 1}, column {column}: {frame[column].iloc[row]!r} is not a "
                                "whole number")
        frame[column] = values


@dataclass(frozen=True)
class NationalRegister:
    """Every Finnish municipality by year, their successors, populations, postal areas and boundary maps.

    Read it with `load_national_register`; the frames follow the module's format (codes as text).
    """

    directory: Path
    municipalities: pd.DataFrame
    successors: pd.DataFrame
    populations: pd.DataFrame
    postal_areas: pd.DataFrame
    boundaries: tuple[BoundaryFile, ...]
    manifest: Mapping[str, Any]

    # --- coverage -------------------------------------------------------------------------------------------
    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.municipalities["year"].unique())

    def municipality_list(self, on: DateLike, *, nearest: bool = False) -> pd.DataFrame:
        """The municipalities in force on `on` (the list of the latest 1 January on or before it).

        A date outside the lists' years is an error, unless `nearest`: then the first (or last) list stands in —
        for a survey older than the first list, say, whose codes were mapped to that list first.
        """
        when = day(on)
        first, last = self.years[0], self.years[-1]
        if nearest:
            year = min(max(when.year, first), last)
            return self.municipalities[self.municipalities["year"] == year]
        if when.year < first:
            raise RegisterError(f"{self.directory}: the municipality lists start on {first}-01-01; {when.date()} is "
                                "earlier")
        if when.year > last:
            raise RegisterError(f"{self.directory}: the municipality lists end with {last}; {when.date()} is later "
                                "(fetch or import newer lists)")
        return self.municipalities[self.municipalities["year"] == when.year]

    def names(self) -> dict[str, str]:
        """Code → Finnish name for every code the register knows, abolished ones included (latest name wins)."""
        result = {str(o): str(n) for o, n in zip(self.successors["old_code"], self.successors["old_name"],
                                                   strict=True) if n}
        ordered = self.municipalities.sort_values("year")
        result.update(dict(zip(ordered["code"], ordered["name_fi"], strict=True)))
        return result

    # --- municipalities over time ---------------------------------------------------------------------------
    def municipality_at(
        self,
        codes: pd.Series | Sequence[str],
        survey_date: DateLike,
        reference_date: DateLike,
        *,
        splits: Mapping[str, str] | None = None,
    ) -> pd.Series:
        """The municipality in force on `reference_date` of each code recorded on `survey_date`.

        Mergers effective on or before the reference date are followed through chains (789 → 618 → 740). A code
        already abolished at the survey date is accepted (files often keep old codes); a code that did not exist
        yet on the survey date is an error. Splits: when a code's successors lead to different municipalities
        the sources give no population shares, so the caller must choose in `splits` (old code → successor);
        otherwise an error lists the successors. Branches that meet again (789 Sääminki → 618 and 740, 618 → 740)
        are not ambiguous. A merger without a date applies from its `known_by` day; a reference date before it
        is an error for that code. Missing codes stay missing.
        """
        series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype="string")
        survey = day(survey_date, "survey date")
        reference = day(reference_date, "reference date")
        return per_code(series, 3, lambda distinct: self._resolve(distinct, survey, reference, splits)).astype(
            "string")

    def _resolve(self, distinct: pd.Series, survey: pd.Timestamp, reference: pd.Timestamp,
                 splits: Mapping[str, str] | None) -> pd.Series:
        unique = sorted(set(distinct.dropna()))
        known = set(self.municipalities["code"]) | set(self.successors["old_code"]) | set(self.successors["new_code"])
        unknown = [c for c in unique if c not in known]
        if unknown:
            first, last = self.years[0], self.years[-1]
            raise RegisterError(f"unknown municipality code(s) {shown(unknown)}: in none of the municipality lists "
                                f"{first}–{last} and not an abolished municipality ({self.directory})")
        self._check_in_force(unique, survey)
        step, pending = self._steps(reference, splits or {})
        names = self.names()
        result: dict[str, str] = {}
        for code in unique:
            ends = self._follow(code, step, pending, names)
            if len(ends) > 1:
                options = self.successors[self.successors["old_code"] == code]
                listed = ", ".join(f"{n} {m}" for n, m in zip(options["new_code"], options["new_name"], strict=True))
                raise RegisterError(
                    f"municipality {code} ({names.get(code, '?')}) was split between {listed or shown(sorted(ends))},"
                    f" which lead to {shown(sorted(ends))} on {reference.date()}, and the sources give no shares: "
                    f"choose its successor in splits (e.g. {code}: {sorted(ends)[0]})"
                )
            result[code] = next(iter(ends))
        self._check_reference(result, reference, names)
        return distinct.map(result)

    def _check_in_force(self, codes: Sequence[str], survey: pd.Timestamp) -> None:
        first_listed = self.municipalities.groupby("code")["year"].min()
        if not self.years[0] <= survey.year <= self.years[-1]:
            return
        in_force = set(self.municipality_list(survey)["code"])
        late = [c for c in codes if c not in in_force and c in first_listed and first_listed[c] > survey.year]
        if late:
            shown_late = shown(f"{c} (first in the {int(first_listed[c])} list)" for c in late)
            raise RegisterError(f"municipality code(s) {shown_late} did not exist yet on the survey date "
                                f"{survey.date()}")

    def _steps(self, reference: pd.Timestamp, splits: Mapping[str, str]) -> tuple[dict[str, list[str]], set[str]]:
        table = self.successors
        effective = pd.to_datetime(table["effective"].replace("", None))
        known_by = pd.to_datetime(table["known_by"])
        applies = (effective.notna() & (effective <= reference)) | (effective.isna() & (known_by <= reference))
        pending = set(table.loc[effective.isna() & (known_by > reference), "old_code"])
        step: dict[str, list[str]] = {}
        for old, new in zip(table.loc[applies, "old_code"], table.loc[applies, "new_code"], strict=True):
            step.setdefault(old, []).append(new)
        for old, choice in splits.items():
            old, choice = str(old).zfill(3), str(choice).zfill(3)
            if old in step:
                if choice not in step[old]:
                    raise RegisterError(f"splits: {choice} is not a successor of municipality {old} (successors: "
                                        f"{shown(step[old])})")
                step[old] = [choice]
        return step, pending

    def _follow(
        self, code: str, step: Mapping[str, list[str]], pending: set[str], names: Mapping[str, str]
    ) -> set[str]:
        frontier = {code}
        for _ in range(len(step) + 2):
            nxt: set[str] = set()
            for current in frontier:
                if current in pending:
                    known_by = self.successors.loc[self.successors["old_code"] == current, "known_by"].iloc[0]
                    raise RegisterError(
                        f"the date municipality {current} ({names.get(current, '?')}) was abolished is not known "
                        f"(before {known_by}): use a reference date on or after {known_by}, or add the merger with "
                        "its date to the dated merger table"
                    )
                nxt.update(step.get(current, [current]))
            if nxt == frontier:
                return frontier
            frontier = nxt
        raise RegisterError(f"successor table: municipality {code} does not reach a final municipality")

    def _check_reference(self, result: Mapping[str, str], reference: pd.Timestamp, names: Mapping[str, str]) -> None:
        if not self.years[0] <= reference.year <= self.years[-1]:
            return
        in_force = set(self.municipality_list(reference)["code"])
        stray = sorted({(old, new) for old, new in result.items() if new not in in_force})
        if stray:
            listed = shown(f"{old} → {new} {names.get(new, '')}".rstrip() for old, new in stray)
            raise RegisterError(f"municipality code(s) map to codes that are not municipalities on "
                                f"{reference.date()}: {listed}")

    def _level_on(self, codes: pd.Series | Sequence[str], on: DateLike, level: str, nearest: bool) -> pd.Series:
        series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype="string")
        lookup = self.municipality_list(on, nearest=nearest).set_index("code")[f"{level}_code"].replace("", pd.NA)
        return per_code(series, 3, lambda distinct: distinct.map(lookup)).astype("string")

    def maakunta_on(self, codes: pd.Series | Sequence[str], on: DateLike, *, nearest: bool = False) -> pd.Series:
        """The maakunta (region) of each code in the list in force on `on`; missing for codes not in that list.

        nearest: for dates outside the lists' years use the first or last list (see `municipality_list`).
        """
        return self._level_on(codes, on, "maakunta", nearest)

    def hyvinvointialue_on(self, codes: pd.Series | Sequence[str], on: DateLike, *, nearest: bool = False
                           ) -> pd.Series:
        """The hyvinvointialue of each code on `on`; missing for codes not in that list or years without one."""
        return self._level_on(codes, on, "hyvinvointialue", nearest)

    def kuntaryhmitys_on(self, codes: pd.Series | Sequence[str], on: DateLike, *, nearest: bool = False
                         ) -> pd.Series:
        """Statistics Finland's statistical grouping (1 urban, 2 semi-urban, 3 rural) of each code on `on`."""
        return self._level_on(codes, on, "kuntaryhmitys", nearest)

    def aland_codes(self) -> frozenset[str]:
        """Codes of Ahvenanmaa (maakunta 21) municipalities in any list, and abolished codes that joined one."""
        lists = self.municipalities
        codes = set(lists.loc[lists["maakunta_code"] == AUTONOMOUS_MAAKUNTA, "code"])
        graph = self.successors.groupby("old_code")["new_code"].apply(set).to_dict()
        changed = True
        while changed:
            joined = {old for old, news in graph.items() if old not in codes and news and news <= codes}
            codes |= joined
            changed = bool(joined)
        return frozenset(codes)

    def is_aland(self, codes: pd.Series | Sequence[str]) -> pd.Series:
        """True for Åland codes (THL's adult surveys do not cover Ahvenanmaa, so geography can exclude them)."""
        series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype="string")
        aland = self.aland_codes()
        return per_code(series, 3, lambda distinct: distinct.isin(aland)).fillna(False).astype(bool)

    # --- maps and provenance --------------------------------------------------------------------------------
    def boundary_file(self, kind: str, year: int | None = None) -> BoundaryFile:
        """The boundary map of `kind` for `year` (None: the latest one)."""
        if kind not in BOUNDARY_KINDS:
            raise RegisterError(f"unknown boundary kind {kind!r}; expected one of {', '.join(BOUNDARY_KINDS)}")
        files = [b for b in self.boundaries if b.kind == kind and (year is None or b.year == year)]
        if not files:
            have = shown(f"{b.kind} {b.year or ''}".strip() for b in self.boundaries) or "none"
            raise RegisterError(f"{self.directory}: no {kind} boundaries{f' for {year}' if year else ''} "
                                f"(have: {have})")
        return max(files, key=lambda b: b.year or 0)

    def read_boundaries(self, kind: str, year: int | None = None) -> dict[str, Any]:
        """The GeoJSON FeatureCollection of a boundary map, checked against the manifest's sha256."""
        file = self.boundary_file(kind, year)
        if sha256_file(file.path) != file.sha256:
            raise RegisterError(f"{file.path}: changed since it was written (sha256 differs from {MANIFEST})")
        return read_geojson(file.path)

    def provenance(self) -> pd.DataFrame:
        """One row per source of each file: file, sha256, rows, source (URL or path), licence, retrieved."""
        rows = []
        for name, record in self.manifest["files"].items():
            for source in record.get("sources") or [{}]:
                rows.append({"file": name, "sha256": record["sha256"], "rows": record["rows"],
                             "source": source.get("url") or source.get("path", ""),
                             "licence": source.get("licence", ""),
                             "retrieved": source.get("retrieved") or self.manifest.get("created", "")})
        return pd.DataFrame(rows, columns=["file", "sha256", "rows", "source", "licence", "retrieved"])


def load_national_register(directory: str | Path) -> NationalRegister:
    """Read a register written by `areas fetch` or `areas import`, checking every table against its manifest."""
    directory = Path(directory)
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise RegisterError(f"{directory}: no national register here ({MANIFEST} missing); run `ath-analysis areas "
                            "fetch` or `ath-analysis areas import DIR` first")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RegisterError(f"{manifest_path}: not valid JSON ({exc})") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise RegisterError(f"{manifest_path}: not a version {FORMAT_VERSION} {FORMAT} manifest; run the import or "
                            "fetch again")
    municipalities = _read_csv(directory, MUNICIPALITIES, MUNICIPALITY_COLUMNS, manifest)
    _integers(municipalities, ["year"], directory / MUNICIPALITIES)
    successors = _read_csv(directory, SUCCESSORS, SUCCESSOR_COLUMNS, manifest)
    successors["split"] = successors["split"].str.lower().eq("true")
    populations = (_read_csv(directory, POPULATIONS, POPULATION_COLUMNS, manifest)
                   if POPULATIONS in manifest["files"] else pd.DataFrame(columns=POPULATION_COLUMNS))
    _integers(populations, ["year", "population", "division_year"], directory / POPULATIONS)
    postal = (_read_csv(directory, POSTAL_AREAS, POSTAL_COLUMNS, manifest)
              if POSTAL_AREAS in manifest["files"] else pd.DataFrame(columns=POSTAL_COLUMNS))
    _integers(postal, ["population", "population_year", "year"], directory / POSTAL_AREAS)
    boundaries = tuple(
        BoundaryFile(kind=record["kind"], year=record.get("year"), path=directory / name, sha256=record["sha256"])
        for name, record in manifest["files"].items() if record.get("kind")
    )
    for boundary in boundaries:
        if not boundary.path.is_file():
            raise RegisterError(f"{boundary.path}: boundary file listed in the manifest is missing")
    return NationalRegister(directory=directory, municipalities=municipalities, successors=successors,
                            populations=populations, postal_areas=postal, boundaries=boundaries, manifest=manifest)
