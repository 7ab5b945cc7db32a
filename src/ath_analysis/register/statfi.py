"""`ath-analysis areas fetch`: the national register from Statistics Finland's and THL's open interfaces.

Interfaces and the response formats the parsers read:

* Classification service, https://data.stat.fi/api/classifications/v2 (https://www.stat.fi/en/luokitukset/info/):
  ``classifications?format=json`` and ``correspondenceTables?format=json`` list the available classifications and
  keys (URLs ending in e.g. ``kunta_1_20240101`` or ``kunta_1_20240101#maakunta_1_20240101``);
  ``classifications/kunta_1_YYYY0101/classificationItems?content=data&meta=max&lang=fi&format=json`` is a list of
  items ``{"code", "classificationItemNames": [{"lang", "name"}], ...}``;
  ``correspondenceTables/kunta_1_YYYY0101%23maakunta_1_YYYY0101/maps?content=data&meta=max&lang=fi&format=json``
  (also hyvinvointialue_1, kuntaryhmitys_1) a list of maps ``{"sourceItem": {"code", "classificationItemNames"},
  "targetItem": {...}}``; the key ``kunta_2_D#kunta_1_D`` maps every past and present municipality to the one in
  force on D (the abolished municipalities).
* Statistical-areas WFS, https://geo.stat.fi/geoserver/tilastointialueet/wfs (layers
  ``tilastointialueet:kunta4500k_YYYY`` with properties kunta, nimi, namn, name, vuosi; ``maakunta4500k_YYYY`` with
  maakunta, …; ``hyvinvointialue4500k_YYYY`` with hyvinvointialue, codes "01"…) and
  https://geo.stat.fi/geoserver/postialue/wfs (``postialue:pno_YYYY``: postinumeroalue, nimi, namn, kunta, vuosi),
  requested as GeoJSON in WGS 84: ``service=WFS&version=1.0.0&request=GetFeature&typeName=…
  &outputFormat=application/json&srsName=EPSG:4326``.
* Paavo, https://pxdata.stat.fi/PxWeb/api/v1/fi/Postinumeroalueittainen_avoin_tieto/uusin/paavo_pxt_12f7.px
  (PxWeb API v1): GET gives the table's variables ``{"title", "variables": [{"code", "text", "values",
  "valueTexts", "time"}]}``; POST ``{"query": [...], "response": {"format": "json-stat2"}}`` gives a JSON-stat 2.0
  dataset (``id``, ``size``, ``dimension.<id>.category.index/label``, ``value``); ``he_vakiy`` is the population.
* THL Sotkanet (see `ath_analysis.register.sotkanet`): indicator 127, population by municipality.

All are open data under CC BY 4.0. Nothing here runs inside the pipeline: it is the `fetch` command's code.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.register.common import RegisterError, pad, shown
from ath_analysis.register.geojson import parse_geojson
from ath_analysis.register.http import Download, HttpClient, NotFound
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
    csv_output,
    load_national_register,
    write_register,
)
from ath_analysis.register.normalize import boundary_output, check_municipality_lists, division_years
from ath_analysis.register.sotkanet import POPULATION_INDICATOR, SotkanetClient
from ath_analysis.register.successors import SUCCESSOR_COLUMNS, build_successors

CLASSIFICATIONS_URL = "https://data.stat.fi/api/classifications/v2"
AREAS_WFS_URL = "https://geo.stat.fi/geoserver/tilastointialueet/wfs"
POSTAL_WFS_URL = "https://geo.stat.fi/geoserver/postialue/wfs"
PAAVO_URL = "https://pxdata.stat.fi/PxWeb/api/v1/fi/Postinumeroalueittainen_avoin_tieto/uusin/paavo_pxt_12f7.px"
LANGS = ("fi", "sv", "en")
LEVELS = {"maakunta": "maakunta_1", "hyvinvointialue": "hyvinvointialue_1", "kuntaryhmitys": "kuntaryhmitys_1"}
PAAVO_POPULATION = "he_vakiy"
OFFLINE_HINT = ("`ath-analysis areas fetch` needs a network connection; offline, use `ath-analysis areas import DIR` "
                "with a directory laid out like ../shared/reference/finland")
LAYER_FALLBACK_YEARS = 3  # a year's boundary layer appears during that year: try up to this many earlier years


# --- classification service ---------------------------------------------------------------------------------
def items_url(classification: str, lang: str, base: str = CLASSIFICATIONS_URL) -> str:
    return f"{base}/classifications/{classification}/classificationItems?content=data&meta=max&lang={lang}&format=json"


def maps_url(source: str, target: str, lang: str, base: str = CLASSIFICATIONS_URL) -> str:
    return (f"{base}/correspondenceTables/{source}%23{target}/maps?content=data&meta=max&lang={lang}"
            "&format=json")


def _name(node: Any, lang: str) -> str:
    names = node.get("classificationItemNames") or [] if isinstance(node, dict) else []
    chosen = next((n for n in names if isinstance(n, dict) and n.get("lang") == lang), None)
    chosen = chosen or next((n for n in names if isinstance(n, dict)), {})
    return str(chosen.get("name") or "")


def parse_items(payload: Any, lang: str, what: str) -> dict[str, str]:
    """Code → name (in `lang`, else the first name given) of a classification's items."""
    if not isinstance(payload, list) or not payload:
        raise RegisterError(f"{what}: expected a non-empty list of classification items")
    out: dict[str, str] = {}
    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict) or item.get("code") in (None, ""):
            raise RegisterError(f"{what}: item {number} has no 'code'")
        out[str(item["code"])] = _name(item, lang)
    return out


