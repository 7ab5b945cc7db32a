"""The overview a coordinator reads first, and the same rows for a municipal card.

One row per indicator: the latest value with its CI, the previous survey's value, the change, the region and
koko maa, and the verdicts — each verdict is the difference-CI rule of `report.verdicts` (the CI of the
difference excludes 0), printed with the difference and as many decimals as keep the printed interval on the
same side of 0 as the true one. Everything is read from the gated estimate and differences tables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ath_analysis.report.content import REGION_DOMAIN, IndicatorContent, ReportData
from ath_analysis.report.style import fmt_count, fmt_difference, fmt_estimate, fmt_value
from ath_analysis.report.text import tr

# verdict → traffic light (text and colour; the colour is never the only cue)
LIGHTS = {"worse": "red", "better": "green", "none": "grey", "": "blank"}
CHANGE_DIRECTION = {"up_good": "better", "down_good": "better", "up_bad": "worse", "down_bad": "worse",
                    "none": "none", "": ""}


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def breakdown_domain(data: ReportData, focus_domain: str, by: str) -> str | None:
    """The estimate stage's domain set that splits the focus area by `by` (e.g. municipality × sex), or None.

    The region's own breakdowns are the plain sets (`sex`: cells are within the region)."""
    wanted = (by,) if focus_domain == REGION_DOMAIN else (*data.settings.columns_of(focus_domain), by)
    for name, columns in data.settings.domains.items():
        if tuple(columns) == wanted:
            return name
    return None


def breakdown_value(data: ReportData, focus_domain: str, focus_value: str, level: str) -> str:
    """The domain value of one level within the focus area ('491 × 2'; the region's own: '2')."""
    return level if focus_domain == REGION_DOMAIN else f"{focus_value} × {level}"


def rounded_people(share: float, total: float) -> int | None:
    """"noin N aikuista": the weighted number of adults, rounded to two significant figures (at least to 10)."""
    if _missing(share) or _missing(total) or total <= 0:
        return None
    people = float(share) * float(total)
    if people < 5:
        return None
    digits = max(int(math.floor(math.log10(people))) - 1, 1)
    return int(round(people / 10**digits) * 10**digits)


def _estimate_text(row: Mapping[str, Any] | None, kind: str, lang: str) -> str:
    if row is None or bool(row.get("suppressed")) or _missing(row.get("estimate")):
        return "–"
    return fmt_estimate(row["estimate"], row["ci_low"], row["ci_high"], kind, lang) + \
        ("*" if row.get("flag") == "low precision" else "")


def _value_text(row: Mapping[str, Any] | None, kind: str, lang: str) -> str:
    if row is None or bool(row.get("suppressed")) or _missing(row.get("estimate")):
        return "–"
    return fmt_value(row["estimate"], kind, lang)


def _difference_text(row: Mapping[str, Any] | None, kind: str, lang: str, unit: bool = True) -> str:
    if row is None or bool(row.get("suppressed")) or _missing(row.get("difference")):
        return ""
    return fmt_difference(row["difference"], row["ci_low"], row["ci_high"], kind, lang, unit=unit)


def _country_row(data: ReportData, content: IndicatorContent) -> dict[str, Any] | None:
    rows = data._rows(content.indicator, ["country"], [content.latest_wave])
    return rows.iloc[0].to_dict() if len(rows) else None


def _difference_fields(prefix: str, difference: Mapping[str, Any] | None, kind: str, lang: str) -> dict[str, Any]:
    """A difference's printed text (with and without the unit) and its figures, under `prefix`; all empty when
    there is none or the area's own value is hidden."""
    def figure(name: str) -> Any:
        return None if difference is None else difference.get(name)

    return {f"{prefix}_text": _difference_text(difference, kind, lang),
            f"{prefix}_short": _difference_text(difference, kind, lang, unit=False),
            **{f"{prefix}_{name}": figure(name) for name in ("differs", "difference", "ci_low", "ci_high")}}


