"""Published reference values: the national (or another region's) figure to show beside a region's own estimate.

When only a region's survey data are at hand, the report can still say how the whole country or a neighbouring
region did, from THL's published figures. They live in one CSV with the columns of THL's Sotkanet/Terveytemme
downloads, one row per indicator × region × year × sex:

indicator       the publisher's indicator id (Sotkanet's number)          required
indicator_name  its published name                                         optional
region_level    MAA (whole country), MAAKUNTA, HYVINVOINTIALUE, KUNTA …  required
region_code     the region's code at that level (Sotkanet's)              required
region_name                                                                optional
year            the survey year                                            required
sex             total, male or female                                      required
value           the published figure, in `unit`                            required
ci_low, ci_high its 95 % confidence limits, when published                optional (blank)
n               number of respondents, when published                      optional (blank)
unit            percent, proportion or number                              required
source          where the row comes from (publisher, indicator, update)    optional
retrieved       when it was downloaded (UTC)                               optional

Config maps the project's indicator ids to the publisher's (see `ReferenceValuesSettings`):

    reference_values:
      file: data/external/reference_values.csv
      indicators: {daily_smoking: 4559, obesity: 4550}   # our id: Sotkanet id
      region_level: MAA            # which published value to show
      region_code: null            # needed when the level has several regions

`ath-analysis reference fetch` writes the file from Sotkanet (`sotkanet_reference_values`); the pipeline only
reads it (`read_reference_values`), which checks every row and converts percentages to proportions 0–1, the
scale of the project's estimates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.errors import ConfigError
from ath_analysis.register.common import RegisterError, pad, read_csv_text, shown
from ath_analysis.register.sotkanet import GENDERS, SotkanetClient

REFERENCE_COLUMNS = ["indicator", "indicator_name", "region_level", "region_code", "region_name", "year", "sex",
                     "value", "ci_low", "ci_high", "n", "unit", "source", "retrieved"]
REQUIRED_COLUMNS = ["indicator", "region_level", "region_code", "year", "sex", "value", "unit"]
UNITS = ("percent", "proportion", "number")
DEFAULT_CATEGORIES = ("MAA", "MAAKUNTA", "HYVINVOINTIALUE", "KUNTA")
KEY = ["indicator", "region_level", "region_code", "year", "sex"]
_SCALE = {"percent": 0.01, "proportion": 1.0, "number": 1.0}


@dataclass(frozen=True)
class ReferenceValuesSettings:
    """The `reference_values:` block of config.yaml: the file and the mapping of our ids to the publisher's."""

    file: str
    indicators: Mapping[str, str] = field(default_factory=dict)
    region_level: str = "MAA"
    region_code: str | None = None

    @classmethod
    def from_config(cls, block: Any, where: str = "config.yaml: reference_values") -> ReferenceValuesSettings:
        if not isinstance(block, Mapping):
            raise ConfigError(f"{where}: expected a mapping with file and indicators")
        unknown = sorted(set(block) - {"file", "indicators", "region_level", "region_code"})
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}")
        if not isinstance(block.get("file"), str) or not block["file"]:
            raise ConfigError(f"{where}, field 'file': the path of the reference values CSV is required")
        indicators = block.get("indicators") or {}
        if not isinstance(indicators, Mapping):
            raise ConfigError(f"{where}, field 'indicators': expected a mapping of our id to the publisher's id")
        mapping = {}
        for ours, theirs in indicators.items():
            if not isinstance(theirs, int | str) or isinstance(theirs, bool) or str(theirs).strip() == "":
                raise ConfigError(f"{where}, field 'indicators', {ours}: {theirs!r} is not an indicator id")
            mapping[str(ours)] = str(theirs).strip()
        level = block.get("region_level", "MAA")
        code = block.get("region_code")
        if not isinstance(level, str) or (code is not None and not isinstance(code, str | int)):
            raise ConfigError(f"{where}: region_level must be text and region_code text or a number")
        return cls(file=block["file"], indicators=mapping, region_level=level.upper(),
                   region_code=None if code is None else str(code))


