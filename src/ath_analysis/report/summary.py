"""Plain-language findings for each indicator: the latest value, the areas clearly better or worse than the
region, the urban–rural (or sub-area) gap crude and adjusted, and the change since the previous wave.

Every number in these sentences is formatted from the same row, with the same function, as in the
indicator's table, so the text and the tables always agree.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ath_analysis.report.content import POOLED, REGION_DOMAIN, AreaSpec, Comparison, IndicatorContent, ReportData
from ath_analysis.report.style import fmt_difference, fmt_estimate, fmt_value
from ath_analysis.report.text import adjusters_text, join_words, tr, tr_or

GENERIC_ADJUSTERS = {"fi": "väestörakenne", "en": "population structure"}


def _area_value(row: pd.Series, kind: str, lang: str) -> str:
    text = fmt_estimate(row["estimate"], row["ci_low"], row["ci_high"], kind, lang)
    return text + ("*" if row.get("flag") == "low precision" else "")


def _source(comparison: Comparison, lang: str) -> str:
    return tr("pooled", lang) if comparison.source == POOLED else str(comparison.year or comparison.source)


def _adjusters(comparison: Comparison, lang: str) -> str:
    return adjusters_text(comparison.adjusters, lang) or GENERIC_ADJUSTERS[lang]


def _clear(low: Any, high: Any) -> bool:
    return not any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)) and (
        low > 0 or high < 0)


def comparison_sentence(comparison: Comparison, kind: str, data: ReportData) -> str | None:
    """The gap sentence of one comparison, or None when nothing is published."""
    lang = data.lang
    rows = comparison.rows[~comparison.rows["suppressed"].astype(bool)]
    if not comparison.from_models:
        crude = rows[rows["estimate"].notna()]
        if crude.empty:
            return None
        listed = "; ".join(f"{r['label']} {fmt_estimate(r['estimate'], r['ci_low'], r['ci_high'], kind, lang)}"
                           for _, r in crude.iterrows())
        return tr("sum_gap_crude_only", lang, levels=listed, year=comparison.year)
    reference = comparison.rows.loc[comparison.rows["is_reference"].astype(bool), "label"]
    reference_label = reference.iloc[0] if len(reference) else ""
    crude = rows[(rows["adjustment"] == "crude") & ~rows["is_reference"].astype(bool)].set_index("level")
    adjusted = rows[(rows["adjustment"] == "adjusted") & ~rows["is_reference"].astype(bool)].set_index("level")
    levels = [lv for lv in adjusted.index if pd.notna(adjusted.loc[lv, "difference"])]
    if not levels:
        return None
    source, adj = _source(comparison, lang), _adjusters(comparison, lang)
    if len(levels) == 1 and levels[0] in crude.index:
        a, c = adjusted.loc[levels[0]], crude.loc[levels[0]]
        clear = _clear(a["diff_ci_low"], a["diff_ci_high"])
        if comparison.comparison.startswith("urban_rural") and lang == "fi":
            reference_label = reference_label[:1].lower() + reference_label[1:]  # a class, not a place name
        return tr("sum_gap", lang, level=a["label"], reference=reference_label, source=source, adj=adj,
                  crude=fmt_difference(c["difference"], c["diff_ci_low"], c["diff_ci_high"], kind, lang),
                  adjusted=fmt_difference(a["difference"], a["diff_ci_low"], a["diff_ci_high"], kind, lang),
                  verdict=tr("sum_gap_clear" if clear else "sum_gap_none", lang))
    what = tr_or(f"comparison_{comparison.comparison}", lang, comparison.comparison)
    clear_levels = [lv for lv in levels if _clear(adjusted.loc[lv, "diff_ci_low"], adjusted.loc[lv, "diff_ci_high"])]
    if not clear_levels:
        return tr("sum_gap_multi_none", lang, what=what, source=source, adj=adj, reference=reference_label)
    parts = []
    for lv in clear_levels:
        a = adjusted.loc[lv]
        parts.append(f"{a['label']} {fmt_difference(a['difference'], a['diff_ci_low'], a['diff_ci_high'], kind, lang)}")
    return tr("sum_gap_levels", lang, what=what, source=source, adj=adj, reference=reference_label,
              levels="; ".join(parts))


def indicator_summary(content: IndicatorContent, spec: AreaSpec, data: ReportData) -> list[str]:
    """The indicator's findings as short sentences (also shown at the top of its section)."""
    lang, kind = data.lang, content.kind
    region_name = data.region_name()
    sentences = []
    focus_name = spec.title_in(lang) if spec.focus_domain != REGION_DOMAIN else region_name
    focus = content.focus
    if focus.get("suppressed"):
        sentences.append(tr("sum_latest", lang, area=focus_name, year=content.latest_year, value="–"))
    else:
        sentences.append(tr("sum_latest", lang, area=focus_name, year=content.latest_year,
                            value=_area_value(focus, kind, lang)))
    table = content.table
    if spec.focus_domain != REGION_DOMAIN:
        row = table[table["role"] == "focus"]
        if len(row) and row.iloc[0]["verdict"] in ("better", "worse"):
            diff = data.difference(content.indicator, row.iloc[0].to_dict(), "region") or {}
            sentences.append(tr("sum_focus_vs_region", lang, area=focus_name, region=region_name,
                                verdict=tr(f"verdict_{row.iloc[0]['verdict']}", lang),
                                region_value=fmt_value(content.region["estimate"], kind, lang),
                                difference=fmt_difference(float(diff.get("difference", math.nan)),
                                                          float(diff.get("ci_low", math.nan)),
                                                          float(diff.get("ci_high", math.nan)), kind, lang)))
        elif len(row) and row.iloc[0]["verdict"] == "none":
            sentences.append(tr("sum_focus_same", lang, area=focus_name, region=region_name,
                                region_value=fmt_value(content.region["estimate"], kind, lang)))
    areas = table[table["role"] == "area"]
    if len(areas):
        better = areas.loc[areas["verdict"] == "better", "label"].tolist()
        worse = areas.loc[areas["verdict"] == "worse", "label"].tolist()
        if better:
            sentences.append(tr("sum_better", lang, region=region_name, areas=join_words(better, lang)))
        if worse:
            sentences.append(tr("sum_worse", lang, region=region_name, areas=join_words(worse, lang)))
        if not better and not worse:
            domains = list(dict.fromkeys(areas["section"]))
            what = join_words([tr_or(f"domain_{d}", lang, d) for d in domains], lang)
            sentences.append(tr("sum_no_diff", lang, what=what, region=region_name))
    for comparison in content.comparisons[:1]:
        sentence = comparison_sentence(comparison, kind, data)
        if sentence:
            sentences.append(sentence)
    if content.previous_year is not None:
        change = content.change
        if change is None:
            sentences.append(tr("change_unavailable", lang))
        else:
            sentences.append(tr("sum_change", lang, area=focus_name, prev=content.previous_year,
                                year=content.latest_year, verdict=tr(f"change_{change['verdict']}", lang),
                                change=fmt_difference(change["difference"], change["ci_low"], change["ci_high"],
                                                      kind, lang)))
    return sentences

