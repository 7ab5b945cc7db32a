"""The Mikkeli report's small-area part: direct and Fay–Herriot model estimates of the sub-areas side by side.

Reads reports/tables/small_areas.parquet (the small_areas stage). Every sub-area gets its direct estimate where it
may be published (n ≥ disclosure.min_n; else "–" with the reason, never a number), its model estimate, both CVs
and the value the report shows ("suora"/"malli": the direct one where it is reliable, else the model's). Figures:
per indicator the shown estimates with the area's own direct estimate as a reference line, and for the whole
report the CVs of the direct and model estimates against the number of respondents.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, NullLocator

from ath_analysis.report.content import IndicatorContent, ReportData
from ath_analysis.report.style import (
    COLOURS,
    GREY,
    LIGHT_GREY,
    figure_footer,
    fmt_count,
    fmt_estimate,
    fmt_number,
    fmt_value,
    format_value_axis,
    new_figure,
    percent_sign,
)
from ath_analysis.report.text import join_words, tr, tr_or
from ath_analysis.results.io import read_optional_table

REQUIRED = ["indicator", "wave", "year", "area_set", "area", "area_label", "n", "direct", "direct_se",
            "direct_ci_low", "direct_ci_high", "direct_suppressed", "model", "model_cv", "model_ci_low",
            "model_ci_high", "shown", "shown_estimate", "shown_ci_low", "shown_ci_high"]
PREFERRED_SET = "subarea"  # postal code areas: the villages and districts
STYLE = {"direct": {"marker": "o", "colour": COLOURS["crude"], "face": COLOURS["crude"]},
         "model": {"marker": "D", "colour": COLOURS["adjusted"], "face": "white"}}
LABEL_WIDTH = 28
TITLE_WIDTH = 75  # characters per title line (the stamp is under the figure)
ZERO_AT = 0.6  # where areas without respondents are drawn on the log axis of respondents


def read_small_areas(path: str | Path | None) -> pd.DataFrame | None:
    """The small-area table when there is one with rows; None otherwise (the report then has no such part)."""
    table = read_optional_table(path, REQUIRED, "small-area table")
    if table is None or not len(table):
        return None
    table["wave"] = table["wave"].astype(str)
    table["direct_suppressed"] = table["direct_suppressed"].astype(bool)
    direct = table["direct"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = table["direct_se"].to_numpy(float) / direct
    table["direct_cv"] = np.where(table["direct_suppressed"] | ~np.isfinite(cv), np.nan, cv)
    for column in ("direct", "direct_se", "direct_ci_low", "direct_ci_high"):  # never publish a hidden value
        table.loc[table["direct_suppressed"], column] = np.nan
    return table


def model_only(rows: pd.DataFrame) -> np.ndarray:
    """Areas whose value rests on the model alone (no respondents used: the synthetic estimate)."""
    if "estimate_type" in rows:
        return (rows["estimate_type"].astype(str) == "synthetic").to_numpy(bool)
    return pd.to_numeric(rows["n"], errors="coerce").fillna(0).to_numpy(float) <= 0


def area_rows(table: pd.DataFrame, content: IndicatorContent) -> pd.DataFrame:
    """The indicator's sub-areas in the report's latest wave: the measured ones (the estimate uses their
    respondents) sorted by the shown value, highest first; then, never ranked among them, the areas with a
    model value only, in name order."""
    rows = table[(table["indicator"] == content.indicator.id) & (table["wave"] == content.latest_wave)]
    if rows.empty:
        return rows
    sets = list(dict.fromkeys(rows["area_set"]))
    rows = rows[rows["area_set"] == (PREFERRED_SET if PREFERRED_SET in sets else sets[0])].copy()
    rows["model_only"] = model_only(rows)
    measured = rows[~rows["model_only"]].sort_values(["shown_estimate", "area_label"], ascending=[False, True],
                                                     kind="stable")
    modelled = rows[rows["model_only"]].sort_values("area_label", kind="stable")
    return pd.concat([measured, modelled])


def shown_decimals(shown: str) -> int:
    """Whole per cents where the value is the model's (its precision does not carry a decimal), else one."""
    return 0 if shown == "model" else 1


def shown_text(row: Mapping[str, Any], lang: str) -> str:
    """The shown value as the table writes it ('14 %' for a model value, '11,0 %' for a direct one)."""
    return _pct(row["shown_estimate"], shown_decimals(str(row["shown"])), lang)


def _pct(value: float, decimals: int, lang: str) -> str:
    return "–" if pd.isna(value) else fmt_number(100 * float(value), lang, decimals) + percent_sign(lang)


