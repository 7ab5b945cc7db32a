"""The workbook a coordinator fills in Excel: the empty template, or a filled one (the example).

The template carries everything needed to fill it without the manual: instructions, a help comment on every
column, drop-down lists of the allowed words, and a Codes sheet of the areas and themes the checks accept.
Area and id columns are text cells, so Excel keeps the leading zero of a municipality code such as "046".
The file is written through `atomic_outputs`: a failure leaves no half-written workbook.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ath_analysis.atomic import atomic_outputs
from ath_analysis.local.catalogue import AreaCatalogue, ThemeCatalogue
from ath_analysis.local.text import STRINGS, tr
from ath_analysis.local.vocabulary import (
    ABOUT_KEYS,
    ABOUT_SHEET,
    CODES_SHEET,
    INSTRUCTIONS_SHEET,
    SHEETS,
    YES_NO,
    Sheet,
)
from ath_analysis.local.workbook import LocalKnowledge

TEMPLATE_ROWS = 500  # rows that get the drop-down lists
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_EXAMPLE_FILL = PatternFill("solid", fgColor="FCE4D6")
_FIXED_TIME = dt.datetime(2000, 1, 1)  # document properties: no clock time, so a rerun writes the same content


def _codes_sheet(ws: Worksheet, areas: AreaCatalogue, themes: ThemeCatalogue, lang: str) -> dict[str, str]:
    """Write the lists of allowed values; return each list's cell range (for the drop-down validations)."""
    blocks: list[tuple[str, list[list[str]]]] = [
        ("areas", [[tr("codes_areas", lang), tr("codes_area_name", lang), tr("codes_level", lang)],
                   *[[a.code, a.label(lang), _level(a.level, lang)] for a in areas]]),
        ("themes", [[tr("codes_themes", lang), tr("codes_theme_name", lang), tr("codes_group", lang)],
                    *[[t.id, t.label(lang), themes.label(t.group, lang) if t.group else tr("level_group", lang)]
                      for t in themes]]),
    ]
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.vocabulary is not None and column.vocabulary.name not in {b[0] for b in blocks}:
                blocks.append((column.vocabulary.name, [[column.header(lang)],
                                                        *[[w] for w in column.vocabulary.words(lang)]]))
    ranges: dict[str, str] = {}
    col = 1
    for name, rows in blocks:
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                cell = ws.cell(row=i, column=col + j, value=value)
                cell.number_format = "@"
                if i == 1:
                    cell.font = Font(bold=True)
                    cell.fill = _HEADER_FILL
        letter = get_column_letter(col)
        ranges[name] = f"'{ws.title}'!${letter}$2:${letter}${max(len(rows), 2)}"
        for j in range(len(rows[0])):
            ws.column_dimensions[get_column_letter(col + j)].width = 34 if j == 1 else 18
        col += len(rows[0]) + 1
    ws.freeze_panes = "A2"
    return ranges


def _level(level: str, lang: str) -> str:
    key = f"level_{level}"
    return tr(key, lang) if key in STRINGS else level


def _cell_value(kind: str, value: Any, vocabulary: Any, lang: str) -> Any:
    if value is None or value == "" or value == ():
        return None
    if kind == "date":
        return value
    if kind == "choice":
        return vocabulary.label(value, lang)
    if kind == "choices":
        return "; ".join(vocabulary.label(v, lang) for v in value)
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return value


def _data_sheet(ws: Worksheet, sheet: Sheet, ranges: dict[str, str], lang: str,
                rows: Iterable[dict[str, Any]], example: bool) -> None:
    for j, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=j, value=column.header(lang))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(column.help(lang), "ath-analysis", width=320, height=110)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = column.width
        target = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if column.kind == "choice" and column.vocabulary is not None:
            rule = DataValidation(type="list", formula1=f"={ranges[column.vocabulary.name]}", allow_blank=True,
                                  showErrorMessage=True, errorTitle=column.header(lang),
                                  error=column.help(lang))
        elif column.kind in ("areas", "themes", "indicator", "choices"):
            source = {"areas": "areas", "themes": "themes", "indicator": "themes"}.get(column.kind)
            source = source or (column.vocabulary.name if column.vocabulary else "")
            # several values may be written in one cell: offer the list, accept anything (the check reads it)
            rule = DataValidation(type="list", formula1=f"={ranges[source]}", allow_blank=True,
                                  showErrorMessage=False)
        else:
            rule = None
        if rule is not None:
            rule.prompt = column.help(lang)
            rule.promptTitle = column.header(lang)
            rule.showInputMessage = True
            ws.add_data_validation(rule)
            rule.add(target)
    for i, record in enumerate(rows, start=2):
        for j, column in enumerate(sheet.columns, start=1):
            value = _cell_value(column.kind, record.get(column.field), column.vocabulary, lang)
            cell = ws.cell(row=i, column=j, value=value)
            cell.alignment = Alignment(wrap_text=column.kind == "text", vertical="top")
            if example:
                cell.fill = _EXAMPLE_FILL
            cell.number_format = _format(column.kind)
    for j, column in enumerate(sheet.columns, start=1):  # a column style: what is typed in gets it too
        ws.column_dimensions[get_column_letter(j)].number_format = _format(column.kind)
    ws.freeze_panes = "A2"


