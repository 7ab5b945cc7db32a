"""The partnership-table pack (kumppanuuspöytä, issue 15 item 5): a printable A4 handout per report area.

`reports/<area>_kumppanuuspoyta.html` and `.pdf` hold the indicators where the area is clearly worse than the
region or the whole country, or has clearly worsened since the previous survey; what local people said (public
quotes, and counts for what was agreed to be shown only in summary); who is active there; the actions under way;
the needs no one is registered for; what the actors wish for; and empty space for the table's proposals. The
PDF is the same HTML laid out by its print CSS (`@page` A4, no fixed elements: the EXAMPLE and SYNTHETIC stamps
are page-margin boxes, on every page) through `ath_analysis.report.pdf.write_pdf`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.local.joins import need_note
from ath_analysis.report.local_data import LocalOutputs
from ath_analysis.report.local_page import environment, fmt_date, value_text
from ath_analysis.report.local_text import tr, words
from ath_analysis.report.pdf import write_pdf

PROPOSAL_ROWS = 6  # empty rows for the table's proposals


def _than(row: pd.Series, lang: str) -> str:
    """'maakunta ja koko maa': what the area is clearly worse than."""
    parts = [tr(f"than_{ref}", lang) for ref in ("region", "country") if row.get(f"verdict_{ref}") == "worse"]
    return f" {tr('and', lang)} ".join(parts)


def pack_context(outputs: LocalOutputs) -> dict[str, Any]:
    """Everything the pack template shows, from the library's `partnership_pack` of the focus area."""
    lang, pack = outputs.lang, outputs.pack
    cells = outputs.cells.set_index(["indicator", "area"])
    flagged = []
    for _, row in pack.indicators.iterrows():
        cell = cells.loc[(row["indicator"], row["area"])]
        reasons = []
        if row["reason"] in ("worse", "both"):
            reasons.append(f"{tr('reason_worse', lang)} {tr('than', lang)} {_than(cell, lang)}")
        if row["reason"] in ("worsened", "both"):
            reasons.append(tr(f"change_{cell['change']}", lang, year=int(cell["previous_year"])))
        flagged.append({"label": row["indicator_label"], "value": value_text(cell, lang),
                        "reason": "; ".join(reasons)})
    quotes = [{"text": q["text"], "on_flagged": bool(q["on_flagged"]),
               "meta": tr("quote_meta", lang, source=q["source"], raised_by=q["raised_by"],
                          where=outputs.area.label(q["observed_in"], lang), date=fmt_date(q["date"], lang)),
               "themes": q["themes"]} for _, q in pack.quotes.iterrows()]
    counts = pack.counts
    summary = counts[counts["publication"] == "summary_only"]
    summary_rows = [{"theme": r["theme_label"], "source": r["source_label"], "n": int(r["n"])}
                    for _, r in summary.iterrows()]
    served = dict(zip(outputs.knowledge.actors["id"], outputs.knowledge.actors["areas"], strict=True))
    actors = [{"name": a["name"], "type": a["type"], "themes": a["themes"], "activities": a["activities"],
               "scope": tr(f"scope_{a['scope']}", lang), "on_flagged": bool(a["on_flagged"]),
               "where": "; ".join(outputs.area_label(code) for code in served.get(a["id"], ())),
               "resources": a["resources"], "challenges": a["challenges"]} for _, a in pack.actors.iterrows()]
    actions = [{"title": a["title"], "status": a["status"], "themes": a["themes"], "actors": a["actors"],
                "start": fmt_date(a["start"], lang), "end": fmt_date(a["end"], lang),
                "on_flagged": bool(a["on_flagged"])} for _, a in pack.actions.iterrows()]
    gaps = [tr("need_list_item", lang, indicator=g["indicator_label"], area=outputs.area_label(g["area"]),
               than=_than(cells.loc[(g["indicator"], g["area"])], lang)) for _, g in pack.gaps.iterrows()]
    wishes = [{"wish": w["wish"], "n": int(w["n_actors"])} for _, w in pack.wishes.iterrows()]
    year = int(outputs.cells["year"].max())
    return {
        "lang": lang, "t": words(lang), "synthetic": outputs.synthetic, "example": outputs.example,
        "title": tr("pack_title", lang, area=outputs.area.title_in(lang)), "year": year,
        "note": pack.note, "need_note": need_note(lang, example=outputs.example),
        "flagged": flagged, "quotes": quotes, "summary": summary_rows, "actors": actors, "actions": actions,
        "gaps": gaps, "wishes": wishes, "proposal_rows": list(range(PROPOSAL_ROWS)),
    }


def render_pack(outputs: LocalOutputs) -> str:
    """The pack as one self-contained HTML string, the same for screen and print."""
    return environment().get_template("pack.html.j2").render(**pack_context(outputs))


def write_pack(outputs: LocalOutputs, html_path: str | Path, pdf_path: str | Path) -> int:
    """Write the pack's HTML and PDF (each atomically); returns the number of A4 pages."""
    html = render_pack(outputs)
    with atomic_outputs(Path(html_path)) as (tmp,):
        Path(tmp).write_text(html, encoding="utf-8")
        Path(tmp).chmod(0o644)
    pages = write_pdf(html, pdf_path)
    Path(pdf_path).chmod(0o644)
    return pages


__all__ = ["pack_context", "render_pack", "write_pack"]