def indicator_row(data: ReportData, content: IndicatorContent, domain: str, value: str,
                  sexes: Sequence[str] = ()) -> dict[str, Any]:
    """One indicator's overview (or card) row for the area (domain, value)."""
    indicator, lang, kind = content.indicator, data.lang, content.kind
    latest = data._row(indicator, domain, value, content.latest_wave)
    latest_d = latest.to_dict() if latest is not None else None
    previous = (data._row(indicator, domain, value, content.previous_wave)
                if content.previous_wave is not None else None)
    previous_d = previous.to_dict() if previous is not None else None
    region = content.region.to_dict()
    country = _country_row(data, content)

    def diff(reference: str) -> dict[str, Any] | None:
        return data.difference(indicator, latest_d, reference) if latest_d is not None else None

    vs_region = diff("region") if domain != REGION_DOMAIN else None
    vs_country = diff("country")
    change = diff("previous")
    country_source = ""  # a published value (reference_values) stands in for koko maa: say whose and when
    if country is None and vs_country is not None and not _missing(vs_country.get("estimate_reference")):
        country = {"estimate": vs_country["estimate_reference"], "suppressed": False, "ci_low": None,
                   "ci_high": None}
        country_source = str(vs_country.get("source") or "")
    hidden = latest_d is None or bool(latest_d.get("suppressed"))
    shown = {} if hidden or latest_d is None else latest_d
    region_verdict = "" if not shown or vs_region is None else data.verdict(indicator, shown, "region")
    country_verdict = "" if not shown or vs_country is None else data.verdict(indicator, shown, "country")
    change_verdict = "" if not shown or change is None else data.verdict(indicator, shown, "previous")
    people = None
    if kind == "proportion" and not hidden and latest_d is not None:
        people = rounded_people(latest_d.get("estimate"), latest_d.get("weight_sum"))
    row: dict[str, Any] = {
        "indicator": indicator.id, "label": content.label, "group": content.group, "kind": kind,
        "standardized": bool(latest_d.get("standardized")) if latest_d else False,
        "wave": content.latest_wave, "year": content.latest_year, "previous_year": content.previous_year,
        "domain": domain, "domain_value": value, "suppressed": hidden,
        "estimate": None if hidden else latest_d["estimate"],  # type: ignore[index]
        "ci_low": None if hidden else latest_d["ci_low"],  # type: ignore[index]
        "ci_high": None if hidden else latest_d["ci_high"],  # type: ignore[index]
        "value_text": _estimate_text(latest_d, kind, lang),
        "people": people, "people_text": tr("people_about", lang, n=fmt_count(people, lang)) if people else "",
        "previous_text": _value_text(previous_d, kind, lang),
        "region_text": _value_text(region, kind, lang),
        "country_text": _value_text(country, kind, lang),
        "change_verdict": change_verdict, "region_verdict": region_verdict, "country_verdict": country_verdict,
        **_difference_fields("change", None if hidden else change, kind, lang),
        **_difference_fields("vs_region", None if hidden else vs_region, kind, lang),
        **_difference_fields("vs_country", None if hidden else vs_country, kind, lang),
        "country_source": country_source,
    }
    for level in sexes:
        sex_domain = breakdown_domain(data, domain, "sex")
        cell = data._row(indicator, sex_domain, breakdown_value(data, domain, value, level),
                         content.latest_wave) if sex_domain else None
        row[f"sex_{level}_text"] = _value_text(cell.to_dict() if cell is not None else None, kind, lang)
    for key in ("value_text", "change_text", "change_short", "vs_region_text", "vs_country_text", "vs_region_short",
                "vs_country_short"):
        row[f"{key}_main"], row[f"{key}_ci"] = split_interval(row[key])
    row["light"] = light(row)
    return row


def split_interval(text: str) -> tuple[str, str]:
    """'20,1 % (14,8–26,8)' → ('20,1 %', '(14,8–26,8)'), for a cell with the interval on its own line."""
    head, sep, tail = text.partition(" (")
    return head, (f"({tail}" if sep else "")


def light(row: Mapping[str, Any]) -> str:
    """The row's traffic light: red when anything is clearly worse (than the region, koko maa or before), green
    when something is clearly better and nothing worse, grey when nothing clearly differs, blank when hidden."""
    verdicts = [row["region_verdict"], row["country_verdict"], row["change_verdict"]]
    if "worse" in verdicts:
        return "red"
    if "better" in verdicts:
        return "green"
    return "grey" if any(v == "none" for v in verdicts) else "blank"


