"""Steps shared by `areas fetch` and `areas import`: checking the yearly lists, dating populations, placing postal
areas in municipalities, reading a dated merger table, and turning boundary maps into register outputs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.register.common import RegisterError, day, pad, read_csv_text, shown
from ath_analysis.register.geojson import check_codes, dumps, normalize_features
from ath_analysis.register.model import MUNICIPALITY_COLUMNS, Output
from ath_analysis.register.successors import DATED_COLUMNS


def check_municipality_lists(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """Normalized yearly lists: codes padded, one row per (year, code), consecutive years, names and maakunta set."""
    missing = [c for c in MUNICIPALITY_COLUMNS if c not in frame.columns]
    if missing:
        raise RegisterError(f"{what}: missing column(s) {', '.join(missing)}")
    out = frame.loc[:, MUNICIPALITY_COLUMNS].copy()
    for column in out.columns:
        out[column] = out[column].astype("string").str.strip().fillna("")
    year = pd.to_numeric(out["year"], errors="coerce")
    if year.isna().any() or (year % 1 != 0).any():
        row = int(year.isna().to_numpy().nonzero()[0][0]) if year.isna().any() else 0
        raise RegisterError(f"{what}: row {row + 1}, column year: {frame['year'].iloc[row]!r} is not a year")
    out["year"] = year.astype(int)
    out["code"] = pad(out["code"], 3).fillna("")
    out["maakunta_code"] = pad(out["maakunta_code"], 2).fillna("")
    out["hyvinvointialue_code"] = pad(out["hyvinvointialue_code"], 2).fillna("")
    for column in ("code", "name_fi", "maakunta_code"):
        blank = out[column] == ""
        if blank.any():
            row = int(blank.to_numpy().nonzero()[0][0])
            raise RegisterError(f"{what}: row {row + 1}, column {column} is empty")
    bad = ~out["code"].str.fullmatch(r"\d{3}")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise RegisterError(f"{what}: row {row + 1}, column code: {out['code'].iloc[row]!r} is not a municipality code")
    twice = out.duplicated(["year", "code"], keep=False)
    if twice.any():
        first = out[twice].iloc[0]
        raise RegisterError(f"{what}: municipality {first['code']} is listed twice in {first['year']}")
    years = sorted(out["year"].unique())
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if gaps:
        raise RegisterError(f"{what}: the yearly lists must cover consecutive years; missing {shown(gaps)}")
    return out.sort_values(["year", "code"], ignore_index=True)


def division_years(populations: pd.DataFrame, lists: pd.DataFrame) -> pd.Series:
    """For each population year, the yearly list whose municipality codes the figures use.

    The year itself when its codes are exactly that year's list; otherwise the first list with exactly these
    codes (Sotkanet recomputes every year in the current division). <NA> when no list matches.
    """
    code_sets = {int(y): frozenset(g["code"]) for y, g in lists.groupby("year")}
    division: dict[int, int | None] = {}
    for year, group in populations.groupby("year"):
        codes = frozenset(group["code"])
        if code_sets.get(int(year)) == codes:
            division[int(year)] = int(year)
        else:
            division[int(year)] = next((y for y, s in sorted(code_sets.items()) if s == codes), None)
    return populations["year"].map(division).astype("Int64")


def _fold(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().casefold())


def municipality_by_name(names: pd.Series, lists: pd.DataFrame, what: str) -> tuple[pd.Series, list[str]]:
    """Codes for municipality names as a postal-area file gives them, and notes on the looser matches.

    Exact Finnish or Swedish names of any yearly list (the latest list first), then a name that is the last word
    of exactly one municipality's name (source files cut 'Koski Tl' to 'Tl', 'Pedersören kunta' to 'kunta',
    'Mänttä-Vilppula' to 'Vilppula'). A name that matches nothing, or several, is an error.
    """
    ordered = lists.sort_values("year", ascending=False)
    exact: dict[str, str] = {}
    for column in ("name_fi", "name_sv"):
        for code, name in zip(ordered["code"], ordered[column], strict=True):
            if name:
                exact.setdefault(_fold(name), code)
    last_word: dict[str, set[str]] = {}
    for code, name in zip(ordered["code"], ordered["name_fi"], strict=True):
        words = re.split(r"[\s-]+", _fold(name))
        if len(words) > 1:
            last_word.setdefault(words[-1], set()).add(code)
    result: dict[str, str] = {}
    notes: list[str] = []
    unresolved: list[str] = []
    for name in sorted(set(names.dropna())):
        folded = _fold(str(name))
        if folded in exact:
            result[name] = exact[folded]
        elif len(last_word.get(folded, ())) == 1:
            code = next(iter(last_word[folded]))
            result[name] = code
            full = ordered.loc[ordered["code"] == code, "name_fi"].iloc[0]
            notes.append(f"municipality name {name!r} taken as {code} {full} (the last word of its name)")
        else:
            unresolved.append(repr(name))
    if unresolved:
        raise RegisterError(f"{what}: municipality name(s) {shown(unresolved)} match no municipality (or several)")
    return names.map(result).astype("string"), notes


def read_dated_mergers(path: str | Path) -> pd.DataFrame:
    """A dated merger table (old_code, old_name, new_code, new_name, effective), as config/areas/municipal_mergers."""
    path = Path(path)
    if not path.is_file():
        raise RegisterError(f"{path}: dated merger table not found")
    frame = read_csv_text(path)
    missing = [c for c in DATED_COLUMNS if c not in frame.columns]
    if missing:
        raise RegisterError(f"{path}: missing column(s) {', '.join(missing)}")
    for side in ("old", "new"):
        frame[f"{side}_code"] = pad(frame[f"{side}_code"], 3).fillna("")
        if f"{side}_name" not in frame:
            frame[f"{side}_name"] = ""
    for row, value in enumerate(frame["effective"], start=1):
        try:
            frame.loc[row - 1, "effective"] = str(day(value, "effective").date())
        except RegisterError:
            raise RegisterError(f"{path}: row {row}, column effective: {value!r} is not a date (YYYY-MM-DD)") from None
    for column in ("old_code", "new_code"):
        bad = ~frame[column].str.fullmatch(r"\d{3}")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise RegisterError(f"{path}: row {row + 1}, column {column}: {frame[column].iloc[row]!r} is not a "
                                "municipality code")
    return frame[["old_code", "old_name", "new_code", "new_name", "effective"]]


def boundary_output(
    collection: Mapping[str, Any],
    *,
    kind: str,
    year: int | None,
    what: str,
    code_property: str,
    names: Mapping[str, str],
    expected: set[str] | None,
    against: str,
    sources: Sequence[dict[str, Any]],
    extra: Mapping[str, tuple[str, int]] | None = None,
    notes: Sequence[str] = (),
) -> Output:
    """A normalized boundary map as a register output (boundaries/<kind>[_<year>].geojson)."""
    width = {"municipalities": 3, "regions": 2, "hyvinvointialueet": 2, "postal_areas": 5}[kind]
    normalized = normalize_features(collection, what=what, code_property=code_property, code_width=width,
                                    names=names, extra=extra)
    if expected is not None:
        check_codes(normalized, expected, what, against)
    name = f"boundaries/{kind}{f'_{year}' if year else ''}.geojson"
    return Output(name=name, content=dumps(normalized).encode("utf-8"), rows=len(normalized["features"]),
                  sources=list(sources), notes=list(notes), kind=kind, year=year)