def parse_maps(payload: Any, lang: str, what: str) -> pd.DataFrame:
    """source_code, source_name, target_code, target_name of a correspondence table's maps."""
    if not isinstance(payload, list) or not payload:
        raise RegisterError(f"{what}: expected a non-empty list of correspondence maps")
    rows = []
    for number, entry in enumerate(payload, start=1):
        source = entry.get("sourceItem") if isinstance(entry, dict) else None
        target = entry.get("targetItem") if isinstance(entry, dict) else None
        if not isinstance(source, dict) or not isinstance(target, dict) or "code" not in source or "code" not in target:
            raise RegisterError(f"{what}: map {number} lacks sourceItem.code or targetItem.code")
        rows.append((str(source["code"]), _name(source, lang), str(target["code"]), _name(target, lang)))
    return pd.DataFrame(rows, columns=["source_code", "source_name", "target_code", "target_name"])


def _local_ids(payload: Any, what: str) -> list[str]:
    if not isinstance(payload, list):
        raise RegisterError(f"{what}: expected a list of URLs")
    ids = []
    for entry in payload:
        text = entry if isinstance(entry, str) else (entry.get("localId") or entry.get("url") or entry.get("value"))
        if not isinstance(text, str):
            continue
        text = urllib.parse.unquote(text.split("?", 1)[0]).rstrip("/")
        ids.append(text.rsplit("/", 1)[-1])
    return ids


def kunta_years(payload: Any, what: str) -> list[int]:
    """Years with a 1 January municipality classification (kunta_1_YYYY0101) in the classifications list."""
    years = {int(m.group(1)) for i in _local_ids(payload, what) if (m := re.fullmatch(r"kunta_1_(\d{4})0101", i))}
    if not years:
        raise RegisterError(f"{what}: lists no municipality classification kunta_1_YYYY0101")
    return sorted(years)


def correspondence_ids(payload: Any, what: str) -> set[str]:
    """The 'source#target' ids of the correspondence tables list."""
    return {i for i in _local_ids(payload, what) if "#" in i}


def abolished_key(ids: set[str]) -> str | None:
    """The newest key of all past and present municipalities to those in force (kunta_2_D#kunta_1_D)."""
    keys = sorted(i for i in ids if re.fullmatch(r"kunta_2_(\d{8})#kunta_1_\1", i))
    return keys[-1] if keys else None


# --- WFS and Paavo -------------------------------------------------------------------------------------------
def wfs_url(base: str, layer: str) -> str:
    query = urllib.parse.urlencode({"service": "WFS", "version": "1.0.0", "request": "GetFeature", "typeName": layer,
                                    "outputFormat": "application/json", "srsName": "EPSG:4326"})
    return f"{base}?{query}"