def chips(row: Mapping[str, Any], region_name: str, lang: str) -> list[dict[str, str]]:
    """The verdict words of a row, each with its colour class (text first, colour only as a second cue)."""
    out = []
    if row["change_verdict"] in ("better", "worse"):
        out.append({"cls": row["change_verdict"], "text": tr(f"chip_change_{row['change_verdict']}", lang)})
    for key, name in (("region_verdict", region_name), ("country_verdict", tr("country_name", lang))):
        if row[key] in ("better", "worse"):
            out.append({"cls": row[key], "text": tr(f"chip_{row[key]}", lang, reference=name)})
    if not out and row["light"] == "grey":
        out.append({"cls": "none", "text": tr("chip_none", lang)})
    return out


def overview(data: ReportData, contents: Sequence[IndicatorContent], domain: str, value: str,
             sexes: Sequence[str] = ()) -> pd.DataFrame:
    """The overview rows of an area in the report's indicator order (grouped by theme)."""
    rows = [indicator_row(data, content, domain, value, sexes) for content in contents]
    return pd.DataFrame(rows)


def worst_first(table: pd.DataFrame) -> pd.DataFrame:
    """Rows for a card: clearly worse first (worsened, then worse than the region or koko maa), then clearly
    better, then the rest, keeping the indicator order within each."""
    def rank(row: Mapping[str, Any]) -> int:
        if row["change_verdict"] == "worse":
            return 0
        if row["light"] == "red":
            return 1
        if row["light"] == "green":
            return 2
        return 3
    order = [rank(r) for r in table.to_dict("records")]
    return table.assign(_rank=order).sort_values("_rank", kind="stable").drop(columns="_rank")


def changes(table: pd.DataFrame, which: str) -> list[dict[str, Any]]:
    """The indicators that clearly got worse (`which='worse'`) or improved ('better') since the previous survey."""
    picked = table[table["change_verdict"] == which]
    return [{"indicator": r["indicator"], "label": r["label"], "change_text": r["change_text"],
             "value_text": r["value_text"], "previous_text": r["previous_text"]} for r in picked.to_dict("records")]


def grouped(table: pd.DataFrame, region_name: str, lang: str) -> list[dict[str, Any]]:
    """The rows for the template, by theme, each with its verdict chips."""
    out: list[dict[str, Any]] = []
    for group, frame in table.groupby("group", sort=False):
        items = []
        for row in frame.to_dict("records"):
            items.append({**row, "chips": chips(row, region_name, lang)})
        out.append({"name": group, "rows": items})
    return out


def sex_levels(data: ReportData) -> list[tuple[str, str]]:
    """(code, label) of the sexes in the reference labels' order (men, women)."""
    labels = data.labels.get("sex", {})
    return [(code, name) for code, name in labels.items()]


BREAKDOWNS = ("sex", "age_group", "age_group2", "education")  # THL shows 20–54/55–74/75+ and 20–64/65+


def breakdowns(data: ReportData, content: IndicatorContent, focus_domain: str, focus_value: str
               ) -> list[dict[str, Any]]:
    """Men/women, age groups and education side by side for the area and the region (latest survey).

    A level the estimate stage has no domain set for (e.g. a municipality's age groups) is "not broken down",
    a hidden cell is "–"."""
    indicator, kind, lang, wave = content.indicator, content.kind, data.lang, content.latest_wave
    sections = []
    for by in BREAKDOWNS:
        region_set = breakdown_domain(data, REGION_DOMAIN, by)
        area_set = breakdown_domain(data, focus_domain, by) if focus_domain != REGION_DOMAIN else None
        if region_set is None and area_set is None:
            continue
        region_rows = data._rows(indicator, [region_set], [wave]) if region_set else None
        present = list(region_rows["domain_value"]) if region_rows is not None else []
        known = list(data.labels.get(by, {}))
        levels = [lv for lv in known if lv in present] + sorted(set(present) - set(known))
        if not levels:
            continue
        items = []
        for level in levels:
            region_cell = data._row(indicator, region_set, level, wave) if region_set else None
            area_cell = None
            if area_set is not None:
                area_cell = data._row(indicator, area_set, breakdown_value(data, focus_domain, focus_value, level),
                                      wave)
            items.append({
                "level": level,
                "label": data.labels.get(by, {}).get(level, level),
                "region_text": _estimate_text(region_cell.to_dict() if region_cell is not None else None, kind, lang),
                "area_text": (_estimate_text(area_cell.to_dict() if area_cell is not None else None, kind, lang)
                              if area_set is not None else tr("breakdown_not_estimated", lang)),
            })
        sections.append({"by": by, "title": tr(f"breakdown_{by}", lang), "levels": items})
    return sections
