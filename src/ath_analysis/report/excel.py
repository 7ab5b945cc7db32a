"""`reports/<area>.xlsx`: the report's numbers for municipal users, one sheet per indicator group.

Each group sheet is a tidy table (one row per indicator × wave × area, the estimate table's column names)
with the same figures formatted as in the report ("24,3 %", "20,1–28,9"). The first sheet says what the
file is, whether the data are synthetic, and where the numbers come from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ath_analysis.report.provenance import Provenance
from ath_analysis.report.style import fmt_date
from ath_analysis.report.text import STRINGS, tr
from ath_analysis.results.io import is_formula_like, neutralize_text

TIDY_COLUMNS = ["indicator", "indicator_label", "kind", "wave", "year", "domain", "domain_value", "area",
                "standardized", "n", "estimate", "ci_low", "ci_high", "estimate_text", "ci_text", "suppressed",
                "flag", "verdict", "synthetic"]
MODEL_COLUMNS = ["indicator", "indicator_label", "kind", "wave", "comparison", "adjustment", "adjusters", "level",
                 "area", "is_reference", "n", "estimate", "ci_low", "ci_high", "estimate_text", "difference",
                 "diff_ci_low", "diff_ci_high", "difference_text", "suppressed", "flag", "synthetic"]
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
SYNTHETIC_FILL = PatternFill("solid", fgColor="B00020")


def sheet_name(text: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
    name = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Sheet"
    base, k = name, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({k})"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    taken.add(name)
    return name


def _cell_value(value: Any) -> Any:
    if not isinstance(value, str) and pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _write_table(ws, frame: pd.DataFrame, percent_rows: Sequence[bool] = (), value_columns: Sequence[str] = (),
                 one_decimal: Sequence[str] = ()) -> None:
    """A table on a sheet: bold header, frozen and filtered; text that a spreadsheet would run as a formula
    (= + - @ tab CR at the start) is written as text, never as a formula."""
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    first = ws.max_row + 1  # read once: max_row scans every cell, so asking per row made a sheet quadratic
    for r, row in enumerate(frame.itertuples(index=False), start=first):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=_cell_value(value))
            if is_formula_like(cell.value):
                cell.data_type = "s"
    columns = [str(c) for c in frame.columns]
    for name in value_columns:
        if name not in columns:
            continue
        letter = get_column_letter(columns.index(name) + 1)
        for r, is_percent in enumerate(percent_rows, start=2):
            ws[f"{letter}{r}"].number_format = "0.0%" if is_percent else "0.0"
    for name in one_decimal:
        if name not in columns:
            continue
        letter = get_column_letter(columns.index(name) + 1)
        for r in range(2, ws.max_row + 1):
            ws[f"{letter}{r}"].number_format = "0.0"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for k, name in enumerate(columns, start=1):
        values = [str(name)] + [str(v) for v in frame[frame.columns[k - 1]].head(200)]
        ws.column_dimensions[get_column_letter(k)].width = min(max(len(v) for v in values) + 2, 48)


# the group sheets: the report's rows for people, headers in the report's language
PEOPLE_COLUMNS = {"indicator_label": "col_indicator", "wave_name": "audit_wave", "year": "xlsx_col_year",
                  "area": "col_area", "estimate_pct": "xlsx_col_value", "ci_low_pct": "xlsx_col_ci_low",
                  "ci_high_pct": "xlsx_col_ci_high", "estimate_text": "xlsx_col_text", "n": "col_n",
                  "verdict_text": "xlsx_col_verdict", "suppressed_text": "xlsx_col_published",
                  "indicator": "xlsx_col_code"}


def people_frame(tidy: pd.DataFrame, lang: str, wave_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The tidy rows for a sheet people read: shares in per cent rounded to one decimal (not 0–1 with 16
    decimals), means to one decimal, hidden figures blank with a note, headers in the report's language."""
    scale = np.where(tidy["kind"] == "proportion", 100.0, 1.0)
    hidden = tidy["suppressed"].astype(bool).to_numpy()
    out = pd.DataFrame({"indicator_label": tidy["indicator_label"].to_numpy(),
                        "wave_name": tidy["wave"].map(dict(wave_names or {})).fillna(tidy["wave"]).to_numpy(),
                        "year": tidy["year"].to_numpy(), "area": tidy["area"].to_numpy()})
    for column in ("estimate", "ci_low", "ci_high"):
        values = np.round(pd.to_numeric(tidy[column], errors="coerce").to_numpy(float) * scale, 1)
        out[f"{column}_pct"] = np.where(hidden, np.nan, values)
    out["estimate_text"] = tidy["estimate_text"].to_numpy()
    out["n"] = tidy["n"].where(~tidy["suppressed"].astype(bool)).to_numpy()
    out["verdict_text"] = tidy.get("verdict_text", pd.Series("", index=tidy.index)).fillna("").to_numpy()
    out["suppressed_text"] = np.where(hidden, tr("xlsx_hidden", lang), "")
    out["indicator"] = tidy["indicator"].to_numpy()
    return out.rename(columns={k: tr(v, lang) for k, v in PEOPLE_COLUMNS.items()})


MODEL_PEOPLE = {"indicator_label": "col_indicator", "wave": "audit_wave", "comparison_text": "xlsx_col_comparison",
                "adjustment_text": "xlsx_col_adjustment", "area": "col_area", "estimate_text": "xlsx_col_text",
                "difference_text": "xlsx_col_difference", "indicator": "xlsx_col_code"}