def sotkanet_reference_values(
    client: SotkanetClient,
    indicators: Sequence[int | str],
    *,
    years: Sequence[int] | None = None,
    genders: Sequence[str] = GENDERS,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
) -> pd.DataFrame:
    """Rows of the reference-values format for Sotkanet indicators (every year of each, unless `years`).

    The unit is 'percent' when the indicator's Finnish name has a '%' (THL names shares "… (%)"), else 'number'.
    Sotkanet gives neither confidence limits nor numbers of respondents: those columns stay blank.
    """
    frames = []
    for indicator in indicators:
        meta = client.indicator(indicator)
        wanted = list(years) if years else client.years_of(indicator)
        data = client.data(indicator, wanted, genders)
        retrieved = client.http.log[-1].retrieved if client.http.log else ""
        data = data[data["category"].isin([c.upper() for c in categories])]
        updated = f", data updated {meta['updated']}" if meta["updated"] else ""
        frames.append(pd.DataFrame({
            "indicator": str(meta["id"]), "indicator_name": meta["title_fi"], "region_level": data["category"],
            "region_code": data["code"], "region_name": data["title_fi"], "year": data["year"],
            "sex": data["gender"], "value": data["value"], "ci_low": np.nan, "ci_high": np.nan, "n": pd.NA,
            "unit": "percent" if "%" in meta["title_fi"] else "number",
            "source": f"THL Sotkanet, indicator {meta['id']}{updated} (CC BY 4.0)", "retrieved": retrieved,
        }))
    if not frames:
        raise RegisterError("no Sotkanet indicators to fetch")
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(KEY, ignore_index=True)[REFERENCE_COLUMNS]


def write_reference_values(frame: pd.DataFrame, path: str | Path) -> None:
    """Write the CSV (all or nothing), in the format's column order."""
    missing = [c for c in REFERENCE_COLUMNS if c not in frame]
    if missing:
        raise RegisterError(f"{path}: reference values lack column(s) {', '.join(missing)}")
    with atomic_outputs(path) as (temp,):
        frame[REFERENCE_COLUMNS].to_csv(temp, index=False, lineterminator="\n", float_format="%.10g")


def _first_bad(mask: pd.Series) -> int | None:
    positions = np.flatnonzero(mask.to_numpy())
    return int(positions[0]) if len(positions) else None


def _fail(path: Path, position: int, column: str, problem: str) -> RegisterError:
    return RegisterError(f"{path}: row {position + 1} (line {position + 2}), column {column}: {problem}")


def _read_filled(path: Path) -> pd.DataFrame:
    """The file's text columns, stripped, with every required cell filled, so later checks see no blanks."""
    if not path.is_file():
        raise RegisterError(f"{path}: reference values file not found (make it with `ath-analysis reference "
                            "fetch`)")
    frame = read_csv_text(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise RegisterError(f"{path}: missing column(s) {', '.join(missing)}")
    for column in REFERENCE_COLUMNS:
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].str.strip()
    for column in ("indicator", "region_level", "region_code", "year", "sex", "value", "unit"):
        bad = _first_bad(frame[column] == "")
        if bad is not None:
            raise _fail(path, bad, column, "empty")
    return frame


def _read_numbers(path: Path, frame: pd.DataFrame) -> tuple[pd.Series, dict[str, pd.Series]]:
    """The year and the numeric columns as numbers (a decimal comma allowed), so a typo fails on its row."""
    year = pd.to_numeric(frame["year"], errors="coerce")
    bad = _first_bad(year.isna() | (year % 1 != 0) | (year < 1900) | (year > 2100))
    if bad is not None:
        raise _fail(path, bad, "year", f"{frame['year'].iloc[bad]!r} is not a year")
    numbers = {}
    for column in ("value", "ci_low", "ci_high", "n"):
        values = pd.to_numeric(frame[column].str.replace(",", ".", regex=False), errors="coerce")
        bad = _first_bad(values.isna() & (frame[column] != ""))
        if bad is not None:
            raise _fail(path, bad, column, f"{frame[column].iloc[bad]!r} is not a number")
        numbers[column] = values
    bad = _first_bad((numbers["n"] < 0) | (numbers["n"] % 1 > 0))
    if bad is not None:
        raise _fail(path, bad, "n", f"{frame['n'].iloc[bad]!r} is not a number of respondents")
    return year, numbers


def _normalize_codes(path: Path, frame: pd.DataFrame) -> None:
    """Check sex and unit, then write them, the level and the region codes as the estimates spell them."""
    for column, allowed in (("sex", GENDERS), ("unit", UNITS)):
        bad = _first_bad(~frame[column].str.lower().isin(allowed))
        if bad is not None:
            raise _fail(path, bad, column, f"{frame[column].iloc[bad]!r} is not one of {', '.join(allowed)}")
    frame["sex"] = frame["sex"].str.lower()
    frame["unit"] = frame["unit"].str.lower()
    frame["region_level"] = frame["region_level"].str.upper()
    for level, width in (("KUNTA", 3), ("MAAKUNTA", 2), ("HYVINVOINTIALUE", 2)):
        rows = frame["region_level"] == level
        frame.loc[rows, "region_code"] = pad(frame.loc[rows, "region_code"], width).fillna("")


