"""THL's Sotkanet REST API (https://sotkanet.fi/rest/1.1/): indicator metadata, regions and data.

Endpoints (documented by THL and used by rOpenGov's `sotkanet` R package):

* ``/indicators/<id>``: ``{"id", "title": {fi, sv, en}, "organization", "range": {"start", "end"},
  "primaryValueType", "decimals", "data-updated", ...}``
* ``/regions``: ``[{"id", "code", "category" (KUNTA, MAAKUNTA, HYVINVOINTIALUE, MAA, ...), "title": {fi, sv,
  en}, "memberOf": [ids], "uri"}]``
* ``/json?indicator=<id>&years=<y>&years=<y2>&genders=total&genders=male``: ``[{"indicator", "region" (a region
  id, not its code), "year", "gender" (total, male, female), "value", "absValue"}]``

Sotkanet publishes every year in the current municipal division. Its rows carry no confidence limits or numbers
of respondents; the reference-value format leaves those columns empty for Sotkanet rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ath_analysis.register.common import RegisterError, pad, shown
from ath_analysis.register.http import HttpClient, with_query

SOTKANET_URL = "https://sotkanet.fi/rest/1.1"
GENDERS = ("total", "male", "female")
POPULATION_INDICATOR = 127  # "Väestö 31.12." (population at year end), all ages
_CODE_WIDTH = {"KUNTA": 3, "MAAKUNTA": 2, "HYVINVOINTIALUE": 2}


def _title(node: Any, lang: str) -> str:
    if isinstance(node, dict):
        return str(node.get(lang) or node.get("fi") or "")
    return "" if node is None else str(node)


def parse_indicator(payload: Any, what: str) -> dict[str, Any]:
    """The metadata of one indicator: id, titles, first and last year, update date."""
    if not isinstance(payload, dict) or "id" not in payload:
        raise RegisterError(f"{what}: expected an indicator object with an 'id'")
    span = payload.get("range") or {}
    try:
        start = int(span["start"]) if span.get("start") is not None else None
        end = int(span["end"]) if span.get("end") is not None else None
    except (TypeError, ValueError):
        raise RegisterError(f"{what}: range {span!r} is not a pair of years") from None
    return {
        "id": str(payload["id"]),
        "title_fi": _title(payload.get("title"), "fi"),
        "title_en": _title(payload.get("title"), "en"),
        "start": start,
        "end": end,
        "updated": str(payload.get("data-updated") or ""),
        "organization": _title((payload.get("organization") or {}).get("title"), "fi"),
    }


def parse_regions(payload: Any, what: str) -> pd.DataFrame:
    """Regions: region (id), code (padded for KUNTA/MAAKUNTA/HYVINVOINTIALUE), category, title_fi/sv/en."""
    if not isinstance(payload, list) or not payload:
        raise RegisterError(f"{what}: expected a non-empty list of regions")
    try:
        frame = pd.DataFrame({
            "region": [str(r["id"]) for r in payload],
            "code": [str(r.get("code", "")) for r in payload],
            "category": [str(r.get("category", "")).upper() for r in payload],
            "title_fi": [_title(r.get("title"), "fi") for r in payload],
            "title_sv": [_title(r.get("title"), "sv") for r in payload],
            "title_en": [_title(r.get("title"), "en") for r in payload],
        })
    except (KeyError, TypeError, AttributeError):
        raise RegisterError(f"{what}: every region needs an 'id' (and 'code', 'category', 'title')") from None
    for category, width in _CODE_WIDTH.items():
        rows = frame["category"] == category
        frame.loc[rows, "code"] = pad(frame.loc[rows, "code"], width).fillna("")
    return frame


def parse_data(payload: Any, what: str) -> pd.DataFrame:
    """Data rows: indicator, region (id), year, gender, value; rows without a value are dropped."""
    if not isinstance(payload, list):
        raise RegisterError(f"{what}: expected a list of data rows")
    if not payload:
        return pd.DataFrame(columns=["indicator", "region", "year", "gender", "value"])
    frame = pd.DataFrame(payload)
    missing = [c for c in ("indicator", "region", "year", "gender", "value") if c not in frame]
    if missing:
        raise RegisterError(f"{what}: data rows lack {', '.join(missing)}")
    out = pd.DataFrame({
        "indicator": frame["indicator"].astype(str),
        "region": frame["region"].astype(str),
        "year": pd.to_numeric(frame["year"], errors="coerce"),
        "gender": frame["gender"].astype(str).str.lower(),
        "value": pd.to_numeric(frame["value"], errors="coerce"),
    })
    if out["year"].isna().any():
        raise RegisterError(f"{what}: a data row has no year")
    bad = sorted(set(out["gender"]) - set(GENDERS))
    if bad:
        raise RegisterError(f"{what}: unknown gender(s) {shown(bad)}; expected {', '.join(GENDERS)}")
    out["year"] = out["year"].astype(int)
    return out[out["value"].notna()].reset_index(drop=True)


@dataclass
class SotkanetClient:
    """Sotkanet requests through one HttpClient (so every response is logged for the manifest)."""

    http: HttpClient
    base_url: str = SOTKANET_URL
    _regions: pd.DataFrame | None = field(default=None, repr=False)

    def indicator(self, indicator: int | str) -> dict[str, Any]:
        url = f"{self.base_url}/indicators/{indicator}"
        return parse_indicator(self.http.get_json(url, what=f"Sotkanet indicator {indicator}"), url)

    def regions(self) -> pd.DataFrame:
        if self._regions is None:
            url = f"{self.base_url}/regions"
            self._regions = parse_regions(self.http.get_json(url, what="Sotkanet regions"), url)
        return self._regions

    def data(self, indicator: int | str, years: Sequence[int], genders: Sequence[str] = ("total",)) -> pd.DataFrame:
        """Rows of one indicator joined with their region's code, category and names."""
        if not years:
            raise RegisterError(f"Sotkanet indicator {indicator}: no years to fetch")
        params: list[tuple[str, str | int]] = [("indicator", indicator)]
        params += [("years", int(y)) for y in years] + [("genders", g) for g in genders]
        url = with_query(f"{self.base_url}/json", params)
        rows = parse_data(self.http.get_json(url, what=f"Sotkanet data of indicator {indicator}"), url)
        regions = self.regions()
        joined = rows.merge(regions, on="region", how="left", validate="many_to_one")
        if joined["code"].isna().any():
            unknown = sorted(set(joined.loc[joined["code"].isna(), "region"]))
            raise RegisterError(f"{url}: region id(s) {shown(unknown)} are not in Sotkanet's region list")
        return joined

    def years_of(self, indicator: int | str) -> list[int]:
        meta = self.indicator(indicator)
        if meta["start"] is None or meta["end"] is None:
            raise RegisterError(f"Sotkanet indicator {indicator}: its metadata give no range of years")
        return list(range(meta["start"], meta["end"] + 1))
