"""Reading and checking the local-knowledge workbook (Excel, a folder of CSV files, or YAML).

A coordinator fills the workbook in Excel, so every problem is reported at once and names the file, the
sheet, the row and the column as the coordinator sees them, with a close match for a misspelt code. The
checks: required cells, the publication flag, codes of areas, themes, choices and actors, dates, duplicate
ids, and the privacy screen on every text that can be published. `read_workbook` returns the checked
content only when nothing is wrong; `check_workbook` lists the problems (for `ath-analysis validate`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.errors import AthError, close_matches
from ath_analysis.local.catalogue import AreaCatalogue, ThemeCatalogue, as_area_catalogue, as_theme_catalogue
from ath_analysis.local.privacy import finnish_names, is_organisation_name, screen_text
from ath_analysis.local.vocabulary import (
    ABOUT_KEYS,
    ABOUT_SHEET,
    ACTIONS,
    ACTORS,
    LIST_SEPARATORS,
    OBSERVATIONS,
    RAISED_BY,
    SHEETS,
    STATUSES,
    YES_NO,
    Column,
    Sheet,
    fold,
)

EARLIEST_YEAR = 1990  # an earlier date in a workbook of current local knowledge is a typo
HEADER_ROWS = 5  # the header is the first row (of the first few) that has a known column name

AreasArg = AreaCatalogue | Mapping[str, str] | Collection[str]
ThemesArg = ThemeCatalogue | Mapping[str, str | None] | Collection[str]


class WorkbookError(AthError):
    """The local-knowledge workbook has problems; the message lists all of them, one a line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the local-knowledge workbook:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class LocalKnowledge:
    """The checked workbook: one frame per sheet, codes resolved, lists as tuples, dates as `datetime.date`.

    observations: id, date, source, areas, themes, raised_by, text, publication, row
    actors: id, name, type, areas, target_groups, activities, themes, resources, challenges, wishes, row
    actions: id, title, areas, themes, actors (actor ids), start, end, status, evaluation, result,
        follow_indicator, row
    `row` is the row (entry) number in the file. `example` marks a made-up example workbook: everything shown
    from it must say so.
    """

    observations: pd.DataFrame
    actors: pd.DataFrame
    actions: pd.DataFrame
    source: str = ""
    example: bool = False
    area: str | None = None
    about: Mapping[str, str] = field(default_factory=dict)


# --- raw reading ------------------------------------------------------------------------------------------------

@dataclass
class _RawSheet:
    name: str  # as written in the file
    headers: dict[str, str]  # field -> header as written
    rows: list[tuple[int, dict[str, Any]]]  # (row number, field -> raw value)
    row_word: str = "row"


@dataclass
class _Raw:
    sheets: dict[str, _RawSheet]
    about: dict[str, Any]


def _match_sheet(name: str) -> Sheet | None:
    key = fold(Path(name).stem if name.lower().endswith(".csv") else name)
    return next((s for s in SHEETS if key in (fold(s.fi), fold(s.en), s.key)), None)


def _is_about(name: str) -> bool:
    key = fold(Path(name).stem if name.lower().endswith(".csv") else name)
    return key in {fold(n) for n in ABOUT_SHEET.values()}


def _column_for(sheet: Sheet, header: str) -> Column | None:
    key = fold(header)
    return next((c for c in sheet.columns if key in (fold(c.fi), fold(c.en), c.field)), None)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and
                                                                              not value.strip())


