"""Small local-knowledge workbooks built in tests with openpyxl, and a small area catalogue to check them with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from ath_analysis.local.catalogue import Area, AreaCatalogue

TODAY = dt.date(2026, 6, 30)

# A region with two municipalities, one of which has a sub-area group with a village in it.
AREAS = AreaCatalogue((
    Area("10", "region", "Etelä-Savo", "South Savo"),
    Area("491", "municipality", "Mikkeli", "Mikkeli", "10"),
    Area("046", "municipality", "Enonkoski", "Enonkoski", "10"),
    Area("Ristiina", "subarea_group", "Ristiina", "Ristiina", "491"),
    Area("52300", "subarea", "Ristiina (52300)", "Ristiina (52300)", "Ristiina", "Ristiina"),
))

OBSERVATION_HEADERS = ["tunnus", "päivämäärä", "lähde", "alue", "teema", "kuka toi esiin", "havainto", "julkaisu"]
ACTOR_HEADERS = ["tunnus", "nimi", "tyyppi", "toiminta-alue", "kohderyhmät", "toimintamuodot", "teemat", "resurssit",
                 "haasteet", "toiveet"]
ACTION_HEADERS = ["tunnus", "nimi", "alueet", "kohdemittarit", "toimijat", "alkaa", "päättyy", "tila", "arviointi",
                  "tulos", "seurattava mittari"]


def observation(**values: Any) -> dict[str, Any]:
    """A valid observation row (Finnish headers), with `values` replacing cells."""
    row = {"tunnus": "H1", "päivämäärä": dt.datetime(2025, 3, 12), "lähde": "kumppanuuspöytä", "alue": "491",
           "teema": "loneliness", "kuka toi esiin": "asukas",
           "havainto": "Kylätalon kahvilaan tulee uusia kävijöitä.", "julkaisu": "julkinen"}
    row.update(values)
    return row


def actor(**values: Any) -> dict[str, Any]:
    row = {"tunnus": "T1", "nimi": "Kyläyhdistys ry", "tyyppi": "järjestö", "toiminta-alue": "Ristiina",
           "kohderyhmät": "ikäihmiset", "toimintamuodot": "tapahtumat; säännölliset ryhmät",
           "teemat": "loneliness", "resurssit": "Kylätalo.", "haasteet": "", "toiveet": "rahoitusinfo"}
    row.update(values)
    return row


def action(**values: Any) -> dict[str, Any]:
    row = {"tunnus": "K1", "nimi": "Kahvila kahdesti viikossa", "alueet": "Ristiina", "kohdemittarit": "loneliness",
           "toimijat": "T1", "alkaa": dt.datetime(2019, 1, 15), "päättyy": None, "tila": "käynnissä",
           "arviointi": "Kävijäkysely.", "tulos": "", "seurattava mittari": "loneliness"}
    row.update(values)
    return row


def write_book(
    path: Path,
    observations: Sequence[Mapping[str, Any]] = (),
    actors: Sequence[Mapping[str, Any]] = (),
    actions: Sequence[Mapping[str, Any]] = (),
    *,
    headers: Mapping[str, Sequence[str]] | None = None,
    sheets: Sequence[str] = ("Havainnot", "Toimijat", "Toimenpiteet"),
    about: Mapping[str, Any] | None = None,
) -> Path:
    """Write a workbook with the given rows (dicts keyed by header); `headers` overrides a sheet's header row."""
    headers = {"Havainnot": OBSERVATION_HEADERS, "Toimijat": ACTOR_HEADERS, "Toimenpiteet": ACTION_HEADERS,
               **(headers or {})}
    rows = {"Havainnot": observations, "Toimijat": actors, "Toimenpiteet": actions}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in sheets:
        ws = book.create_sheet(name)
        ws.append(list(headers[name]))
        for row in rows[name]:
            ws.append([row.get(h) for h in headers[name]])
    if about is not None:
        ws = book.create_sheet("Tiedot")
        for key, value in about.items():
            ws.append([key, value])
    book.save(path)
    return path
