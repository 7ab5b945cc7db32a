"""The local-knowledge page of a report area: `reports/<area>_paikallistieto.html`, one self-contained file.

For each indicator the area's latest published value (95 % CI) and its verdicts against the region, the whole
country and the previous survey, beside what was said there (quotes only when marked public, counts by source
for "vain yhteenveto", nothing of "ei"), the actors on the theme and the actions with their status (issue 15,
item 3); the themes × areas table of where need meets no one (item 4); the follow-up of actions (item 6).

Everything here reads `LocalOutputs` (made from the gated tables and the checked workbook); nothing is
computed twice. A made-up EXAMPLE workbook is stamped on every block it shows in, as synthetic data are.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.local.joins import FINDINGS, follow_up_note, need_note
from ath_analysis.local.text import reading_note
from ath_analysis.local.vocabulary import STATUSES
from ath_analysis.report.local_data import LocalOutputs
from ath_analysis.report.local_text import tr, words
from ath_analysis.report.style import fmt_estimate

NEED_FINDINGS: tuple[str, ...] = tuple(f for f in FINDINGS if f)


def environment() -> jinja2.Environment:
    """The templates of the local outputs (autoescaped: workbook text is never markup)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ath_analysis.report", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )


def fmt_date(value: Any, lang: str) -> str:
    """1.5.2024 (fi) / 2024-05-01 (en); '' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day}.{value.month}.{value.year}" if lang == "fi" else value.isoformat()
    return str(value)


def value_text(row: Mapping[str, Any], lang: str) -> str:
    """'24,3 % (20,1–28,9)', or the suppression words: a hidden cell shows nothing else."""
    if bool(row["suppressed"]):
        return tr("suppressed", lang)
    return fmt_estimate(row["estimate"], row["ci_low"], row["ci_high"], str(row["kind"]), lang)


def verdict_text(verdict: str, lang: str) -> str:
    return tr(f"verdict_{verdict}", lang) if verdict else "–"


def change_text(row: Mapping[str, Any], lang: str) -> str:
    change, year = row["change"], row["previous_year"]
    if not change or year is None or pd.isna(year):
        return "–"
    return tr(f"change_{change}", lang, year=int(year))


def _sum_text(counts: pd.DataFrame, lang: str) -> str:
    """'haastattelu 1, kumppanuuspöytä 2' from rows with source_label and n."""
    if counts.empty:
        return ""
    by_source = counts.groupby("source_label", sort=False)["n"].sum()
    return ", ".join(f"{label} {int(n)}" for label, n in by_source.items())


def _local_block(outputs: LocalOutputs, indicator: str, area: str) -> dict[str, Any]:
    """What the workbook has on `indicator` in `area`: quotes, counts by source, actors, actions."""
    lang, joint = outputs.lang, outputs.joint

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["indicator"] == indicator) & (frame["area"] == area)]

    quotes = [{"text": q["text"], "meta": tr("quote_meta", lang, source=q["source"], raised_by=q["raised_by"],
                                             where=outputs.area.label(q["observed_in"], lang),
                                             date=fmt_date(q["date"], lang))}
              for _, q in pick(joint.quotes).iterrows()]
    counts = pick(joint.counts)
    summary = counts[counts["publication"] == "summary_only"]
    actors = [{"name": a["name"], "type": a["type"], "activities": a["activities"],
               "where": a["areas_served"], "scope": tr(f"scope_{a['scope']}", lang)}
              for _, a in pick(joint.actors).iterrows()]
    actions = [{"title": a["title"], "status": a["status"], "status_code": a["status_code"],
                "start": fmt_date(a["start"], lang), "scope": tr(f"scope_{a['scope']}", lang)}
               for _, a in pick(joint.actions).iterrows()]
    return {
        "area_label": outputs.area_label(area), "quotes": quotes,
        "by_source": _sum_text(counts, lang), "summary_only": _sum_text(summary, lang),
        "actors": actors, "actions": actions, "empty": not (len(counts) or actors or actions),
    }


def _local_counts(outputs: LocalOutputs) -> dict[tuple[str, str], str]:
    """(indicator, area) → 'havaintoja 2 · toimijoita 1 · toimenpiteitä 0' for the numbers table."""
    joint = outputs.joint
    said = joint.counts.groupby(["indicator", "area"])["n"].sum()
    out = {}
    for _, row in joint.cells.iterrows():
        key = (row["indicator"], row["area"])
        n = (int(said.get(key, 0)), int(row["n_actors"]), int(row["n_actions"]))
        out[key] = tr("local_counts", outputs.lang, said=n[0], actors=n[1], actions=n[2]) if any(n) else "–"
    return out


def indicator_sections(outputs: LocalOutputs) -> list[dict[str, Any]]:
    """One section per indicator: its numbers for the shown areas and the focus area's local knowledge."""
    lang, cells = outputs.lang, outputs.cells
    counts = _local_counts(outputs)
    sections = []
    for indicator in outputs.indicators:
        rows = cells[cells["indicator"] == indicator.id]
        if rows.empty:
            continue
        table = []
        for _, row in rows.iterrows():
            label = outputs.area_label(row["area"]) if row["area"] else str(row["domain_label"])
            table.append({
                "label": label, "role": row["role"], "value": value_text(row, lang),
                "suppressed": bool(row["suppressed"]),
                "vs_region": verdict_text(row["verdict_region"], lang), "verdict_region": row["verdict_region"],
                "vs_country": verdict_text(row["verdict_country"], lang), "verdict_country": row["verdict_country"],
                "change": change_text(row, lang), "change_code": row["change"],
                "local": counts.get((indicator.id, row["area"]), ""),
            })
        first = rows.iloc[0]
        sections.append({
            "id": indicator.id, "label": outputs.themes.label(indicator.id, lang),
            "group": outputs.themes.label(indicator.group, lang) if indicator.group else "",
            "year": int(first["year"]), "standardized": bool(rows["standardized"].any()), "rows": table,
            "has_suppressed": bool(rows["suppressed"].astype(bool).any()),
            "local": _local_block(outputs, indicator.id, outputs.focus),
        })
    return sections