def _table(sheet: Sheet, name: str, grid: list[list[Any]], where: str, problems: list[str],
           first_row: int = 1, row_word: str = "row") -> _RawSheet:
    """Find the header row in a grid of cells and turn the rows below it into field → value mappings."""
    header_at = next((i for i, cells in enumerate(grid[:HEADER_ROWS])
                      if any(isinstance(c, str) and _column_for(sheet, c) for c in cells)), None)
    raw = _RawSheet(name, {}, [], row_word)
    if header_at is None:
        problems.append(f"{where}, sheet '{name}': no header row (expected column names such as "
                        f"{', '.join(repr(c.fi) for c in sheet.columns[:3])})")
        return raw
    positions: dict[int, str] = {}
    for j, header in enumerate(grid[header_at]):
        if _empty(header):
            continue
        column = _column_for(sheet, str(header))
        if column is None:
            known = [c.fi for c in sheet.columns] + [c.en for c in sheet.columns]
            problems.append(f"{where}, sheet '{name}': unknown column '{header}'{close_matches(str(header), known)}")
        elif column.field in raw.headers:
            problems.append(f"{where}, sheet '{name}': column '{header}' appears twice")
        else:
            raw.headers[column.field] = str(header).strip()
            positions[j] = column.field
    missing = [c for c in sheet.columns if c.required and c.field not in raw.headers]
    for column in missing:
        problems.append(f"{where}, sheet '{name}': missing column '{column.fi}' ({column.en})")
    for i, cells in enumerate(grid[header_at + 1:], start=header_at + 1):
        if all(_empty(c) for c in cells):
            continue
        stray = [j for j, c in enumerate(cells) if not _empty(c) and j not in positions
                 and (j >= len(grid[header_at]) or _empty(grid[header_at][j]))]
        if stray:
            problems.append(f"{where}, sheet '{name}', {row_word} {i + first_row}: a value in column "
                            f"{stray[0] + 1} that has no header")
        raw.rows.append((i + first_row, {f: cells[j] if j < len(cells) else None for j, f in positions.items()}))
    return raw