def _check_values(path: Path, frame: pd.DataFrame, numbers: Mapping[str, pd.Series]) -> None:
    """Values within their unit's range and limits, and each key once, so no figure is shown wrong or twice."""
    top = frame["unit"].map({"percent": 100.0, "proportion": 1.0, "number": np.inf})
    for column in ("value", "ci_low", "ci_high"):
        bad = _first_bad((numbers[column] < 0) & (frame["unit"] != "number") | (numbers[column] > top))
        if bad is not None:
            raise _fail(path, bad, column, f"{frame[column].iloc[bad]} is outside 0–{top.iloc[bad]:g} "
                                           f"({frame['unit'].iloc[bad]})")
    bad = _first_bad((numbers["ci_low"] > numbers["value"]) | (numbers["value"] > numbers["ci_high"]))
    if bad is not None:
        raise _fail(path, bad, "ci_low", "the value is not between ci_low and ci_high")
    twice = frame.duplicated(KEY, keep=False)
    if twice.any():
        rows = np.flatnonzero(twice.to_numpy())[:2] + 1
        raise RegisterError(f"{path}: rows {rows[0]} and {rows[1]} are the same indicator, region, year and sex")


def _our_ids(path: Path, frame: pd.DataFrame, mapping: Mapping[str, str | int]) -> dict[str, list[str]]:
    """The publisher's id → our ids (one may serve several); every mapped indicator must have rows."""
    theirs: dict[str, list[str]] = {}
    for ours, source in mapping.items():
        theirs.setdefault(str(source).strip(), []).append(str(ours))
    absent = [f"{s} ({', '.join(o)})" for s, o in theirs.items() if s not in set(frame["indicator"])]
    if absent:
        raise RegisterError(f"{path}: no rows for indicator(s) {shown(absent)}; run `ath-analysis reference fetch`")
    return theirs


def read_reference_values(path: str | Path, mapping: Mapping[str, str | int]) -> pd.DataFrame:
    """The rows of the mapped indicators, checked, with our indicator ids and values on the estimates' scale.

    mapping: our indicator id → the publisher's id (e.g. {"daily_smoking": 4559}). Returns the format's columns
    with `indicator` = our id, `source_indicator` = the publisher's, `value`/`ci_low`/`ci_high` as proportions 0–1
    when published as percent (`unit` then says proportion, `unit_published` percent). Every problem is a one-line
    error naming the file, the row and the column.
    """
    path = Path(path)
    frame = _read_filled(path)
    year, numbers = _read_numbers(path, frame)
    _normalize_codes(path, frame)
    _check_values(path, frame, numbers)
    theirs = _our_ids(path, frame, mapping)
    scale = frame["unit"].map(_SCALE)
    out = frame.assign(
        year=year.astype(int),
        value=numbers["value"] * scale, ci_low=numbers["ci_low"] * scale, ci_high=numbers["ci_high"] * scale,
        n=numbers["n"].astype("Int64"), unit_published=frame["unit"],
        unit=frame["unit"].replace({"percent": "proportion"}),
    )
    out = out[out["indicator"].isin(list(theirs))]
    out = out.assign(source_indicator=out["indicator"], indicator=out["indicator"].map(theirs)).explode("indicator")
    columns = ["indicator", "source_indicator", *REFERENCE_COLUMNS[1:], "unit_published"]
    return out[columns].sort_values(["indicator", "region_level", "region_code", "year", "sex"], ignore_index=True)


def reference_value(
    values: pd.DataFrame,
    indicator: str,
    *,
    year: int,
    region_level: str = "MAA",
    region_code: str | None = None,
    sex: str = "total",
) -> dict[str, Any] | None:
    """The published value to show beside `year`'s estimate: that year's, else the latest earlier one; None if none.

    `values` is what `read_reference_values` returned. A level with several regions (MAAKUNTA, KUNTA …) needs
    `region_code`.
    """
    rows = values[(values["indicator"] == indicator) & (values["region_level"] == region_level.upper())
                  & (values["sex"] == sex) & (values["year"] <= year)]
    if region_code is not None:
        rows = rows[rows["region_code"] == str(region_code)]
    elif rows["region_code"].nunique() > 1:
        raise RegisterError(f"reference values of {indicator} at level {region_level} cover several regions "
                            f"({shown(sorted(rows['region_code'].unique()))}); set region_code")
    if rows.empty:
        return None
    return dict(rows.sort_values("year").iloc[-1])