def than_text(worse_than: str, lang: str) -> str:
    """'maakunta ja koko maa' from the need map's 'country; region' (the region first)."""
    refs = [r for r in ("region", "country") if r in worse_than.split("; ")]
    return f" {tr('and', lang)} ".join(tr(f"than_{r}", lang) for r in refs)


def need_table(outputs: LocalOutputs) -> dict[str, Any]:
    """The themes × areas table of the need map (every indicator a row, every report area a column)."""
    lang, need = outputs.lang, outputs.need
    by_cell = {(r["indicator"], r["area"]): r for _, r in need.iterrows()}
    rows = []
    for indicator in outputs.indicators:
        cells = []
        for area in outputs.areas_shown:
            row = by_cell.get((indicator.id, area))
            finding = str(row["finding"]) if row is not None else ""
            title = ""
            if row is not None and finding:
                parts = [str(row["finding_text"])]
                if row["worse_than"]:
                    parts.append(tr("need_list_item", lang, indicator=outputs.themes.label(indicator.id, lang),
                                    area=outputs.area_label(area), than=than_text(str(row["worse_than"]), lang)))
                parts += [str(row["actors"]), str(row["actions"])]
                title = " · ".join(p for p in parts if p)
            cells.append({"area": area, "finding": finding, "short": tr(f"short_{finding}", lang) if finding else "",
                          "title": title})
        rows.append({"indicator": indicator.id, "label": outputs.themes.label(indicator.id, lang), "cells": cells})
    gaps = need[need["finding"] == "need_no_one"]
    listed = []
    for indicator in outputs.indicators:
        rows_of = gaps[gaps["indicator"] == indicator.id]
        if rows_of.empty:
            continue
        order = {a: n for n, a in enumerate(outputs.areas_shown)}
        rows_of = rows_of.assign(_o=rows_of["area"].map(order)).sort_values("_o")
        named = [f"{outputs.area_label(r['area'])} ({than_text(str(r['worse_than']), lang)})"
                 for _, r in rows_of.iterrows()]
        listed.append(tr("need_list_group", lang, indicator=outputs.themes.label(indicator.id, lang),
                         areas=", ".join(named)))
    legend = [{"finding": f, "short": tr(f"short_{f}", lang), "text": tr(f"finding_{f}", lang)}
              for f in NEED_FINDINGS]
    return {"areas": [{"code": a, "label": outputs.area_label(a)} for a in outputs.areas_shown], "rows": rows,
            "gaps": listed, "legend": legend}


