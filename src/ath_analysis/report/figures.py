"""The report's charts: areas against the region, crude and adjusted comparisons, trends over waves.

Every chart shows confidence intervals, writes shares in per cent with the report's decimal mark, marks
hidden (suppressed) cells in words instead of drawing them, and carries the SYNTHETIC stamp when the data are
synthetic. Figures are made with the object API (no pyplot state) and saved as SVG.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ath_analysis.report.content import POOLED, REGION_DOMAIN, AreaSpec, Comparison, IndicatorContent, ReportData
from ath_analysis.report.style import (
    COLOURS,
    GREY,
    MARKERS,
    SERIES_COLOURS,
    SERIES_MARKERS,
    add_footer,
    figure_footer,
    fmt_value,
    format_value_axis,
    new_figure,
)
from ath_analysis.report.text import tr, tr_or

TITLE_WIDTH = 80  # characters per title line (the SYNTHETIC stamp is under the figure, not beside the title)
LABEL_WIDTH = 34  # characters per y tick label line


@dataclass(frozen=True)
class SavedFigure:
    stem: str
    svg: Path
    width_in: float
    height_in: float


def save_figure(figure: Figure, directory: Path, stem: str) -> SavedFigure:
    """The figure as SVG, the one format of the page, the print and the PDF (vector: sharp at any size and on
    paper; text drawn as paths, so it looks the same without the fonts), without time stamps, so reruns are
    identical. No bitmap is written: nothing needs one."""
    directory.mkdir(parents=True, exist_ok=True)
    add_footer(figure)
    svg = directory / f"{stem}.svg"
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    width, height = figure.get_size_inches()
    return SavedFigure(stem, svg, float(width), float(height))


def source_text(data: ReportData, waves: Sequence[str] | None = None) -> str:
    """"Lähde: THL, Terve Suomi 2022; laskenta: ath-analysis" for the given waves (default: the latest)."""
    chosen = list(waves) if waves else list(data.wave_years)[-1:]
    return tr("source_line", data.lang, survey=", ".join(data.wave_names.get(w, w) for w in chosen))


def _decorate(figure: Figure, title: str, data: ReportData, waves: Sequence[str] | None = None) -> None:
    """Title (the whole width: the stamp is not beside it), source line and SYNTHETIC stamp under the figure."""
    figure.suptitle("\n".join(textwrap.wrap(title, TITLE_WIDTH)), x=0.01, ha="left", fontweight="bold")
    figure_footer(figure, source_text(data, waves), tr("synthetic_stamp", data.lang) if data.synthetic else None)


def figure_title(content: IndicatorContent, lang: str, year: bool = True) -> str:
    """The indicator's name, the survey year and, when so, that the values are age-standardized."""
    title = content.label + (f", {content.latest_year}" if year else "")
    if content.standardized:
        title += " – " + ("ikävakioitu" if lang == "fi" else "age-standardized")
    return title


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH)) or label


def _value_axis_label(kind: str, lang: str) -> str:
    return tr("axis_percent" if kind == "proportion" else "axis_mean", lang)


def dots_with_whiskers(ax: Axes, values: Sequence[float], positions: Sequence[float], lows: Sequence[float],
                       highs: Sequence[float], **style: Any) -> None:
    """Horizontal whiskers (CIs) with a dot at each value, all of one style in one `errorbar` call: one marker
    line and one whisker collection per style rather than per row (fewer artists to lay out, draw and write)."""
    if not len(values):
        return
    x = np.asarray(values, dtype=float)
    ax.errorbar(x, np.asarray(positions, dtype=float),
                xerr=[x - np.asarray(lows, dtype=float), np.asarray(highs, dtype=float) - x], capsize=0, **style)


def _limits(lows: np.ndarray, highs: np.ndarray, extra: list[float], kind: str) -> tuple[float, float]:
    values = np.concatenate([lows[np.isfinite(lows)], highs[np.isfinite(highs)], np.asarray(extra, float)])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (0.0, 1.0) if kind == "proportion" else (0.0, 1.0)
    low, high = float(values.min()), float(values.max())
    pad = max((high - low) * 0.06, 0.005 if kind == "proportion" else 0.05)
    low, high = low - pad, high + pad
    if kind == "proportion":
        low, high = max(low, 0.0), min(high, 1.0)
    return low, high