def _pct_interval(low: float, high: float, decimals: int, lang: str) -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{fmt_number(100 * float(low), lang, decimals)}–{fmt_number(100 * float(high), lang, decimals)}"


def village_frame(table: pd.DataFrame, contents: Sequence[IndicatorContent], data: ReportData) -> pd.DataFrame:
    """The villages and districts for the workbook: every proportion indicator's shown value (model values in
    whole per cents), its type, and whether the area had respondents."""
    lang = data.lang
    parts = []
    for content in contents:
        if content.kind != "proportion":
            continue
        rows = area_rows(table, content)
        for row in rows.to_dict("records"):
            decimals = shown_decimals(row["shown"])
            parts.append({
                tr("col_indicator", lang): content.label,
                tr("xlsx_col_year", lang): int(row["year"]),
                tr("sae_col_area", lang): row["area_label"],
                tr("col_n", lang): None if pd.isna(row["n"]) else int(row["n"]),
                tr("xlsx_col_shown_pct", lang): round(100 * float(row["shown_estimate"]), decimals),
                tr("xlsx_col_ci_low_pct", lang): round(100 * float(row["shown_ci_low"]), decimals),
                tr("xlsx_col_ci_high_pct", lang): round(100 * float(row["shown_ci_high"]), decimals),
                tr("xlsx_col_kind", lang): tr(f"sae_mark_{row['shown']}", lang),
                tr("xlsx_col_published", lang): tr("sae_model_only", lang) if row["model_only"] else "",
            })
    return pd.DataFrame(parts)


def _cv_text(value: float, lang: str) -> str:
    return "–" if pd.isna(value) else fmt_number(100 * value, lang, 0) + percent_sign(lang)


def _hidden_reason(row: Mapping[str, Any], min_n: int) -> str:
    """Why an area's direct estimate is not published: fewer than min_n respondents, none at all, or withheld so
    that another small group cannot be worked out (the published table says "< min_n" for the first)."""
    respondents = str(row.get("respondents") or "")
    n = row.get("n")
    if respondents.startswith("<") or (n is not None and not pd.isna(n) and 0 < float(n) < min_n):
        return "suppressed_small"
    if "estimate_type" in row and str(row.get("estimate_type")) != "synthetic" and pd.isna(n):
        return "suppressed_complementary"  # it has respondents (the model used them), but the gate withheld it
    return "suppressed_empty"


def table_rows(rows: pd.DataFrame, data: ReportData) -> list[dict[str, Any]]:
    """Formatted rows for the template; a hidden direct estimate is "–" with the reason."""
    lang, min_n = data.lang, data.settings.min_n
    out = []
    for row in rows.to_dict("records"):
        n = row["n"]
        decimals = shown_decimals(row["shown"])
        hidden = bool(row["direct_suppressed"]) or pd.isna(row["direct"])
        reason = ""
        if hidden:
            reason = tr(_hidden_reason(row, min_n), lang, min_n=min_n)
        out.append({
            "area": row["area"],
            "label": row["area_label"],
            "n_text": fmt_count(n, lang),
            "direct_text": "–" if hidden else fmt_estimate(row["direct"], row["direct_ci_low"], row["direct_ci_high"],
                                                           "proportion", lang),
            "direct_hidden": hidden,
            "direct_reason": reason,
            "direct_cv_text": "–" if hidden else _cv_text(row["direct_cv"], lang),
            "model_text": f"{_pct(row['model'], 0, lang)} "
                          f"({_pct_interval(row['model_ci_low'], row['model_ci_high'], 0, lang)})",
            "model_cv_text": _cv_text(row["model_cv"], lang),
            "shown": row["shown"],
            "shown_text": _pct(row["shown_estimate"], decimals, lang),
            "shown_mark": tr("sae_mark_model_only" if row.get("model_only") else f"sae_mark_{row['shown']}", lang),
            "model_only": bool(row.get("model_only")),
        })
    return out


def _decorate(figure: Figure, title: str, data: ReportData) -> None:
    from ath_analysis.report.figures import source_text

    figure.suptitle("\n".join(textwrap.wrap(title, TITLE_WIDTH)), x=0.01, ha="left", fontweight="bold")
    figure_footer(figure, source_text(data), tr("synthetic_stamp", data.lang) if data.synthetic else None)


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH)) or label


