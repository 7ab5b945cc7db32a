"""Maps of the municipalities, drawn with matplotlib alone (no tiles, no network).

Without boundaries: a proportional-symbol map, one circle per municipality at its administrative centre
(config/areas/municipality_centres.csv), circle area ∝ respondents, colour = the indicator's value. With a
user-supplied GeoJSON of municipal boundaries (`report.boundaries`, e.g. Statistics Finland's CC BY 4.0
municipality data): a choropleth. The GeoJSON is read with the json module; Polygon and MultiPolygon
geometries in any planar or lon/lat coordinates are drawn as patches.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from ath_analysis.errors import ConfigError
from ath_analysis.report.content import IndicatorContent, ReportData
from ath_analysis.report.style import GREY, LIGHT_GREY, fmt_count, fmt_value, new_figure, value_formatter
from ath_analysis.report.text import tr

COLOUR_MAP = "cividis"  # perceptually uniform and readable with colour-vision deficiencies
CODE_PROPERTIES = ("kunta", "kuntakoodi", "kunta_koodi", "natcode", "code", "municipality", "kuntanro")
MAX_MARKER_AREA = 1500.0  # pt², the largest municipality's circle


@dataclass(frozen=True)
class Boundaries:
    """Municipal outlines by zero-padded code; `lonlat` when the coordinates are degrees."""

    shapes: Mapping[str, MplPath]
    lonlat: bool


def _ring_path(rings: Sequence[Sequence[Sequence[float]]]) -> tuple[list, list]:
    vertices, codes = [], []
    for ring in rings:
        points = [(float(p[0]), float(p[1])) for p in ring]
        if len(points) < 3:
            continue
        vertices += points + [points[0]]
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1) + [MplPath.CLOSEPOLY]
    return vertices, codes


def _code(properties: Mapping[str, Any], key: str | None) -> str | None:
    keys = [key] if key else [k for k in properties if str(k).lower() in CODE_PROPERTIES]
    for k in keys:
        value = properties.get(k)
        if value is not None and str(value).strip().isdigit():
            return str(value).strip().zfill(3)
    return None


def load_boundaries(path: str | Path, code_property: str | None = None) -> Boundaries:
    """Read a GeoJSON FeatureCollection of municipalities (code in `code_property`, or found by name)."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read municipal boundaries as GeoJSON: {exc}") from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise ConfigError(f"{path}: not a GeoJSON FeatureCollection (no 'features' list)")
    shapes: dict[str, tuple[list, list]] = {}
    xs: list[float] = []
    for feature in features:
        code = _code(feature.get("properties") or {}, code_property)
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        polygons = [geometry.get("coordinates", [])] if kind == "Polygon" else (
            geometry.get("coordinates", []) if kind == "MultiPolygon" else [])
        if code is None or not polygons:
            continue
        vertices, codes = shapes.setdefault(code, ([], []))
        for polygon in polygons:
            v, c = _ring_path(polygon)
            vertices += v
            codes += c
            xs += [p[0] for p in v]
    if not shapes:
        raise ConfigError(f"{path}: no municipality polygons with a municipality code property "
                          f"({code_property or ', '.join(CODE_PROPERTIES)})")
    lonlat = bool(xs) and max(abs(x) for x in xs) <= 180
    return Boundaries({code: MplPath(v, c) for code, (v, c) in shapes.items()}, lonlat)


def _colour_scale(values: np.ndarray) -> mpl.colors.Normalize:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return mpl.colors.Normalize(0, 1)
    low, high = float(finite.min()), float(finite.max())
    if math.isclose(low, high):
        low, high = low - 0.01, high + 0.01
    return mpl.colors.Normalize(low, high)


def _colourbar(figure: Figure, ax, norm, content: IndicatorContent, lang: str) -> None:
    mappable = mpl.cm.ScalarMappable(norm=norm, cmap=COLOUR_MAP)
    bar = figure.colorbar(mappable, ax=ax, location="bottom", shrink=0.7, aspect=30, pad=0.02,
                          format=value_formatter(content.kind, lang))
    bar.set_label(tr("axis_percent" if content.kind == "proportion" else "axis_mean", lang))
    bar.ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=5))


def _finish(figure: Figure, ax, content: IndicatorContent, data: ReportData) -> None:
    from ath_analysis.report.figures import _decorate, figure_title

    ax.set_axis_off()
    _decorate(figure, figure_title(content, data.lang), data)