def areas_figure(content: IndicatorContent, spec: AreaSpec, data: ReportData) -> Figure | None:
    """Dot and whisker by area, sorted by value, with the region's value as a vertical reference line."""
    lang, kind = data.lang, content.kind
    table = content.table[content.table["role"] != "region"]
    if table.empty:
        return None
    focus = table[table["role"] == "focus"]
    areas = table[table["role"] == "area"]
    shown = areas[~areas["suppressed"].astype(bool)].sort_values("estimate", ascending=False, kind="stable")
    hidden = areas[areas["suppressed"].astype(bool)]
    rows = pd.concat([focus, shown, hidden], ignore_index=True)
    n = len(rows)
    figure = new_figure(height=1.35 + 0.34 * n + 0.25)
    ax = figure.add_subplot()
    y = np.arange(n)[::-1].astype(float)
    region_value = float(content.region["estimate"])
    low, high = _limits(rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float), [region_value], kind)
    ax.set_xlim(low, high)
    ax.axvline(region_value, color=COLOURS["region"], linestyle="--", linewidth=1.2, zorder=1)
    dots: dict[str, list[tuple[float, float, float, float]]] = {}
    for yi, (_, row) in zip(y, rows.iterrows(), strict=True):
        if row["suppressed"]:
            ax.text(low + (high - low) * 0.01, yi, f"– ({row['hidden_note']})", va="center", ha="left",
                    color=GREY, fontsize=9, fontstyle="italic", zorder=4,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
            continue
        dots.setdefault(row["verdict"] or "none", []).append((row["estimate"], yi, row["ci_low"], row["ci_high"]))
    for category, points in dots.items():
        dots_with_whiskers(ax, *zip(*points, strict=True), fmt=MARKERS[category], color=COLOURS[category],
                           markersize=6.5, elinewidth=1.8, zorder=3)
    used = set(dots)
    labels = [_wrap(f"{r['label']}{r['mark']}") for _, r in rows.iterrows()]
    ax.set_yticks(y, labels)
    for tick, (_, row) in zip(ax.get_yticklabels(), rows.iterrows(), strict=True):
        if row["role"] == "focus":
            tick.set_fontweight("bold")
        if row["suppressed"]:
            tick.set_color(GREY)
    ax.set_ylim(-0.7, n - 0.3)
    ax.tick_params(axis="y", length=0)
    format_value_axis(ax.xaxis, kind, lang)
    ax.set_xlabel(_value_axis_label(kind, lang))
    handles = [Line2D([], [], color=COLOURS["region"], linestyle="--",
                      label=f"{data.region_name()} {fmt_value(region_value, kind, lang)}")]
    for category in ("better", "none", "worse"):
        if category in used:
            handles.append(Line2D([], [], color=COLOURS[category], marker=MARKERS[category], linestyle="none",
                                  markersize=6.5, label=tr(f"legend_{category}", lang)))
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), handlelength=1.6,
                  columnspacing=1.2)
    _decorate(figure, figure_title(content, lang), data)
    return figure


def _comparison_title(comparison: Comparison, lang: str) -> str:
    name = tr_or(f"comparison_{comparison.comparison}", lang, comparison.comparison)
    source = tr("pooled", lang) if comparison.source == POOLED else str(comparison.year or comparison.source)
    return f"{name} ({source})"