def focus_value(content: IndicatorContent, data: ReportData, domain: str, value: str) -> float:
    """The report area's own crude (not age-standardized, like the sub-area estimates) direct estimate."""
    table = data.estimates
    rows = table[(table["indicator"] == content.indicator.id) & (table["wave"] == content.latest_wave)
                 & (table["domain"] == domain) & (table["domain_value"] == str(value)) & ~table["standardized"]]
    if rows.empty or bool(rows["suppressed"].iloc[0]) or pd.isna(rows["estimate"].iloc[0]):
        return float("nan")
    return float(rows["estimate"].iloc[0])


def shown_figure(rows: pd.DataFrame, content: IndicatorContent, area_name: str, reference: float,
                 data: ReportData) -> Figure | None:
    """Dot and whisker of the shown estimate per sub-area (direct: filled circle, model: open diamond), with the
    area's own direct estimate as a vertical reference line."""
    from ath_analysis.report.figures import _limits, _value_axis_label, dots_with_whiskers

    if rows.empty:
        return None
    lang = data.lang
    n = len(rows)
    figure = new_figure(height=1.6 + 0.235 * n + 0.3)
    ax = figure.add_subplot()
    y = np.arange(n)[::-1].astype(float)
    low, high = _limits(rows["shown_ci_low"].to_numpy(float), rows["shown_ci_high"].to_numpy(float),
                        [reference], "proportion")
    ax.set_xlim(low, high)
    if np.isfinite(reference):
        ax.axvline(reference, color=COLOURS["region"], linestyle="--", linewidth=1.2, zorder=1)
    kinds = np.array([shown if shown in STYLE else "model" for shown in rows["shown"]], dtype=object)
    used = set(kinds)
    value, low_ci, high_ci = (rows[c].to_numpy(float) for c in ("shown_estimate", "shown_ci_low", "shown_ci_high"))
    for kind in dict.fromkeys(kinds):
        style, mine = STYLE[kind], kinds == kind
        dots_with_whiskers(ax, value[mine], y[mine], low_ci[mine], high_ci[mine], fmt=style["marker"],
                           color=style["colour"], markerfacecolor=style["face"], markeredgewidth=1.5,
                           markersize=5.5, elinewidth=1.5, zorder=3)
    ax.set_yticks(y, [_wrap(str(label)) for label in rows["area_label"]])
    ax.tick_params(axis="y", length=0, labelsize=9)
    ax.set_ylim(-0.7, n - 0.3)
    if "model_only" in rows and rows["model_only"].any() and not rows["model_only"].all():
        first = int(np.argmax(rows["model_only"].to_numpy(bool)))  # the model-only block follows the measured
        ax.axhline(y[first] + 0.5, color=GREY, linewidth=0.9, linestyle=":")
        ax.text(1.0, y[first] + 0.25, tr("sae_mark_model_only", lang), transform=ax.get_yaxis_transform(),
                ha="right", va="top", fontsize=9, color=GREY, fontstyle="italic")
    format_value_axis(ax.xaxis, "proportion", lang)
    ax.set_xlabel(_value_axis_label("proportion", lang))
    handles = []
    if np.isfinite(reference):
        handles.append(Line2D([], [], color=COLOURS["region"], linestyle="--",
                              label=tr("sae_legend_reference", lang, area=area_name,
                                       value=fmt_value(reference, "proportion", lang))))
    for kind in ("direct", "model"):
        if kind in used:
            style = STYLE[kind]
            handles.append(Line2D([], [], color=style["colour"], marker=style["marker"], linestyle="none",
                                  markerfacecolor=style["face"], markeredgewidth=1.5, markersize=6,
                                  label=tr(f"sae_legend_{kind}", lang)))
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 2), handlelength=1.6,
                  columnspacing=1.2)
    _decorate(figure, tr("sae_fig_title", lang, title=f"{content.label}, {content.latest_year}"), data)
    return figure


def cv_summary(table: pd.DataFrame, waves: Sequence[str]) -> pd.DataFrame:
    """Per sub-area of the latest of the report's waves: median respondents, and median CV of the (published)
    direct and the model estimates over the indicators."""
    rows = table[table["wave"].isin(list(waves))]
    rows = rows[rows["year"] == rows["year"].max()] if len(rows) else rows
    if rows.empty:
        return rows
    sets = list(dict.fromkeys(rows["area_set"]))
    rows = rows[rows["area_set"] == (PREFERRED_SET if PREFERRED_SET in sets else sets[0])]
    summary = rows.groupby("area", sort=False).agg(
        label=("area_label", "first"),
        n=("n", lambda s: float(pd.to_numeric(s, errors="coerce").astype("float64").median())),
        direct_cv=("direct_cv", "median"), model_cv=("model_cv", "median"),
        year=("year", "first"),
    ).reset_index()
    return summary