def follow_up_blocks(outputs: LocalOutputs) -> list[dict[str, Any]]:
    """One block per action followed: its values wave by wave in each area it covers, before and after."""
    lang, follow = outputs.lang, outputs.follow
    if follow.empty:
        return []
    actions = outputs.knowledge.actions.set_index("id")
    kinds = {i.id: i.kind for i in outputs.indicators}
    blocks = []
    for action_id, rows in follow.groupby("action", sort=False):
        action = actions.loc[action_id]
        indicator = str(rows["indicator"].iloc[0])
        table = []
        for _, row in rows.iterrows():
            area = outputs.area_label(row["area"])
            if row["area"] != row["action_area"]:
                area = tr("follow_through", lang, area=area, action_area=outputs.area_label(row["action_area"]))
            table.append({"area": area, "year": int(row["year"]), "period": row["period_text"],
                          "period_code": row["period"],
                          "value": value_text({**row, "kind": kinds.get(indicator, "proportion")}, lang)})
        blocks.append({
            "id": action_id,
            "heading": tr("follow_action_ended" if fmt_date(action["end"], lang) else "follow_action", lang,
                          title=action["title"], status=STATUSES.label(action["status"], lang),
                          start=fmt_date(action["start"], lang), end=fmt_date(action["end"], lang)),
            "indicator": tr("follow_indicator", lang, indicator=outputs.themes.label(indicator, lang)),
            "evaluation": tr("evaluation", lang, text=action["evaluation"]) if action["evaluation"] else "",
            "result": tr("result", lang, text=action["result"]) if action["result"] else "",
            "rows": table,
        })
    return blocks


def page_context(outputs: LocalOutputs, *, sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Everything the page template shows."""
    lang = outputs.lang
    return {
        "lang": lang, "t": words(lang), "synthetic": outputs.synthetic, "example": outputs.example,
        "title": tr("page_title", lang, area=outputs.area.title_in(lang)),
        "report_link": f"{outputs.area.name}.html",
        "joint_note": reading_note("joint", lang, example=outputs.example),
        "need_note": need_note(lang, example=outputs.example),
        "follow_note": follow_up_note(lang, example=outputs.example),
        "need": need_table(outputs), "indicators": indicator_sections(outputs),
        "follow": follow_up_blocks(outputs),
        "sources": tr("made_from", lang, **(sources or {"tables": "reports/tables", "workbook":
                                                       outputs.knowledge.source})),
    }


def render_local_page(outputs: LocalOutputs, *, sources: Mapping[str, str] | None = None) -> str:
    """The page as one self-contained HTML string (inline CSS, no scripts, no network)."""
    return environment().get_template("local.html.j2").render(**page_context(outputs, sources=sources))


def write_local_page(outputs: LocalOutputs, path: str | Path, *, sources: Mapping[str, str] | None = None) -> None:
    """Write the page atomically (a failed run leaves no half-written file)."""
    html = render_local_page(outputs, sources=sources)
    with atomic_outputs(Path(path)) as (tmp,):
        Path(tmp).write_text(html, encoding="utf-8")
        Path(tmp).chmod(0o644)  # readable like the other reports (mkstemp makes 0600)


def local_links(area: str, lang: str = "fi") -> list[dict[str, str]]:
    """The links the area's main report gives to its local outputs (same folder): [{href, text}, …].

    For the main report's header when `local_knowledge` is set, e.g. in report.html.j2:
    `{% for link in local_links %}<a href="{{ link.href }}">{{ link.text }}</a> {% endfor %}`.
    """
    return [{"href": f"{area}_paikallistieto.html", "text": tr("link_page", lang)},
            {"href": f"{area}_kumppanuuspoyta.pdf", "text": tr("link_pack", lang)}]


__all__ = ["environment", "fmt_date", "indicator_sections", "local_links", "need_table", "page_context",
           "render_local_page", "value_text", "write_local_page"]