def _models_frame(models: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = models.copy()
    out["comparison_text"] = [tr(f"comparison_{c}", lang) if f"comparison_{c}" in STRINGS else c
                              for c in out["comparison"]]
    out["adjustment_text"] = [tr(f"adjustment_{a}", lang) for a in out["adjustment"]]
    out["wave"] = out["wave"].map(lambda w: tr("pooled", lang) if str(w) == "pooled" else w)
    return out[list(MODEL_PEOPLE)].rename(columns={k: tr(v, lang) for k, v in MODEL_PEOPLE.items()})


def write_workbook(path: str | Path, groups: Mapping[str, pd.DataFrame], models: pd.DataFrame | None,
                   about: Mapping[str, Any], provenance: Provenance, lang: str, synthetic: bool,
                   villages: pd.DataFrame | None = None, areas: Mapping[str, pd.DataFrame] | None = None,
                   wave_names: Mapping[str, str] | None = None) -> None:
    """Write the workbook (the caller makes it atomic): about, one sheet per theme, the villages, one sheet
    per municipality (its card's rows), the adjusted comparisons."""
    wb = Workbook()
    ws = wb.active
    taken: set[str] = set()
    ws.title = sheet_name(tr("xlsx_about", lang), taken)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 100
    if synthetic:
        ws.append([tr("synthetic_banner", lang)])
        ws["A1"].font = Font(bold=True, color="FFFFFF", size=14)
        ws["A1"].fill = SYNTHETIC_FILL
        ws.merge_cells("A1:B1")
        ws.append([tr("synthetic_explained", lang)])
        ws.merge_cells("A2:B2")
        ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[2].height = 48
        ws.sheet_properties.tabColor = "B00020"
    ws.append([about["title"]])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=13)
    ws.append([tr("xlsx_about_text", lang)])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=2)
    ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[ws.max_row].height = 45
    for note in about.get("notes", []):
        ws.append([note])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=2)
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[ws.max_row].height = 30
    ws.append([])
    for key, value in [(tr("prov_time", lang), fmt_date(provenance.made, lang)),
                       (tr("prov_git", lang), (provenance.git or tr("prov_git_none", lang))
                        + (" " + tr("prov_git_dirty", lang) if provenance.git_dirty else "")),
                       (tr("prov_config_hash", lang), provenance.config_hash)]:
        ws.append([key, value])
    for item in provenance.inputs:
        ws.append([f"{item['wave']}: {item['file']}", f"sha256 {item['sha256']}"])
    for file, digest in provenance.tables.items():
        ws.append([file, f"sha256 {digest}"])
    ws.append([tr("prov_software", lang), ", ".join(f"{k} {v}" for k, v in provenance.software.items())])

    value_columns = [tr(k, lang) for k in ("xlsx_col_value", "xlsx_col_ci_low", "xlsx_col_ci_high")]
    for group, frame in groups.items():
        sheet = wb.create_sheet(sheet_name(group, taken))
        if synthetic:
            sheet.sheet_properties.tabColor = "B00020"
        _write_table(sheet, people_frame(frame, lang, wave_names), one_decimal=value_columns)
    if villages is not None and len(villages):
        sheet = wb.create_sheet(sheet_name(tr("xlsx_villages", lang), taken))
        _write_table(sheet, villages, one_decimal=[c for c in villages.columns if str(c).endswith("(%)")])
    for name, frame in (areas or {}).items():
        sheet = wb.create_sheet(sheet_name(name, taken))
        if synthetic:
            sheet.sheet_properties.tabColor = "B00020"
        _write_table(sheet, frame)
    if models is not None and len(models):
        sheet = wb.create_sheet(sheet_name(tr("xlsx_models", lang), taken))
        _write_table(sheet, _models_frame(models, lang))
    wb.properties.creator = "ath-analysis"
    wb.properties.title = about["title"]
    wb.save(path)


# the Finnish Excel CSV: what a coordinator copies into a hyvinvointikertomus
EXCEL_CSV_COLUMNS = {"indicator_label": "col_indicator", "year": "xlsx_col_year", "area": "col_area",
                     "estimate_pct": "xlsx_col_value", "ci_low_pct": "xlsx_col_ci_low",
                     "ci_high_pct": "xlsx_col_ci_high", "n": "col_n", "verdict_text": "xlsx_col_verdict",
                     "suppressed_text": "xlsx_col_published"}


def finnish_frame(tidy: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The report's rows with headers in the report's language; shares in per cent with one decimal, means with
    one decimal; hidden figures blank."""
    scale = np.where(tidy["kind"] == "proportion", 100.0, 1.0)
    hidden = tidy["suppressed"].astype(bool).to_numpy()
    out = pd.DataFrame({"indicator_label": tidy["indicator_label"], "year": tidy["year"], "area": tidy["area"]})
    for column in ("estimate", "ci_low", "ci_high"):
        values = np.round(pd.to_numeric(tidy[column], errors="coerce").to_numpy(float) * scale, 1)
        out[f"{column}_pct"] = np.where(hidden, np.nan, values)
    out["n"] = tidy["n"].where(~hidden)
    out["verdict_text"] = tidy.get("verdict_text", pd.Series("", index=tidy.index)).fillna("")
    out["suppressed_text"] = np.where(hidden, tr("xlsx_hidden", lang), "")
    return out.rename(columns={k: tr(v, lang) for k, v in EXCEL_CSV_COLUMNS.items()})


def write_excel_csv(path: str | Path, tidy: pd.DataFrame, lang: str) -> None:
    """The report's table for Finnish Excel: semicolons, decimal comma, UTF-8 with BOM; text that a spreadsheet
    would run as a formula is written as text."""
    frame = neutralize_text(finnish_frame(tidy, lang))
    frame.to_csv(path, sep=";", decimal="," if lang == "fi" else ".", index=False, encoding="utf-8-sig",
                 float_format="%.1f", lineterminator="\r\n")