def cv_figure(summary: pd.DataFrame, data: ReportData) -> Figure | None:
    """Median CV of the direct (where published) and the model estimate of each sub-area against its number of
    respondents; a line joins an area's two values; the threshold for showing the direct estimate is marked."""
    if summary.empty:
        return None
    lang = data.lang
    min_n = float(data.settings.min_n)
    max_cv = float(data.settings.small_area_model["max_direct_cv"])
    figure = new_figure(height=4.8)
    ax = figure.add_subplot()
    x = summary["n"].to_numpy(float)
    x = np.where(np.isfinite(x) & (x > 0), x, ZERO_AT)  # no respondents: drawn left of 1 on the log axis
    direct, model = 100 * summary["direct_cv"].to_numpy(float), 100 * summary["model_cv"].to_numpy(float)
    both = np.isfinite(direct) & np.isfinite(model)
    for xi, d, m in zip(x[both], direct[both], model[both], strict=True):
        ax.plot([xi, xi], [d, m], color=LIGHT_GREY, linewidth=1.2, zorder=1)
    top = float(np.nanmax(np.concatenate([direct[np.isfinite(direct)], model[np.isfinite(model)], [100 * max_cv]])))
    top = min(top * 1.08, 150.0)
    ax.axvspan(ZERO_AT * 0.8, min_n, color="#F2F2F2", zorder=0, linewidth=0)
    ax.text(np.sqrt(ZERO_AT * 0.8 * min_n), top * 0.97, tr("sae_cv_hidden_zone", lang, min_n=int(min_n)), ha="center",
            va="top", fontsize=9, color=GREY, fontstyle="italic")
    ax.axhline(100 * max_cv, color=COLOURS["region"], linestyle="--", linewidth=1.1, zorder=1)
    style = STYLE["direct"]
    ax.scatter(x, np.minimum(direct, top), marker=style["marker"], color=style["colour"], s=30, zorder=3)
    style = STYLE["model"]
    ax.scatter(x, np.minimum(model, top), marker=style["marker"], facecolor="white", edgecolor=style["colour"],
               linewidth=1.4, s=30, zorder=4)
    ax.set_xscale("log")
    ax.set_xlim(ZERO_AT * 0.8, max(float(np.nanmax(x)) * 1.3, min_n * 3))
    ax.set_ylim(0, top)
    ticks: list[float] = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000) if t <= ax.get_xlim()[1]]
    if (x == ZERO_AT).any():
        ticks = [ZERO_AT, *ticks]
    ax.set_xticks(ticks, ["0" if t == ZERO_AT else fmt_count(t, lang) for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, lang, 0) + percent_sign(lang)))
    ax.grid(axis="y")
    ax.set_xlabel(tr("sae_cv_xlabel", lang))
    ax.set_ylabel(tr("sae_cv_ylabel", lang))
    handles = [
        Line2D([], [], color=STYLE["direct"]["colour"], marker="o", linestyle="none", markersize=6,
               label=tr("sae_cv_legend_direct", lang)),
        Line2D([], [], color=STYLE["model"]["colour"], marker="D", markerfacecolor="white", markeredgewidth=1.4,
               linestyle="none", markersize=6, label=tr("sae_cv_legend_model", lang)),
        Line2D([], [], color=COLOURS["region"], linestyle="--",
               label=tr("sae_cv_legend_threshold", lang, cv=fmt_number(100 * max_cv, lang, 0))),
    ]
    figure.legend(handles=handles, loc="outside lower center", ncols=3, handlelength=1.6, columnspacing=1.2)
    year = summary["year"].iloc[0]
    _decorate(figure, tr("sae_cv_title", lang, year=year), data)
    return figure


def methods_text(settings: Mapping[str, Any], min_n: int, lang: str) -> str:
    """A short paragraph on the Fay–Herriot model as configured (covariates, variance estimator, transform)."""
    covariates = join_words([tr_or(f"sae_covariate_{c}", lang, c) for c in settings["covariates"]], lang)
    return tr("methods_sae_text", lang, covariates=covariates,
              method=tr_or(f"sae_method_{settings['method']}", lang, settings["method"]),
              transform=tr_or(f"sae_transform_{settings['transform']}", lang, settings["transform"]),
              finite=tr("sae_finite" if settings.get("finite_population") else "sae_infinite", lang),
              min_n=min_n, cv=fmt_number(100 * float(settings["max_direct_cv"]), lang, 0))