def _about_pairs(grid: list[list[Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for cells in grid:
        if len(cells) >= 2 and not _empty(cells[0]):
            out[str(cells[0]).strip()] = cells[1]
    return out


def _read_xlsx(path: Path, problems: list[str]) -> _Raw:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or password-protected file: say which
        problems.append(f"{path}: cannot read as an Excel workbook ({type(exc).__name__}: {exc})")
        return _Raw({}, {})
    raw = _Raw({}, {})
    try:
        for ws in book.worksheets:
            grid = [list(r) for r in ws.iter_rows(values_only=True)]
            sheet = _match_sheet(ws.title)
            if sheet is not None:
                raw.sheets[sheet.key] = _table(sheet, ws.title, grid, str(path), problems)
            elif _is_about(ws.title):
                raw.about = _about_pairs(grid)
    finally:
        book.close()
    return raw


def _read_csv_text(path: Path) -> list[list[Any]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # Excel's "CSV (semicolon)" in a Finnish Windows is cp1252
        text = data.decode("cp1252")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _read_csv_folder(path: Path, problems: list[str]) -> _Raw:
    raw = _Raw({}, {})
    for file in sorted(path.glob("*.csv")):
        sheet = _match_sheet(file.name)
        if sheet is not None:
            raw.sheets[sheet.key] = _table(sheet, file.name, _read_csv_text(file), str(path), problems)
        elif _is_about(file.name):
            raw.about = _about_pairs(_read_csv_text(file))
    return raw


def _read_yaml(path: Path, problems: list[str]) -> _Raw:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: not valid YAML ({exc})".replace("\n", " "))
        return _Raw({}, {})
    raw = _Raw({}, {})
    if not isinstance(document, dict):
        problems.append(f"{path}: expected a mapping of sheet names (Havainnot, Toimijat, Toimenpiteet) to lists")
        return raw
    for name, entries in document.items():
        sheet = _match_sheet(str(name))
        if sheet is None:
            if _is_about(str(name)) and isinstance(entries, dict):
                raw.about = {str(k): v for k, v in entries.items()}
            else:
                problems.append(f"{path}: unknown sheet '{name}'"
                                f"{close_matches(str(name), [s.fi for s in SHEETS] + [ABOUT_SHEET['fi']])}")
            continue
        entries = entries or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            problems.append(f"{path}, sheet '{name}': expected a list of entries (column: value)")
            continue
        headers = list(dict.fromkeys(str(k) for e in entries for k in e))
        if not headers:  # an empty sheet: accept it as having every column
            headers = [c.fi for c in sheet.columns]
        grid = [headers, *[[e.get(h) for h in headers] for e in entries]]
        raw.sheets[sheet.key] = _table(sheet, str(name), grid, str(path), problems, first_row=0,
                                       row_word="entry")
    return raw


def _read_raw(path: Path, problems: list[str]) -> _Raw:
    if path.is_dir():
        return _read_csv_folder(path, problems)
    if not path.is_file():
        problems.append(f"{path}: local-knowledge workbook not found")
        return _Raw({}, {})
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, problems)
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path, problems)
    problems.append(f"{path}: expected an Excel workbook (.xlsx), a YAML file (.yaml) or a folder of CSV files")
    return _Raw({}, {})


# --- cell values ------------------------------------------------------------------------------------------------

def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without '.0' (Excel stores 491 as 491.0), dates in ISO form."""
    if _empty(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def split_cell(value: Any, separators: str = LIST_SEPARATORS) -> list[str]:
    return [part.strip() for part in re.split(separators, cell_text(value)) if part.strip()]


_FINNISH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def parse_date(value: Any) -> dt.date | str:
    """A date from an Excel date cell, '1.5.2024' or '2024-05-01'; otherwise the reason it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"'{cell_text(value)}' is a number, not a date (write 1.5.2024 or 2024-05-01)"
    text = cell_text(value)
    match = _FINNISH_DATE.match(text)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    match = _ISO_DATE.match(text)
    if match:
        parts = (match.group(1), match.group(2), match.group(3))
    if parts is None:
        return f"'{text}' is not a date (write 1.5.2024 or 2024-05-01)"
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return f"'{text}' is not a valid date"


# --- checking ---------------------------------------------------------------------------------------------------

@dataclass
class _Context:
    source: Path
    areas: AreaCatalogue
    themes: ThemeCatalogue
    today: dt.date
    problems: list[str] = field(default_factory=list)
    unread: set[tuple[str, int, str]] = field(default_factory=set)  # (sheet, row, field) filled but unreadable

    def where(self, raw: _RawSheet, row: int, column: str | None = None) -> str:
        place = f"{self.source}, sheet '{raw.name}', {raw.row_word} {row}"
        if column is not None:
            place += f", column '{raw.headers.get(column, column)}'"
        return place


def _areas(ctx: _Context, raw: _RawSheet, row: int, field_name: str, value: Any) -> tuple[str, ...]:
    out = []
    for part in split_cell(value):
        code = ctx.areas.resolve(part)
        if code is None:
            ctx.problems.append(f"{ctx.where(raw, row, field_name)}: unknown area '{part}'{ctx.areas.hint(part)}")
        else:
            out.append(code)
    return tuple(dict.fromkeys(out))


def _themes(ctx: _Context, raw: _RawSheet, row: int, field_name: str, value: Any) -> tuple[str, ...]:
    out = []
    for part in split_cell(value):
        theme = ctx.themes.resolve(part)
        if theme is None:
            ctx.problems.append(f"{ctx.where(raw, row, field_name)}: unknown theme '{part}' (an indicator id or "
                                f"an indicator group){ctx.themes.hint(part)}")
        else:
            out.append(theme)
    return tuple(dict.fromkeys(out))


def _choice(ctx: _Context, raw: _RawSheet, row: int, column: Column, value: Any) -> str:
    assert column.vocabulary is not None
    text = cell_text(value)
    code = column.vocabulary.resolve(text)
    if code is None:
        if column is ACTORS.column("type") and RAISED_BY.resolve(text) == "resident":
            ctx.problems.append(f"{ctx.where(raw, row, column.field)}: actors are organisations, never persons; "
                                f"what residents say goes to the sheet '{OBSERVATIONS.fi}'")
        else:
            words = column.vocabulary.words("fi")
            ctx.problems.append(f"{ctx.where(raw, row, column.field)}: '{text}' is not one of "
                                f"{', '.join(words)}{close_matches(text, words)}")
        return ""
    return code


def _empty_cell(ctx: _Context, raw: _RawSheet, row: int, column: Column) -> Any:
    """An empty cell is a problem only in a required column; its value is the kind's empty one."""
    if column.required and column.field in raw.headers:
        if column.field == "publication":
            ctx.problems.append(f"{ctx.where(raw, row, column.field)}: missing publication flag "
                                f"(write julkinen, vain yhteenveto or ei)")
        else:
            ctx.problems.append(f"{ctx.where(raw, row, column.field)}: missing value")
    return () if column.many else (None if column.kind == "date" else "")


def _date_cell(ctx: _Context, sheet: Sheet, raw: _RawSheet, row: int, column: Column, value: Any) -> dt.date | None:
    """A date, or None when unreadable or implausible, remembered so later checks do not report it again."""
    parsed = parse_date(value)
    if isinstance(parsed, str) or parsed.year < EARLIEST_YEAR:
        reason = parsed if isinstance(parsed, str) else f"implausible date {parsed:%d.%m.%Y}"
        ctx.problems.append(f"{ctx.where(raw, row, column.field)}: {reason}")
        ctx.unread.add((sheet.key, row, column.field))
        return None
    return parsed


def _indicator_cell(ctx: _Context, raw: _RawSheet, row: int, column: Column, value: Any) -> str:
    """One indicator id: a group of indicators is not enough to follow a result."""
    text = cell_text(value)
    theme = ctx.themes.resolve(text)
    if theme is None or not ctx.themes.is_indicator(theme):
        what = "an indicator group; name one indicator of it" if theme else "not an indicator id"
        hint = "" if theme else close_matches(text, ctx.themes.indicators)
        ctx.problems.append(f"{ctx.where(raw, row, column.field)}: '{text}' is {what}{hint}")
        theme = ""
    return theme


def _filled_cell(ctx: _Context, sheet: Sheet, raw: _RawSheet, row: int, column: Column, value: Any) -> Any:
    """A filled cell read by its column's kind, so each kind is checked in one place."""
    if column.kind == "date":
        return _date_cell(ctx, sheet, raw, row, column, value)
    if column.kind == "areas":
        return _areas(ctx, raw, row, column.field, value)
    if column.kind == "themes":
        return _themes(ctx, raw, row, column.field, value)
    if column.kind == "indicator":
        return _indicator_cell(ctx, raw, row, column, value)
    if column.kind == "choice":
        return _choice(ctx, raw, row, column, value)
    if column.kind == "choices":
        return tuple(dict.fromkeys(
            c for c in (_choice(ctx, raw, row, column, part) for part in split_cell(value)) if c))
    if column.kind == "list":
        return tuple(split_cell(value))
    if column.kind == "actors":
        return tuple(split_cell(value, r"[;\n]"))  # names may contain commas
    return cell_text(value)  # id, text


def _cells(ctx: _Context, sheet: Sheet, raw: _RawSheet) -> list[dict[str, Any]]:
    """Per row: the values of every column read by kind (actor references are resolved later)."""
    records = []
    for row, cells in raw.rows:
        record: dict[str, Any] = {"row": row}
        for column in sheet.columns:
            value = cells.get(column.field)
            if _empty(value):
                record[column.field] = _empty_cell(ctx, raw, row, column)
                continue
            record[column.field] = _filled_cell(ctx, sheet, raw, row, column, value)
            if column.many and column.required and not split_cell(value):  # e.g. only separators
                ctx.problems.append(f"{ctx.where(raw, row, column.field)}: missing value")
        records.append(record)
    return records


def _duplicates(ctx: _Context, raw: _RawSheet, records: list[dict[str, Any]], field_name: str) -> None:
    seen: dict[str, int] = {}
    for record in records:
        value = record.get(field_name) or ""
        key = fold(value)
        if not key:
            continue
        if key in seen:
            ctx.problems.append(f"{ctx.where(raw, record['row'], field_name)}: duplicate {field_name} '{value}' "
                                f"(also in {raw.row_word} {seen[key]})")
        else:
            seen[key] = record["row"]


def _dates(ctx: _Context, raw: _RawSheet, sheet: Sheet, records: list[dict[str, Any]]) -> None:
    """Dates in the future, an end before the start, and the dates a status needs."""
    if sheet is OBSERVATIONS:
        for r in records:
            if r["date"] is not None and r["date"] > ctx.today:
                ctx.problems.append(f"{ctx.where(raw, r['row'], 'date')}: {r['date']:%d.%m.%Y} is in the future")
        return
    if sheet is not ACTIONS:
        return
    for r in records:
        start, end, status = r["start"], r["end"], r["status"]
        word = STATUSES.label(status)
        if start is not None and end is not None and end < start:
            ctx.problems.append(f"{ctx.where(raw, r['row'], 'end')}: ends {end:%d.%m.%Y}, before it starts "
                                f"({start:%d.%m.%Y})")
        if status in ("ongoing", "ended") and start is None and (sheet.key, r["row"], "start") not in ctx.unread:
            ctx.problems.append(f"{ctx.where(raw, r['row'], 'start')}: a start date is needed when the status is "
                                f"{word}")
        if status in ("ongoing", "ended") and start is not None and start > ctx.today:
            ctx.problems.append(f"{ctx.where(raw, r['row'], 'start')}: starts {start:%d.%m.%Y}, in the future, "
                                f"but the status is {word}")
        if status == "ended" and end is None and (sheet.key, r["row"], "end") not in ctx.unread:
            ctx.problems.append(f"{ctx.where(raw, r['row'], 'end')}: an end date is needed when the status is "
                                f"{word}")
        if status == "ended" and end is not None and end > ctx.today:
            ctx.problems.append(f"{ctx.where(raw, r['row'], 'end')}: ends {end:%d.%m.%Y}, in the future, but the "
                                f"status is {word}")


def _actor_references(ctx: _Context, raw: _RawSheet, actions: list[dict[str, Any]],
                      actors: list[dict[str, Any]]) -> None:
    by_key = {fold(a["id"]): a["id"] for a in actors if a["id"]}
    for a in actors:
        if a["name"]:
            by_key.setdefault(fold(a["name"]), a["id"])
    for action in actions:
        resolved = []
        for ref in action["actors"]:
            actor_id = by_key.get(fold(ref))
            if actor_id is None and "," in ref and all(fold(p) in by_key for p in ref.split(",") if p.strip()):
                resolved += [by_key[fold(p)] for p in ref.split(",") if p.strip()]
                continue
            if actor_id is None:
                names = [a["id"] for a in actors] + [a["name"] for a in actors]
                ctx.problems.append(f"{ctx.where(raw, action['row'], 'actors')}: '{ref}' is not an actor on the "
                                    f"sheet '{ACTORS.fi}'{close_matches(ref, names)}")
            else:
                resolved.append(actor_id)
        action["actors"] = tuple(dict.fromkeys(resolved))


def _privacy(ctx: _Context, raws: dict[str, _RawSheet], records: dict[str, list[dict[str, Any]]]) -> None:
    names = finnish_names()
    organisations = [a["name"] for a in records.get("actors", []) if a["name"] and is_organisation_name(a["name"])]
    allowed = [*organisations, *(a.label_fi for a in ctx.areas), *(a.label_en for a in ctx.areas if a.label_en)]
    for sheet in SHEETS:
        raw = raws.get(sheet.key)
        for record in records.get(sheet.key, []):
            public = sheet is not OBSERVATIONS or record.get("publication") == "public"
            for field_name in sheet.published if public else ():
                values = record[field_name] if isinstance(record[field_name], tuple) else (record[field_name],)
                for value in values:
                    own = sheet is ACTORS and field_name == "name"
                    if own and is_organisation_name(value):
                        kinds: tuple[str, ...] = ("identity_code", "identity_code_like", "email", "phone")
                    else:
                        kinds = ("identity_code", "identity_code_like", "email", "phone", "person_name")
                    for finding in screen_text(value, names=names, allowed=() if own else allowed, kinds=kinds):
                        extra = "; actors are organisations, never persons" if own and \
                            finding.kind == "person_name" else ""
                        assert raw is not None
                        ctx.problems.append(f"{ctx.where(raw, record['row'], field_name)}: {finding.describe()} "
                                            f"in text that may be published{extra}")
            if sheet is OBSERVATIONS and not public and raw is not None:
                # an identity code has no place in the workbook at all, published or not
                for finding in screen_text(record["text"], kinds=("identity_code", "identity_code_like")):
                    ctx.problems.append(f"{ctx.where(raw, record['row'], 'text')}: {finding.describe()}; never "
                                        f"write identity codes in the workbook")


def _frame(sheet: Sheet, records: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [c.field for c in sheet.columns] + ["row"]
    frame = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(columns=columns)
    return frame.astype({"row": "int64"}).reset_index(drop=True)


def _about(ctx: _Context, about: Mapping[str, Any]) -> tuple[dict[str, str], bool, str | None]:
    """The About sheet: is this a made-up example, and for which area the workbook was made."""
    words = {fold(w): key for key, spellings in ABOUT_KEYS.items() for w in (key, *spellings)}
    values = {words[fold(k)]: cell_text(v) for k, v in about.items() if fold(k) in words}
    example = YES_NO.resolve(values.get("example") or "no")
    if example is None:
        ctx.problems.append(f"{ctx.source}, sheet '{ABOUT_SHEET['fi']}': 'esimerkki' must be kyllä or ei, "
                            f"got '{values['example']}'")
    area = values.get("area") or None
    if area is not None:
        code = ctx.areas.resolve(area)
        if code is None:
            ctx.problems.append(f"{ctx.source}, sheet '{ABOUT_SHEET['fi']}': unknown area '{area}'"
                                f"{ctx.areas.hint(area)}")
        area = code
    return values, example == "yes", area


def _parse(path: str | Path, known_areas: AreasArg, known_themes: ThemesArg,
           today: dt.date | None) -> tuple[LocalKnowledge | None, list[str]]:
    path = Path(path)
    ctx = _Context(path, as_area_catalogue(known_areas), as_theme_catalogue(known_themes), today or dt.date.today())
    raw = _read_raw(path, ctx.problems)
    if not raw.sheets and not ctx.problems:
        ctx.problems.append(f"{path}: none of the sheets {', '.join(s.fi for s in SHEETS)} was found")
    for sheet in SHEETS:
        if sheet.key not in raw.sheets and raw.sheets:
            ctx.problems.append(f"{path}: no sheet '{sheet.fi}' ({sheet.en}); keep it, even when empty")
    records: dict[str, list[dict[str, Any]]] = {}
    for sheet in SHEETS:
        if sheet.key in raw.sheets:
            records[sheet.key] = _cells(ctx, sheet, raw.sheets[sheet.key])
            _duplicates(ctx, raw.sheets[sheet.key], records[sheet.key], "id")
            _dates(ctx, raw.sheets[sheet.key], sheet, records[sheet.key])
    if "actors" in records:
        _duplicates(ctx, raw.sheets["actors"], records["actors"], "name")
    if "actions" in records:
        _actor_references(ctx, raw.sheets["actions"], records["actions"], records.get("actors", []))
    _privacy(ctx, raw.sheets, records)
    about, example, area = _about(ctx, raw.about)
    if ctx.problems:
        return None, ctx.problems
    knowledge = LocalKnowledge(
        observations=_frame(OBSERVATIONS, records.get("observations", [])),
        actors=_frame(ACTORS, records.get("actors", [])),
        actions=_frame(ACTIONS, records.get("actions", [])),
        source=str(path), example=example, area=area, about=about,
    )
    return knowledge, []


def check_workbook(path: str | Path, known_areas: AreasArg, known_themes: ThemesArg, *,
                   today: dt.date | None = None) -> list[str]:
    """Every problem of the workbook at `path` (.xlsx, .yaml or a folder of CSV files), one line each.

    known_areas: an `AreaCatalogue` (with nesting, from `area_catalogue`), or area code → name, or codes.
    known_themes: a `ThemeCatalogue` (from `ThemeCatalogue.from_indicators`), indicator id → group, or ids.
    today: the date after which observation dates are "in the future" (default: today).
    """
    return _parse(path, known_areas, known_themes, today)[1]


def read_workbook(path: str | Path, known_areas: AreasArg, known_themes: ThemesArg, *,
                  today: dt.date | None = None) -> LocalKnowledge:
    """The checked workbook; raises `WorkbookError` listing every problem when there is any."""
    knowledge, problems = _parse(path, known_areas, known_themes, today)
    if problems or knowledge is None:
        raise WorkbookError(problems)
    return knowledge