def symbol_map(content: IndicatorContent, centres: pd.DataFrame, data: ReportData,
               highlight: str | None = None) -> Figure | None:
    """Proportional symbols at municipal centres: area ∝ respondents, colour = value."""
    lang = data.lang
    rows = content.map_rows.merge(centres[["code", "lat", "lon"]], left_on="domain_value", right_on="code",
                                  how="inner")
    if rows.empty:
        return None
    figure = new_figure(height=6.2)
    ax = figure.add_subplot()
    lat0 = float(rows["lat"].mean())
    ax.set_aspect(1 / math.cos(math.radians(lat0)))
    values = rows["estimate"].to_numpy(float)
    norm = _colour_scale(values)
    n = rows["n"].astype("float64").to_numpy()
    n_max = np.nanmax(n) if np.isfinite(n).any() else 1.0
    sizes = np.where(np.isfinite(n), MAX_MARKER_AREA * n / n_max, 60.0)
    shown = ~rows["suppressed"].astype(bool).to_numpy()
    cmap = mpl.colormaps[COLOUR_MAP]
    order = np.argsort(-sizes)  # big circles first, small ones on top
    for i in order:
        row = rows.iloc[i]
        edge = "black" if row["domain_value"] == highlight else "white"
        if shown[i]:
            ax.scatter(row["lon"], row["lat"], s=sizes[i], color=cmap(norm(values[i])), edgecolor=edge,
                       linewidth=2.0 if edge == "black" else 1.0, zorder=3)
        else:
            ax.scatter(row["lon"], row["lat"], s=sizes[i], facecolor="white", edgecolor=GREY, linewidth=1.2,
                       hatch="///", zorder=3)
        radius_pt = math.sqrt(sizes[i] / math.pi)
        name = row["label"] + "\n" + (fmt_value(values[i], content.kind, lang) if shown[i] else "–")
        ax.annotate(name, (row["lon"], row["lat"]), xytext=(0, -radius_pt - 3), textcoords="offset points",
                    ha="center", va="top", fontsize=9, zorder=4,
                    fontweight="bold" if row["domain_value"] == highlight else "normal")
    pad_x, pad_y = 0.28, 0.16
    ax.set_xlim(rows["lon"].min() - pad_x, rows["lon"].max() + pad_x)
    ax.set_ylim(rows["lat"].min() - pad_y - 0.06, rows["lat"].max() + pad_y)
    _colourbar(figure, ax, norm, content, lang)
    steps = [s for s in (100, 250, 500, 1000, 2000, 5000) if s <= n_max][-3:] or [int(n_max)]
    handles = [Line2D([], [], marker="o", linestyle="none", markerfacecolor=LIGHT_GREY, markeredgecolor=GREY,
                      markersize=math.sqrt(MAX_MARKER_AREA * s / n_max), label=fmt_count(s, lang)) for s in steps]
    if not shown.all():
        handles.append(Line2D([], [], marker="o", linestyle="none", markerfacecolor="white", markeredgecolor=GREY,
                              markersize=8, label=tr("legend_not_published", lang)))
    ax.legend(handles=handles, title=tr("legend_respondents", lang), loc="upper left", labelspacing=1.3,
              borderpad=0.8, handletextpad=1.2, title_fontsize=9.5, frameon=True, framealpha=0.9,
              edgecolor=LIGHT_GREY)
    _finish(figure, ax, content, data)
    return figure


def choropleth_map(content: IndicatorContent, boundaries: Boundaries, data: ReportData,
                   highlight: str | None = None) -> Figure | None:
    """Municipalities filled by value; hidden cells hatched grey; other municipalities in the file pale."""
    lang = data.lang
    rows = content.map_rows.set_index("domain_value")
    codes = [c for c in rows.index if c in boundaries.shapes]
    if not codes:
        return None
    figure = new_figure(height=6.6)
    ax = figure.add_subplot()
    norm = _colour_scale(rows["estimate"].to_numpy(float))
    cmap = mpl.colormaps[COLOUR_MAP]
    others = [PathPatch(p) for c, p in boundaries.shapes.items() if c not in rows.index]
    if others:
        ax.add_collection(PatchCollection(others, facecolor="#F4F4F4", edgecolor=LIGHT_GREY, linewidth=0.5))
    extents = []
    for code in codes:
        row, path = rows.loc[code], boundaries.shapes[code]
        hidden = bool(row["suppressed"]) or pd.isna(row["estimate"])
        patch = PathPatch(path, facecolor="white" if hidden else cmap(norm(row["estimate"])),
                          edgecolor="black" if code == highlight else "white",
                          linewidth=1.8 if code == highlight else 0.8, hatch="///" if hidden else None, zorder=2)
        ax.add_patch(patch)
        box = path.get_extents()
        extents.append(box)
        centre = _label_point(path)
        value = "–" if hidden else fmt_value(row["estimate"], content.kind, lang)
        ax.text(centre[0], centre[1], f"{row['label']}\n{value}", ha="center", va="center",
                fontsize=9, zorder=4, fontweight="bold" if code == highlight else "normal",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.75})
    x0 = min(b.x0 for b in extents)
    x1 = max(b.x1 for b in extents)
    y0 = min(b.y0 for b in extents)
    y1 = max(b.y1 for b in extents)
    pad = 0.03 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)) if boundaries.lonlat else "equal")
    _colourbar(figure, ax, norm, content, lang)
    _finish(figure, ax, content, data)
    return figure


def _label_point(path: MplPath) -> tuple[float, float]:
    """Centroid of the largest ring (a label inside ordinary municipal shapes)."""
    best, best_area = None, -1.0
    for polygon in path.to_polygons():
        ring = np.asarray(polygon, dtype=float)
        x, y = ring[:, 0], ring[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = cross.sum() / 2
        if abs(area) > best_area and area != 0:
            best_area = abs(area)
            best = ((x + np.roll(x, -1)) * cross).sum() / (6 * area), ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    if best is None:
        box = path.get_extents()
        return (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    return float(best[0]), float(best[1])