def parse_pxweb_variables(payload: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(payload, dict) or not isinstance(payload.get("variables"), list):
        raise RegisterError(f"{what}: expected PxWeb table metadata with 'variables'")
    for variable in payload["variables"]:
        if not {"code", "values"} <= set(variable):
            raise RegisterError(f"{what}: a variable lacks 'code' or 'values'")
    return list(payload["variables"])


def parse_json_stat2(payload: Any, what: str) -> pd.DataFrame:
    """A JSON-stat 2.0 dataset as a long frame: one column per dimension (category codes) and `value`."""
    try:
        ids, sizes, dims = list(payload["id"]), [int(s) for s in payload["size"]], payload["dimension"]
        categories = []
        for dim, size in zip(ids, sizes, strict=True):
            index = dims[dim]["category"]["index"]
            codes = list(index) if isinstance(index, list) else sorted(index, key=lambda c: index[c])
            if len(codes) != size:
                raise ValueError(f"dimension {dim} has {len(codes)} categories, size says {size}")
            categories.append(codes)
        raw = payload["value"]
    except (KeyError, TypeError, ValueError) as exc:
        raise RegisterError(f"{what}: not a JSON-stat 2.0 dataset ({exc})") from None
    total = int(np.prod(sizes)) if sizes else 0
    if isinstance(raw, dict):
        values = np.full(total, np.nan)
        for position, value in raw.items():
            values[int(position)] = np.nan if value is None else float(value)
    else:
        if len(raw) != total:
            raise RegisterError(f"{what}: {len(raw)} values for {total} cells")
        values = np.array([np.nan if v is None else float(v) for v in raw])
    frame = pd.DataFrame(list(itertools.product(*categories)), columns=ids)
    frame["value"] = values
    return frame


def _paavo_query(variables: list[dict[str, Any]], what: str) -> tuple[dict[str, Any], str, str, str, int | None]:
    """The json-stat2 query for every postal area's population: (query, postal variable, measure variable, measure
    code, year of the figures)."""
    def share_postal(v: dict[str, Any]) -> float:
        values = [str(x) for x in v["values"]]
        return sum(bool(re.fullmatch(r"\d{5}", x)) for x in values) / max(len(values), 1)

    postal = max(variables, key=share_postal)
    measure = next((v for v in variables if any(str(x).lower() == PAAVO_POPULATION for x in v["values"])), None)
    if share_postal(postal) < 0.5 or measure is None:
        raise RegisterError(f"{what}: no postal-code variable or no {PAAVO_POPULATION} in the table's variables")
    code = next(str(x) for x in measure["values"] if str(x).lower() == PAAVO_POPULATION)
    query = [{"code": postal["code"], "selection": {"filter": "all", "values": ["*"]}},
             {"code": measure["code"], "selection": {"filter": "item", "values": [code]}}]
    year = None
    time = next((v for v in variables if v.get("time") or str(v["code"]).lower() in {"vuosi", "year"}), None)
    if time is not None:
        latest = sorted(str(x) for x in time["values"])[-1]
        query.append({"code": time["code"], "selection": {"filter": "item", "values": [latest]}})
        year = int(latest[:4]) if latest[:4].isdigit() else None
    else:
        text = str((measure.get("valueTexts") or [""])[list(map(str, measure["values"])).index(code)])
        found = re.findall(r"(?:19|20)\d{2}", text)
        year = int(found[-1]) if found else None
    return ({"query": query, "response": {"format": "json-stat2"}}, str(postal["code"]), str(measure["code"]), code,
            year)


# --- fetch ---------------------------------------------------------------------------------------------------
def _sources(downloads: Sequence[Download]) -> list[dict[str, Any]]:
    return [d.as_source(LICENCE) for d in downloads]


def _get_layer(http: HttpClient, base: str, template: str, year: int, what: str) -> tuple[Any, int, Download]:
    """A WFS layer for `year`, or for up to LAYER_FALLBACK_YEARS earlier years when it is not published yet."""
    problems = []
    for candidate in range(year, year - LAYER_FALLBACK_YEARS - 1, -1):
        url = wfs_url(base, template.format(year=candidate))
        try:
            body = http.get(url, what=what)
        except NotFound as exc:
            problems.append(str(exc))
            continue
        if body.lstrip()[:1] == b"<":  # GeoServer answers an unknown typeName with an XML ServiceExceptionReport
            problems.append(f"{url} answered {body.lstrip()[:100].decode('utf-8', 'replace')!r}")
            continue
        return parse_geojson(body, f"{what} ({url})"), candidate, http.log[-1]
    raise RegisterError(f"{what}: no layer {template.format(year=year)} nor for the {LAYER_FALLBACK_YEARS} years "
                        f"before ({problems[0]})")


def _lists(http: HttpClient, years: Sequence[int], tables: set[str], base: str) -> pd.DataFrame:
    frames = []
    for year in years:
        kunta = f"kunta_1_{year}0101"
        names = {lang: parse_items(http.get_json(items_url(kunta, lang, base), what=f"municipalities {year}"), lang,
                                   items_url(kunta, lang, base)) for lang in LANGS}
        frame = pd.DataFrame({"code": list(names["fi"])})
        frame = frame[frame["code"].str.fullmatch(r"\d{1,3}")]
        frame["year"] = year
        for lang in LANGS:
            frame[f"name_{lang}"] = frame["code"].map(names[lang]).fillna("")
        for level, series in LEVELS.items():
            target = f"{series}_{year}0101"
            for lang in LANGS:
                column = f"{level}_name_{lang}"
                frame[column] = ""
                if f"{kunta}#{target}" not in tables:
                    continue
                url = maps_url(kunta, target, lang, base)
                maps = parse_maps(http.get_json(url, what=f"{level} of municipalities {year}"), lang, url)
                maps = maps.drop_duplicates("source_code").set_index("source_code")
                frame[f"{level}_code"] = frame["code"].map(maps["target_code"]).fillna("")
                frame[column] = frame["code"].map(maps["target_name"]).fillna("")
            if f"{level}_code" not in frame:
                frame[f"{level}_code"] = ""
        frames.append(frame)
    return check_municipality_lists(pd.concat(frames, ignore_index=True).reindex(columns=MUNICIPALITY_COLUMNS),
                                    f"{base} (municipality lists)")


def fetch_register(
    out: str | Path,
    *,
    http: HttpClient,
    first_year: int = 2010,
    last_year: int | None = None,
    boundary_year: int | None = None,
    postal_year: int | None = None,
    scale: int = 4500,
    dated_mergers: pd.DataFrame | None = None,
    dated_source: str = "",
    classifications_url: str = CLASSIFICATIONS_URL,
    areas_wfs_url: str = AREAS_WFS_URL,
    postal_wfs_url: str = POSTAL_WFS_URL,
    paavo_url: str = PAAVO_URL,
    sotkanet: SotkanetClient | None = None,
) -> NationalRegister:
    """Download the register's facts and write them to `out` in the normalized format; returns it loaded.

    first_year..last_year: the yearly municipality lists (1 January); last_year defaults to the newest published.
    boundary_year, postal_year: years of the municipality/maakunta and postal-area maps (default: the last list
    year, or up to three years earlier when that year's layer is not published yet). scale: 4500 or 1000 (the
    1:4.5 M or 1:1 M generalisation).
    """
    base = classifications_url
    listed = http.get_json(f"{base}/classifications?format=json", what="classification service")
    available = [y for y in kunta_years(listed, base) if y >= first_year and (last_year is None or y <= last_year)]
    if not available:
        raise RegisterError(f"{base}: no municipality classification for {first_year}–{last_year or 'now'}")
    years = list(range(available[0], available[-1] + 1))
    gaps = sorted(set(years) - set(available))
    if gaps:
        raise RegisterError(f"{base}: municipality classifications missing for {shown(gaps)}")
    tables = correspondence_ids(http.get_json(f"{base}/correspondenceTables?format=json",
                                              what="classification service"), base)
    lists = _lists(http, years, tables, base)
    list_downloads = list(http.log)

    key = abolished_key(tables)
    if key is None:
        raise RegisterError(f"{base}: no key of abolished municipalities (kunta_2_D#kunta_1_D) in the list")
    source, target = key.split("#")
    url = maps_url(source, target, "fi", base)
    key_start = len(http.log)
    maps = parse_maps(http.get_json(url, what="abolished municipalities"), "fi", url)
    abolished = pd.DataFrame({"old_code": pad(maps["source_code"], 3), "old_name": maps["source_name"],
                              "new_code": pad(maps["target_code"], 3), "new_name": maps["target_name"]})
    successors, notes = build_successors(lists, abolished, abolished_source=f"Statistics Finland key {key}",
                                         dated=dated_mergers, dated_source=dated_source)
    successor_sources = _sources(http.log[key_start:]) + ([{"path": dated_source, "description": "dated merger table",
                                                            "licence": ""}] if dated_source else [])
    outputs = [
        csv_output(MUNICIPALITIES, lists, MUNICIPALITY_COLUMNS, sources=_sources(list_downloads)),
        csv_output(SUCCESSORS, successors, SUCCESSOR_COLUMNS, sources=successor_sources, notes=notes),
    ]

    client = sotkanet or SotkanetClient(http)
    pop_start = len(http.log)
    pop_years = client.years_of(POPULATION_INDICATOR)
    rows = client.data(POPULATION_INDICATOR, pop_years, ["total"])
    rows = rows[rows["category"] == "KUNTA"]
    populations = pd.DataFrame({"year": rows["year"].astype(int), "code": rows["code"],
                                "population": rows["value"].round().astype(int)})
    unknown = sorted(set(populations["code"]) - set(lists["code"]))
    if unknown:
        raise RegisterError(f"Sotkanet population: municipality code(s) {shown(unknown)} are in no yearly list")
    populations["division_year"] = division_years(populations, lists)
    outputs.append(csv_output(POPULATIONS, populations.sort_values(["year", "code"]), POPULATION_COLUMNS,
                              sources=_sources(http.log[pop_start:])))

    map_year = boundary_year or years[-1]
    municipalities, got, download = _get_layer(http, areas_wfs_url, f"tilastointialueet:kunta{scale}k_{{year}}",
                                               map_year, "municipality boundaries")
    expected = set(lists.loc[lists["year"] == got, "code"]) if got in years else None
    outputs.append(boundary_output(municipalities, kind="municipalities", year=got, what=download.url,
                                   code_property="kunta", names={"name_fi": "nimi", "name_sv": "namn"},
                                   expected=expected, against=f"the {got} municipality list",
                                   sources=_sources([download])))
    regions, got_regions, download = _get_layer(http, areas_wfs_url, f"tilastointialueet:maakunta{scale}k_{{year}}",
                                                got, "maakunta boundaries")
    expected = set(lists.loc[lists["year"] == got_regions, "maakunta_code"]) if got_regions in years else None
    outputs.append(boundary_output(regions, kind="regions", year=got_regions, what=download.url,
                                   code_property="maakunta", names={"name_fi": "nimi", "name_sv": "namn"},
                                   expected=expected, against=f"the maakunnat of the {got_regions} list",
                                   sources=_sources([download])))

    counties = set(lists.loc[lists["year"] == got_regions, "hyvinvointialue_code"]) - {""}
    if counties:
        collection, got_counties, download = _get_layer(
            http, areas_wfs_url, f"tilastointialueet:hyvinvointialue{scale}k_{{year}}", got_regions,
            "hyvinvointialue boundaries")
        expected = set(lists.loc[lists["year"] == got_counties, "hyvinvointialue_code"]) - {""}
        outputs.append(boundary_output(collection, kind="hyvinvointialueet", year=got_counties, what=download.url,
                                       code_property="hyvinvointialue", names={"name_fi": "nimi", "name_sv": "namn"},
                                       expected=expected or None, against=f"the hyvinvointialueet of the "
                                       f"{got_counties} list", sources=_sources([download])))

    postal, got_postal, postal_download = _get_layer(http, postal_wfs_url, "postialue:pno_{year}",
                                                     postal_year or years[-1], "postal areas")
    paavo_start = len(http.log)
    variables = parse_pxweb_variables(http.get_json(paavo_url, what="Paavo table"), paavo_url)
    query, postal_var, measure_var, measure, pop_year = _paavo_query(variables, paavo_url)
    cube = parse_json_stat2(http.get_json(paavo_url, what="Paavo population", payload=query), paavo_url)
    cube = cube[(cube[measure_var] == measure) & cube[postal_var].astype(str).str.fullmatch(r"\d{5}")]
    if cube[postal_var].duplicated().any():
        raise RegisterError(f"{paavo_url}: several population figures per postal area (is the query by year?)")
    population = pd.Series(cube["value"].to_numpy(), index=pd.Index(cube[postal_var].astype(str)))
    props = pd.DataFrame([f.get("properties") or {} for f in postal["features"]])
    for column in ("postinumeroalue", "kunta"):
        if column not in props:
            raise RegisterError(f"{postal_download.url}: postal areas lack the property {column!r}")
    table = pd.DataFrame({
        "postal_code": pad(props["postinumeroalue"], 5), "name_fi": props.get("nimi", ""),
        "name_sv": props.get("namn", ""), "municipality_code": pad(props["kunta"], 3),
    })
    names = lists.sort_values("year").groupby("code")["name_fi"].last()
    table["municipality_name"] = table["municipality_code"].map(names).fillna("")
    table["population"] = table["postal_code"].map(population).round().astype("Int64")
    table["population_year"] = pop_year
    table["year"] = got_postal
    outputs.append(csv_output(POSTAL_AREAS, table.sort_values("postal_code"), POSTAL_COLUMNS,
                              sources=_sources([postal_download, *http.log[paavo_start:]])))
    outputs.append(boundary_output(postal, kind="postal_areas", year=got_postal, what=postal_download.url,
                                   code_property="postinumeroalue", names={"name_fi": "nimi", "name_sv": "namn"},
                                   expected=None, against="", sources=_sources([postal_download]),
                                   extra={"municipality_code": ("kunta", 3)}))
    origin = (f"{base}; {areas_wfs_url}; {postal_wfs_url}; {paavo_url}; {client.base_url} (fetched "
              f"{dt.date.today().isoformat()})")
    write_register(out, outputs, method="fetch", origin=origin, years=years)
    return load_national_register(out)
