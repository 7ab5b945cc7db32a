"""A one-page card per municipality of the report's region (and per sub-area group of the report's municipality):
every indicator's latest value and CI, the previous survey, the change, men and women, the region and koko
maa, and the verdicts (the difference-CI rule), clearly worse results first.

Each card is an HTML page (`<dir>/<code>.html`); all cards together are one PDF with a page per card
(`<dir>/kortit.pdf`, WeasyPrint via `report.pdf.write_pdf`). Only the gated tables are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.report import html, overview
from ath_analysis.report.content import REGION_DOMAIN, AreaSpec, IndicatorContent, ReportData
from ath_analysis.report.pdf import write_pdf
from ath_analysis.report.text import STRINGS, tr, tr_or

PDF_NAME = "kortit.pdf"
CARD_DOMAINS = ("municipality",)


def card_areas(data: ReportData, spec: AreaSpec) -> list[tuple[str, str, str]]:
    """(domain, value, name) of every card: each municipality of the region, then the sub-area groups when the
    report's own municipality is split into them."""
    table = data.estimates
    areas: list[tuple[str, str, str]] = []
    domains = list(CARD_DOMAINS)
    if spec.focus_domain != REGION_DOMAIN and "subarea_group" in [*spec.compare, *spec.comparisons]:
        domains.append("subarea_group")
    for domain in domains:
        values = sorted(set(table.loc[table["domain"] == domain, "domain_value"].astype(str)))
        named = sorted(((data.label(domain, v, spec), v) for v in values), key=lambda kv: kv[0])
        areas += [(domain, value, name) for name, value in named]
    return areas


def file_stem(domain: str, value: str) -> str:
    """A municipality's card is its code (491.html); a sub-area group's a safe slug of its name."""
    if domain == "municipality":
        return re.sub(r"[^0-9A-Za-z_-]", "_", value)
    slug = re.sub(r"[^0-9a-z]+", "-", value.lower().translate(str.maketrans("äöå", "aoa"))).strip("-")
    return f"{domain}-{slug}"


def card(data: ReportData, contents: Sequence[IndicatorContent], spec: AreaSpec, domain: str, value: str,
         name: str) -> dict[str, Any]:
    """One card's content for the template."""
    lang = data.lang
    sexes = [(code, tr_or(f"sex_plural_{code}", lang, label)) for code, label in overview.sex_levels(data)]
    table = overview.overview(data, contents, domain, value, [code for code, _ in sexes])
    table = overview.worst_first(table)
    latest = max(c.latest_year for c in contents)
    previous = [c.previous_year for c in contents if c.previous_year is not None]
    prev = max(previous) if previous else None
    rows = [{**row, "chips": overview.chips(row, data.region_name(), lang)} for row in table.to_dict("records")]
    return {
        "domain": domain, "value": value, "name": name, "stem": file_stem(domain, value),
        "title": tr("card_title", lang, area=name, year=latest),
        "rows": rows,
        "sexes": sexes if overview.breakdown_domain(data, domain, "sex") else [],
        "latest_header": tr("col_latest", lang, year=latest),
        "latest_year": latest,
        "change_header": tr("col_change_units", lang),
        "previous_header": tr("col_previous", lang, year=prev) if prev else "",
        "region": data.region_name(),
        "table": table,
    }


def render(data: ReportData, items: Sequence[dict[str, Any]], title: str) -> str:
    lang = data.lang
    context = {
        "lang": lang, "title": title, "cards": items, "synthetic": data.synthetic,
        "t": {k: v[lang] for k, v in STRINGS.items() if isinstance(v[lang], str)},
        "intro": tr("card_intro", lang, min_n=data.settings.min_n) + " " + tr("card_units", lang),
        "source": tr("source_line", lang, survey=", ".join(data.wave_names[w] for w in list(data.wave_years)[-2:])),
    }
    return html.render_template("card.html.j2", context)


def cards(data: ReportData, contents: Sequence[IndicatorContent], spec: AreaSpec) -> list[dict[str, Any]]:
    """Every card's content (municipalities, then sub-area groups)."""
    return [card(data, contents, spec, domain, value, name) for domain, value, name in card_areas(data, spec)]


def card_frame(item: dict[str, Any], lang: str) -> pd.DataFrame:
    """A card's rows as a table for the workbook (headers in the report's language, shares in per cent)."""
    table = item["table"]
    scale = [100.0 if k == "proportion" else 1.0 for k in table["kind"]]

    def scaled(column: str) -> list[float | None]:
        return [None if v is None or pd.isna(v) else round(float(v) * f, 1) for v, f in zip(table[column], scale,
                                                                                          strict=True)]
    columns = {
        tr("col_indicator", lang): table["label"],
        tr("xlsx_col_year", lang): table["year"],
        tr("xlsx_col_value", lang): scaled("estimate"),
        tr("xlsx_col_ci_low", lang): scaled("ci_low"),
        tr("xlsx_col_ci_high", lang): scaled("ci_high"),
        tr("xlsx_col_people", lang): table["people"],
        tr("xlsx_col_previous", lang): table["previous_text"],
        tr("xlsx_col_change", lang): table["change_text"],
        tr("xlsx_col_region", lang): table["region_text"],
        tr("xlsx_col_vs_region", lang): table["vs_region_text"],
        tr("xlsx_col_country", lang): table["country_text"],
        tr("xlsx_col_vs_country", lang): table["vs_country_text"],
        tr("col_verdict", lang): ["; ".join(c["text"] for c in row["chips"]) for row in item["rows"]],
    }
    return pd.DataFrame(columns)


def write_cards(data: ReportData, items: Sequence[dict[str, Any]], directory: Path, final: Path
                ) -> list[dict[str, str]]:
    """Write every card (HTML) and the PDF of all cards into `directory`; return links relative to the report
    (`final` is where `directory` will be moved)."""
    directory.mkdir(parents=True, exist_ok=True)
    links = []
    base = final.parent.name + "/" + final.name
    for item in items:
        (directory / f"{item['stem']}.html").write_text(render(data, [item], item["title"]), encoding="utf-8")
        links.append({"name": item["name"], "href": f"{base}/{item['stem']}.html", "stem": item["stem"]})
    if items:
        pages = write_pdf(render(data, items, tr("cards", data.lang) + ": " + data.region_name()),
                          directory / PDF_NAME)
        links[0]["pdf_pages"] = str(pages)
    return links