def _format(kind: str) -> str:
    """Dates as Finnish dates; everything else as text, so that Excel keeps "046" and does not make 1.5 a date."""
    return "d.m.yyyy" if kind == "date" else "@"


def _instructions(ws: Worksheet, title: str, lang: str, example: bool) -> None:
    ws.column_dimensions["A"].width = 110
    row = 1
    if example:
        ws.cell(row=row, column=1, value=tr("example_stamp", lang)).font = Font(bold=True, size=14, color="C00000")
        row += 1
    ws.cell(row=row, column=1, value=title).font = Font(bold=True, size=14)
    for paragraph in tr("instructions", lang):
        row += 1
        cell = ws.cell(row=row, column=1, value=paragraph)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * (1 + len(paragraph) // 100)


def _about(ws: Worksheet, lang: str, example: bool, area: str | None, made: dt.date | None) -> None:
    word = 0 if lang == "fi" else 1
    rows = [
        (ABOUT_KEYS["example"][word], YES_NO.label("yes" if example else "no", lang)),
        (ABOUT_KEYS["area"][word], area or ""),
        (ABOUT_KEYS["language"][word], lang),
        (ABOUT_KEYS["made"][word], made.isoformat() if made else ""),
    ]
    for i, (key, value) in enumerate(rows, start=1):
        ws.cell(row=i, column=1, value=key).font = Font(bold=True)
        ws.cell(row=i, column=2, value=value).number_format = "@"
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 30


def write_template(
    path: str | Path,
    areas: AreaCatalogue,
    themes: ThemeCatalogue,
    *,
    lang: str = "fi",
    area: str | None = None,
    knowledge: LocalKnowledge | None = None,
    made: dt.date | None = None,
) -> Path:
    """Write the workbook to `path` (.xlsx): empty, or filled with `knowledge` (e.g. the example).

    A filled workbook is the coordinator's own file with every row, `ei` ones included: it is input to the
    pipeline, never a publication (published outputs come from `ath_analysis.local.joins`).

    area: the code of the area the workbook is for; the Codes sheet then lists that area, the areas inside it
        and the areas it lies in (others are still accepted by the check if the catalogue knows them).
    made: the date recorded on the About sheet (default: none, so a regenerated template is identical).
    """
    if area is not None:
        areas = areas.around(area)
    example = bool(knowledge is not None and knowledge.example)
    title = tr("template_title", lang, area=areas.label(area, lang) if area else ", ".join(
        a.label(lang) for a in areas if a.parent is None))
    if example:
        title = f"{tr('example_short', lang)}: {title}"
    book = openpyxl.Workbook()
    book.properties.creator = "ath-analysis"
    book.properties.title = title
    book.properties.created = book.properties.modified = _FIXED_TIME
    if example:
        book.properties.keywords = tr("example_short", lang)
    instructions = book.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS_SHEET[lang]
    _instructions(instructions, title, lang, example)
    data_sheets = [book.create_sheet(sheet.name(lang)) for sheet in SHEETS]
    codes = book.create_sheet(CODES_SHEET[lang])
    ranges = _codes_sheet(codes, areas, themes, lang)
    frames = {"observations": knowledge.observations, "actors": knowledge.actors,
              "actions": knowledge.actions} if knowledge is not None else {}
    for ws, sheet in zip(data_sheets, SHEETS, strict=True):
        records: Sequence[dict[str, Any]] = frames[sheet.key].to_dict("records") if sheet.key in frames else []
        _data_sheet(ws, sheet, ranges, lang, records, example)
    _about(book.create_sheet(ABOUT_SHEET[lang]), lang, example, area or (knowledge.area if knowledge else None),
           made)
    with atomic_outputs(path) as (temp,):
        book.save(temp)
        _fix_times(temp)
    return Path(path)


def _fix_times(path: Path) -> None:
    """Give the zip entries and the 'modified' property a fixed time: the same content makes the same bytes."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>",
                              data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