def comparison_figure(content: IndicatorContent, data: ReportData) -> Figure | None:
    """Crude (circle) and adjusted (square) values of each level, one panel per comparison."""
    lang, kind = data.lang, content.kind
    comparisons = [c for c in content.comparisons if len(c.rows)]
    if not comparisons:
        return None
    sizes = [max(c.rows["level"].nunique(), 1) for c in comparisons]
    height = 0.9 + sum(0.42 * s + 0.55 for s in sizes) + 0.3
    figure = new_figure(height=height)
    axes = figure.subplots(len(comparisons), 1, sharex=True, squeeze=False,
                           gridspec_kw={"height_ratios": [s + 0.6 for s in sizes]})[:, 0]
    all_lows = np.concatenate([c.rows["ci_low"].to_numpy(float) for c in comparisons])
    all_highs = np.concatenate([c.rows["ci_high"].to_numpy(float) for c in comparisons])
    low, high = _limits(all_lows, all_highs, [], kind)
    any_adjusted = False
    for ax, comparison in zip(axes, comparisons, strict=True):
        rows = comparison.rows
        reference = rows.loc[rows["is_reference"].astype(bool), "level"].astype(str).tolist()
        levels = list(dict.fromkeys([*reference, *rows["level"].astype(str)]))  # the reference on top
        y_of = {lv: float(len(levels) - 1 - k) for k, lv in enumerate(levels)}
        labels = {}
        dots: dict[str, list[tuple[float, float, float, float]]] = {}
        for _, row in rows.iterrows():
            level = str(row["level"])
            reference = bool(row.get("is_reference", False))
            labels[level] = row["label"] + (f" ({tr('reference', lang)})" if reference else "")
            adjusted = row["adjustment"] == "adjusted"
            any_adjusted |= adjusted
            offset = (-0.17 if adjusted else 0.17) if comparison.from_models else 0.0
            yi = y_of[level] + offset
            if row["suppressed"] or pd.isna(row["estimate"]):
                if not adjusted:
                    ax.text(low + (high - low) * 0.01, y_of[level], f"– ({tr('not_published', lang)})",
                            va="center", ha="left", color=GREY, fontsize=9, fontstyle="italic")
                continue
            dots.setdefault("adjusted" if adjusted else "crude", []).append(
                (row["estimate"], yi, row["ci_low"], row["ci_high"]))
        for style, points in dots.items():
            dots_with_whiskers(ax, *zip(*points, strict=True), fmt=MARKERS[style], color=COLOURS[style],
                               markersize=6.5, elinewidth=1.8, markeredgewidth=1.6, zorder=3,
                               markerfacecolor=COLOURS[style] if style == "adjusted" else "white")
        ax.set_yticks([y_of[lv] for lv in levels], [_wrap(labels.get(lv, lv)) for lv in levels])
        ax.set_ylim(-0.6, len(levels) - 0.4)
        ax.tick_params(axis="y", length=0)
        ax.set_title(_comparison_title(comparison, lang), loc="left", fontsize=10, fontweight="bold")
    axes[-1].set_xlim(low, high)
    format_value_axis(axes[-1].xaxis, kind, lang)
    axes[-1].set_xlabel(_value_axis_label(kind, lang))
    handles = [Line2D([], [], color=COLOURS["crude"], marker=MARKERS["crude"], markerfacecolor="white",
                      markeredgewidth=1.6, linestyle="none", label=tr("legend_crude", lang))]
    if any_adjusted:
        handles.append(Line2D([], [], color=COLOURS["adjusted"], marker=MARKERS["adjusted"], linestyle="none",
                              label=tr("legend_adjusted", lang)))
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    sources = [c.source for c in comparisons]
    _decorate(figure, content.label, data, list(data.wave_years) if "pooled" in sources else
              [s for s in sources if s in data.wave_years] or None)
    return figure


def trend_figure(content: IndicatorContent, data: ReportData) -> Figure | None:
    """Each series (region, the report's area, e.g. urban and rural) over the waves, with CIs."""
    lang, kind = data.lang, content.kind
    trend = content.trend
    if trend.empty:
        return None
    years = sorted(trend["year"].unique())
    figure = new_figure(height=3.9)
    ax = figure.add_subplot()
    series = list(dict.fromkeys(zip(trend["domain"], trend["domain_value"], strict=True)))
    step = 0.35 if len(years) < 2 else (years[-1] - years[0]) * 0.012
    offsets = (np.arange(len(series)) - (len(series) - 1) / 2) * step
    for k, (domain, value) in enumerate(series):
        rows = trend[(trend["domain"] == domain) & (trend["domain_value"] == value)]
        rows = rows[~rows["suppressed"].astype(bool)]
        colour, marker = SERIES_COLOURS[k % len(SERIES_COLOURS)], SERIES_MARKERS[k % len(SERIES_MARKERS)]
        label = rows["label"].iloc[0] if len(rows) else value
        x = rows["year"].to_numpy(float) + offsets[k]
        est = rows["estimate"].to_numpy(float)
        ax.errorbar(x, est, yerr=[est - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - est],
                    fmt=f"-{marker}", color=colour, markersize=6, linewidth=2.2 if domain == REGION_DOMAIN else 1.6,
                    elinewidth=1.3, capsize=3, label=label, zorder=3 if domain == REGION_DOMAIN else 2)
    names = trend.drop_duplicates("year").set_index("year")["wave_name"].to_dict()
    ax.set_xticks(years, [f"{y}\n{str(names.get(y, '')).rsplit(' ', 1)[0]}" for y in years])
    ax.set_xlim(years[0] - 1.2, years[-1] + 1.2) if len(years) > 1 else None
    ax.grid(axis="y")
    ax.grid(axis="x", visible=False)
    format_value_axis(ax.yaxis, kind, lang)
    ax.set_ylabel(_value_axis_label(kind, lang))
    low, high = _limits(trend["ci_low"].to_numpy(float), trend["ci_high"].to_numpy(float), [], kind)
    ax.set_ylim(low, high)
    figure.legend(loc="outside lower center", ncols=min(len(series), 4))
    _decorate(figure, figure_title(content, lang, year=False), data,
              [w for w in data.wave_years if w in set(trend["wave"])])
    return figure
