"""Maps of the report's areas, drawn with matplotlib alone (no tiles, no network).

With boundaries — the national register's (`ath-analysis areas import|fetch`: municipalities, postal code
areas; National Land Survey / Statistics Finland, CC BY 4.0) or a user's GeoJSON (`report.boundaries`) — a
choropleth whose colours read "better / no clear difference / worse than the comparison area"
(`verdict_map`; the verdicts of the published differences table, see map_verdicts), hidden areas hatched and
labelled, the boundaries' attribution on the map. Mikkeli's villages and districts are its postal code areas,
dissolved into the sub-area table's groups when groups are shown (map_shapes.dissolve).

Without boundaries: the proportional-symbol map, one circle per municipality at its administrative centre
(config/areas/municipality_centres.csv), circle area ∝ respondents, colour = the indicator's value.

The library functions take DataFrames and boundaries and return matplotlib Figures; they know nothing of
Snakemake or of the files the report reads.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from ath_analysis.errors import ConfigError
from ath_analysis.municipalities import Municipalities
from ath_analysis.report.content import REGION_DOMAIN, IndicatorContent, ReportData, verdict
from ath_analysis.report.map_shapes import (
    CODE_PROPERTIES,
    Boundaries,
    dissolve,
    merge_areas,
    near,
    postal_boundaries,
    read_boundaries,
    register_boundary_file,
)
from ath_analysis.report.map_text import map_text
from ath_analysis.report.map_verdicts import (
    BETTER,
    HIDDEN,
    NO_COMPARISON,
    SAME,
    VERDICTS,
    WORSE,
    difference_verdicts,
    interval_verdicts,
    map_areas,
)
from ath_analysis.report.style import (
    COLOURS,
    FIGURE_WIDTH,
    GREY,
    LIGHT_GREY,
    figure_footer,
    fmt_count,
    fmt_number,
    fmt_value,
    new_figure,
    stamp_synthetic,
    value_formatter,
)
from ath_analysis.report.text import tr

__all__ = [
    "CODE_PROPERTIES", "Boundaries", "MapInputs", "area_maps", "choropleth_map", "load_boundaries", "load_map_inputs",
    "municipal_boundaries", "municipality_map", "register_maps", "small_area_map", "subarea_map", "symbol_map",
    "verdict_map",
]

COLOUR_MAP = "cividis"  # symbol map: perceptually uniform and readable with colour-vision deficiencies
MAX_MARKER_AREA = 1500.0  # pt², the largest municipality's circle
# choropleth fills by verdict: the report's better/worse colours (Okabe–Ito), a neutral grey for no clear
# difference; hidden areas white and hatched; areas around the map paler still
VERDICT_COLOURS = {BETTER: COLOURS["better"], SAME: "#D9D9D9", WORSE: COLOURS["worse"], HIDDEN: "#FFFFFF",
                   NO_COMPARISON: "#F2F2F2"}
HATCH = "///"
CONTEXT_FILL = "#F7F7F7"
BORDER = "#5A5A5A"
LABEL_FONT = 9.0  # points: nothing in a figure is smaller
LABEL_WRAP = 18  # characters per line of an area's name on the map
MAP_WIDTH_IN = FIGURE_WIDTH - 0.35  # the map's own width on the page (A4 text width at 100 %)
MAX_MAP_HEIGHT_IN = 7.2


def load_boundaries(path: str | Path, code_property: str | None = None) -> Boundaries:
    """Read a GeoJSON FeatureCollection of municipalities (code in `code_property`, or found by name)."""
    return read_boundaries(path, code_property, code_width=3, what="municipal boundaries")


def municipal_boundaries(path: str | Path, municipalities: Municipalities | None = None,
                         reference_date: str | None = None, code_property: str | None = None) -> Boundaries:
    """Municipal boundaries as the municipalities are on `reference_date`: a map drawn before a merger (the 2023
    map has Pertunmaa, which joined Mäntyharju in 2025) shows the merged municipality as one area. Codes the
    catalogue does not know stay as they are."""
    boundaries = load_boundaries(path, code_property)
    if municipalities is None or reference_date is None:
        return boundaries
    codes = pd.Series(sorted(boundaries.shapes), dtype="string")
    known = codes[~codes.isin(municipalities.unknown(codes))].reset_index(drop=True)
    if known.empty:
        return boundaries
    current = municipalities.current(known, reference_date, reference_date)
    successor = {str(old): str(new) for old, new in zip(known, current, strict=True) if pd.notna(new) and old != new}
    return merge_areas(boundaries, successor) if successor else boundaries


def register_maps(register_dir: str | Path, municipalities: Municipalities | None, reference_date: str
                  ) -> tuple[Boundaries | None, Boundaries | None]:
    """The national register's municipal map (the newest not after the reference date, merged to that date)
    and its postal-area map; None for a map the register lacks."""
    year = int(str(reference_date)[:4])
    municipal = register_boundary_file(register_dir, "municipalities", year)
    postal = register_boundary_file(register_dir, "postal_areas", year)
    return (municipal_boundaries(municipal, municipalities, reference_date) if municipal else None,
            postal_boundaries(postal) if postal else None)


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


# --- the choropleth ----------------------------------------------------------------------------------------
def _direction_text(kind: str, higher_is_better: bool, lang: str) -> str:
    return map_text(f"direction_{'proportion' if kind == 'proportion' else 'mean'}_"
                    f"{'higher' if higher_is_better else 'lower'}", lang)


def _extent(paths: list[MplPath]) -> tuple[float, float, float, float]:
    boxes = [p.get_extents() for p in paths if np.asarray(p.vertices).size]
    return (min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def _x_scale(lonlat: bool, y0: float, y1: float) -> float:
    """Length of one x unit in y units on the map (longitude degrees shrink with latitude)."""
    return math.cos(math.radians((y0 + y1) / 2)) if lonlat else 1.0


def _text_size(text: str) -> tuple[float, float]:
    """Rough width and height in inches of a 9 pt label (DejaVu Sans, with its box)."""
    lines = text.split("\n")
    return max(len(line) for line in lines) * LABEL_FONT * 0.56 / 72 + 0.06, len(lines) * LABEL_FONT * 1.25 / 72 + 0.05


class _LabelPlacer:
    """Labels that fit inside their area and overlap no label already placed (positions in page inches)."""

    def __init__(self, box: tuple[float, float, float, float], inches_per_unit: tuple[float, float]) -> None:
        self.origin, self.scale = box[:2], inches_per_unit
        self.size = ((box[2] - box[0]) * inches_per_unit[0], (box[3] - box[1]) * inches_per_unit[1])
        self.placed: list[tuple[float, float, float, float]] = []

    def try_place(self, path: MplPath, point: tuple[float, float], text: str, force: bool = False) -> bool:
        box = path.get_extents()
        width, height = _text_size(text)
        fits = box.width * self.scale[0] >= 0.75 * width and box.height * self.scale[1] >= 0.8 * height
        x = (point[0] - self.origin[0]) * self.scale[0]
        y = (point[1] - self.origin[1]) * self.scale[1]
        mine = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
        free = all(mine[2] <= o[0] or mine[0] >= o[2] or mine[3] <= o[1] or mine[1] >= o[3] for o in self.placed)
        free = free and mine[0] >= 0 and mine[1] >= 0 and mine[2] <= self.size[0] and mine[3] <= self.size[1]
        if (fits or force) and free:
            self.placed.append(mine)
            return True
        return False


def _area_size(path: MplPath) -> float:
    return sum(abs(_signed_area(np.asarray(poly, dtype=float))) for poly in path.to_polygons())


def _signed_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2)


def _source_line(data: ReportData) -> str:
    from ath_analysis.report.figures import source_text  # figures imports this module

    return source_text(data)


def verdict_map(
    areas: pd.DataFrame,
    boundaries: Boundaries,
    *,
    kind: str,
    lang: str,
    title: str,
    reference_name: str,
    higher_is_better: bool,
    min_n: int,
    level: float = 0.95,
    rule: str = "difference",
    synthetic: bool = False,
    highlight: str | None = None,
    context: Boundaries | None = None,
    note: str | None = None,
    attribution: bool = True,
    source: str | None = None,
) -> Figure | None:
    """A choropleth coloured by verdict: better / no clear difference / worse than `reference_name`, hidden
    areas white, hatched and labelled, with a legend that says when a difference is clear and which way is
    better. None when no area of `areas` has a shape.

    areas: code (the boundaries' key), label, estimate (a proportion 0–1 or a mean), verdict (map_verdicts);
    rule: "difference" (the differences table's CI of the difference) or "interval" (the area's own CI);
    context: other areas drawn pale around the map's own (neighbouring municipalities, postal areas).
    Labels (name and value) are placed where they fit, the largest areas first; the rest carry no label.
    """
    rows = areas[areas["code"].astype(str).isin(list(boundaries.shapes))].reset_index(drop=True)
    if rows.empty:
        return None
    unknown = sorted(set(rows["verdict"]) - set(VERDICTS))
    if unknown:
        raise ValueError(f"verdict_map: unknown verdict(s) {', '.join(map(str, unknown))}")
    codes = rows["code"].astype(str).tolist()
    x0, y0, x1, y1 = _extent([boundaries.shapes[c] for c in codes])
    pad = 0.03 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    xs = _x_scale(boundaries.lonlat, y0, y1)
    ground_w, ground_h = (x1 - x0) * xs, y1 - y0
    map_h = min(MAP_WIDTH_IN * ground_h / ground_w, MAX_MAP_HEIGHT_IN)
    per_unit = min(MAP_WIDTH_IN / ground_w, map_h / ground_h)  # inches per y unit
    inches_per_unit = (per_unit * xs, per_unit)
    # the map's extent filled out to the drawing area, so that the labels' page positions are known
    extra_x = (MAP_WIDTH_IN / inches_per_unit[0] - (x1 - x0)) / 2
    extra_y = (map_h / inches_per_unit[1] - (y1 - y0)) / 2
    x0, x1, y0, y1 = x0 - extra_x, x1 + extra_x, y0 - extra_y, y1 + extra_y

    present = set(rows["verdict"])
    order = [BETTER, SAME, WORSE, HIDDEN, NO_COMPARISON]
    shown_verdicts = [v for v in order if v in (BETTER, SAME, WORSE) or v in present]
    level_text = fmt_number(100 * level, lang, 0)
    lines = [map_text("rule_interval" if rule == "interval" else "rule_difference", lang, level=level_text) + " "
             + _direction_text(kind, higher_is_better, lang)]
    if note:
        lines.append(note)
    notes = [w for line in lines for w in textwrap.wrap(line, 100)]
    if attribution:
        notes.append(map_text("attribution", lang))
    legend_rows = 1 if len(shown_verdicts) <= 3 else 2
    legend_h = 0.3 + 0.3 * legend_rows + 0.17 * len(notes) + 0.15
    figure = new_figure(height=0.45 + map_h + legend_h)
    grid = figure.add_gridspec(2, 1, height_ratios=[map_h, legend_h])
    ax = figure.add_subplot(grid[0])
    key = figure.add_subplot(grid[1])
    key.set_axis_off()

    unlabelled = _draw_areas(ax, rows, boundaries, context, (x0, y0, x1, y1), inches_per_unit, kind, lang,
                             highlight)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / xs if boundaries.lonlat else "equal")
    ax.set_axis_off()
    _inset(ax, rows, boundaries, context, unlabelled, (x0, y0, x1, y1), inches_per_unit, map_h, kind, lang, xs)

    def handle(v: str) -> Patch:
        return Patch(facecolor=VERDICT_COLOURS[v], edgecolor=BORDER, linewidth=0.7,
                     hatch=HATCH if v == HIDDEN else None, hatchcolor=GREY if v == HIDDEN else None,
                     label=map_text(v, lang, min_n=min_n))

    style = {"frameon": False, "fontsize": LABEL_FONT + 0.5, "handlelength": 2.2, "handleheight": 1.3,
             "columnspacing": 1.6, "borderaxespad": 0.0}
    main = key.legend(handles=[handle(v) for v in (BETTER, SAME, WORSE)], loc="upper center", ncol=3,
                      title=map_text("legend_title", lang, reference=reference_name), title_fontsize=LABEL_FONT + 1,
                      **style)
    others = [v for v in shown_verdicts if v not in (BETTER, SAME, WORSE)]
    if others:
        key.add_artist(main)
        key.legend(handles=[handle(v) for v in others], loc="upper center", ncol=len(others),
                   bbox_to_anchor=(0.5, 1.0 - 0.5 / legend_h), **style)
    key.text(0.0, 0.0, "\n".join(notes), transform=key.transAxes, ha="left", va="bottom", fontsize=LABEL_FONT,
             color="#333333", gid="map-notes", linespacing=1.3)
    figure.suptitle("\n".join(textwrap.wrap(title, 62)), x=0.01, ha="left", fontweight="bold")
    if source is not None:  # the report's figures: source line and stamp in the band under the figure
        figure_footer(figure, source, tr("synthetic_stamp", lang) if synthetic else None)
    elif synthetic:
        stamp_synthetic(figure, tr("synthetic_stamp", lang))
    return figure


def _draw_areas(ax: Any, rows: pd.DataFrame, boundaries: Boundaries, context: Boundaries | None,
                box: tuple[float, float, float, float], inches_per_unit: tuple[float, float], kind: str, lang: str,
                highlight: str | None, prefix: str = "") -> list[str]:
    """Fill, outline and label the areas (and the pale context) on `ax`; return the codes left without a label."""
    codes = rows["code"].astype(str).tolist()
    if context is not None:
        around = near(context.without(codes), box, margin=0.0)
        if around.shapes:
            ax.add_collection(PatchCollection([PathPatch(p) for p in around.shapes.values()], facecolor=CONTEXT_FILL,
                                              edgecolor=LIGHT_GREY, linewidth=0.5, zorder=1))
    for row in rows.itertuples(index=False):
        code = str(row.code)
        hidden = row.verdict == HIDDEN
        ax.add_patch(PathPatch(boundaries.shapes[code], facecolor=VERDICT_COLOURS[row.verdict], edgecolor="none",
                               linewidth=0, hatch=HATCH if hidden else None, hatchcolor=GREY if hidden else None,
                               zorder=2, gid=f"{prefix}area-{code}"))
    ax.add_collection(_lines([boundaries.outline(c) for c in codes], BORDER, 0.7, zorder=3))
    if highlight is not None and highlight in codes:
        ax.add_collection(_lines([boundaries.outline(highlight)], "black", 2.2, zorder=4, gid=f"{prefix}highlight"))
    placer = _LabelPlacer(box, inches_per_unit)
    ranked = sorted(rows.itertuples(index=False), key=lambda r: (str(r.code) != highlight,
                                                                 -_area_size(boundaries.shapes[str(r.code)])))
    unlabelled = []
    for row in ranked:
        code = str(row.code)
        hidden = row.verdict == HIDDEN
        value = map_text("hidden_label", lang) if hidden else fmt_value(row.estimate, kind, lang)
        path = boundaries.shapes[code]
        name = "\n".join(textwrap.wrap(str(row.label), LABEL_WRAP)) or str(row.label)
        placed = next(((point, text) for text in (f"{name}\n{value}", value) for point in _label_points(path)
                       if placer.try_place(path, point, text, force=code == highlight)), None)
        if placed is None:
            unlabelled.append(code)
            continue
        (x, y), text = placed
        ax.text(x, y, text, ha="center", va="center", fontsize=LABEL_FONT, zorder=5, gid=f"{prefix}label-{code}",
                fontweight="bold" if code == highlight else "normal", fontstyle="italic" if hidden else "normal",
                clip_on=True, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                    "alpha": 0.8})
    return unlabelled


def _label_points(path: MplPath, grid: int = 7) -> list[tuple[float, float]]:
    """Where a label may go: the centroid of the largest ring, then points of a grid over the area that lie
    inside it, nearest to the centroid first (when a neighbour's label already covers the centroid)."""
    first = _label_point(path)
    box = path.get_extents()
    xs = np.linspace(box.x0, box.x1, grid + 2)[1:-1]
    ys = np.linspace(box.y0, box.y1, grid + 2)[1:-1]
    points = np.array([(x, y) for x in xs for y in ys], dtype=float)
    inside = points[path.contains_points(points)]
    order = np.argsort(np.hypot(inside[:, 0] - first[0], inside[:, 1] - first[1]))
    return [first] + [(float(x), float(y)) for x, y in inside[order]]


def _inset(ax: Any, rows: pd.DataFrame, boundaries: Boundaries, context: Boundaries | None, unlabelled: list[str],
           box: tuple[float, float, float, float], inches_per_unit: tuple[float, float], map_h: float, kind: str,
           lang: str, xs: float) -> None:
    """A magnified inset of a cluster of areas too small to label (a town's postal areas), in the corner of the
    map that covers the fewest of its own areas, with the zoomed box marked on the map."""
    if len(unlabelled) < 3:
        return
    # the densest cluster: the unlabelled areas within 0.3 inch (on the page) of the one with most such neighbours
    points = np.array([_label_point(boundaries.shapes[c]) for c in unlabelled], dtype=float)
    page = (points - np.array(box[:2])) * np.array(inches_per_unit)
    distance = np.hypot(page[:, None, 0] - page[None, :, 0], page[:, None, 1] - page[None, :, 1])
    close = distance <= 0.3
    centre = int(close.sum(axis=1).argmax())
    cluster = [c for c, near_centre in zip(unlabelled, close[centre], strict=True) if near_centre]
    if len(cluster) < 3:
        return
    x0, y0, x1, y1 = _extent([boundaries.shapes[c] for c in cluster])
    pad = 0.08 * max(x1 - x0, (y1 - y0) / xs)
    x0, y0, x1, y1 = x0 - pad, y0 - pad * xs, x1 + pad, y1 + pad * xs
    width_in, height_in = (x1 - x0) * inches_per_unit[0], (y1 - y0) * inches_per_unit[1]
    if width_in > 0.35 * MAP_WIDTH_IN or height_in > 0.35 * map_h:
        return
    zoom = min(0.45 * MAP_WIDTH_IN / width_in, 0.45 * map_h / height_in)
    if zoom < 2:
        return
    fw, fh = width_in * zoom / MAP_WIDTH_IN, height_in * zoom / map_h
    vertices = np.vstack([np.asarray(boundaries.shapes[c].vertices) for c in rows["code"].astype(str)])
    bx0, by0, bx1, by1 = box

    def covered(fx: float, fy: float) -> int:
        lx, ly = bx0 + fx * (bx1 - bx0), by0 + fy * (by1 - by0)
        hx, hy = lx + fw * (bx1 - bx0), ly + fh * (by1 - by0)
        inside = (vertices[:, 0] >= lx) & (vertices[:, 0] <= hx) & (vertices[:, 1] >= ly) & (vertices[:, 1] <= hy)
        return int(inside.sum())

    corners = [(1 - fw, 1 - fh), (0.0, 1 - fh), (1 - fw, 0.0), (0.0, 0.0)]
    fx, fy = min(corners, key=lambda c: covered(*c))
    inset = ax.inset_axes((fx, fy, fw, fh))
    # labels of the map that the inset covers (their anchor within about half a label of it) are dropped
    lx, ly = bx0 + fx * (bx1 - bx0), by0 + fy * (by1 - by0)
    hx, hy = lx + fw * (bx1 - bx0), ly + fh * (by1 - by0)
    mx, my = 0.4 / inches_per_unit[0], 0.15 / inches_per_unit[1]
    for text in list(ax.texts):
        x, y = text.get_position()
        if lx - mx <= x <= hx + mx and ly - my <= y <= hy + my:
            text.remove()
    near_rows = rows[[bool(boundaries.shapes[str(c)].get_extents().overlaps(
        mpl.transforms.Bbox.from_extents(x0, y0, x1, y1))) for c in rows["code"]]]
    _draw_areas(inset, near_rows, boundaries, context, (x0, y0, x1, y1),
                (inches_per_unit[0] * zoom, inches_per_unit[1] * zoom), kind, lang, None, prefix="inset-")
    inset.set_xlim(x0, x1)
    inset.set_ylim(y0, y1)
    inset.set_aspect(1 / xs if boundaries.lonlat else "equal")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor("white")
    inset.set_gid("inset")
    for spine in inset.spines.values():
        spine.set_edgecolor("black")
        spine.set_linewidth(1.0)
    ax.add_patch(mpl.patches.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linewidth=1.0,
                                       zorder=6, gid="inset-frame"))


def _lines(paths: list[MplPath], colour: str, width: float, zorder: int, gid: str | None = None) -> LineCollection:
    """Outlines as lines (a dissolved group's outline is a set of segments, not a closed ring)."""
    segments = []
    for path in paths:
        for vertices, code in path.iter_segments(simplify=False, curves=False):
            if code == MplPath.MOVETO:
                segments.append([vertices[-2:]])
            elif code == MplPath.LINETO and segments:
                segments[-1].append(vertices[-2:])
            elif code == MplPath.CLOSEPOLY and segments:
                segments[-1].append(segments[-1][0])
    lines = LineCollection([np.asarray(s, dtype=float) for s in segments if len(s) > 1], colors=colour,
                           linewidths=width, zorder=zorder, capstyle="round", joinstyle="round")
    if gid:
        lines.set_gid(gid)
    return lines


# --- what the report calls ----------------------------------------------------------------------------------
def reference_label(data: ReportData, reference: str) -> str:
    """The comparison area's name: the region's, or the whole country's."""
    if reference == "country":
        names = list(data.labels.get("country", {}).values())
        return names[0] if names else map_text("country", data.lang)
    return data.region_name()


def _title(content: IndicatorContent, lang: str) -> str:
    from ath_analysis.report.figures import figure_title

    return figure_title(content, lang)


def municipality_map(content: IndicatorContent, boundaries: Boundaries, data: ReportData,
                     differences: pd.DataFrame | None = None, highlight: str | None = None,
                     reference: str = REGION_DOMAIN, context: Boundaries | None = None) -> Figure | None:
    """The region's municipalities coloured by their published verdict against the region (or the whole
    country), latest wave. Without a differences table the area's CI against the reference estimate decides.

    boundaries: municipal boundaries (e.g. the register's boundaries/municipalities_YYYY.geojson); municipalities
    outside the report's rows are drawn pale around it (or those of `context`).
    """
    indicator = content.indicator
    rows = content.map_rows
    if rows.empty:
        rows = data._rows(indicator, ["municipality"], [content.latest_wave]).copy()
        rows["label"] = [data.label("municipality", v) for v in rows["domain_value"]]
    if rows.empty:
        return None
    rule = "difference"
    if differences is not None:
        verdicts = difference_verdicts(differences, indicator.id, content.latest_wave, "municipality",
                                       indicator.higher_is_better, reference, standardized=_standardized(rows))
    else:
        rule = "interval"
        ref_row = content.region
        value = float(ref_row["estimate"]) if ref_row is not None else float("nan")
        verdicts = pd.Series({str(r["domain_value"]): _interval_word(verdict(r, value, indicator.higher_is_better))
                              for _, r in rows.iterrows()}, dtype="string")
    areas = map_areas(rows, verdicts)
    return verdict_map(areas, boundaries.select(areas["code"]), kind=content.kind, lang=data.lang,
                       title=_title(content, data.lang), reference_name=reference_label(data, reference),
                       higher_is_better=indicator.higher_is_better, min_n=data.settings.min_n,
                       level=data.settings.level, rule=rule, synthetic=data.synthetic, source=_source_line(data),
                       highlight=highlight,
                       context=boundaries if context is None else context)


def _standardized(rows: pd.DataFrame) -> bool:
    """Whether the drawn estimate rows are age-standardized (their verdicts must be too)."""
    return bool(rows["standardized"].astype(bool).any()) if "standardized" in rows else False


def _interval_word(word: str) -> str:
    """content.verdict's words ('better', 'worse', 'none', '' = hidden) as map verdicts."""
    return {"better": BETTER, "worse": WORSE, "none": SAME}.get(word, HIDDEN)


def choropleth_map(content: IndicatorContent, boundaries: Boundaries, data: ReportData,
                   highlight: str | None = None, differences: pd.DataFrame | None = None) -> Figure | None:
    """The municipality choropleth (kept for the report builder): see `municipality_map`."""
    return municipality_map(content, boundaries, data, differences=differences, highlight=highlight)


def subarea_map(content: IndicatorContent, postal: Boundaries, subarea_table: pd.DataFrame, data: ReportData,
                differences: pd.DataFrame | None = None, domain: str = "subarea_group",
                reference: str = REGION_DOMAIN, spec: Any = None) -> Figure | None:
    """A municipality's sub-areas (the estimate table's `domain`, e.g. Mikkeli's village groups) on the postal
    code areas dissolved by the sub-area table, coloured by their published verdict against the region (or
    the whole country); the other postal areas around them pale.

    postal: postal-area boundaries (map_shapes.postal_boundaries); subarea_table: postal_code and the column
    named like the domain's (subarea_group or subarea), as in config/areas/mikkeli_subareas.csv.
    """
    indicator = content.indicator
    column = data.settings.columns_of(domain)[0] if domain in data.settings.domains else domain
    if column not in subarea_table:
        raise ConfigError(f"sub-area table: no column {column!r} for the map of {domain}")
    rows = data._rows(indicator, [domain], [content.latest_wave]).copy()
    if rows.empty:
        return None
    rows["label"] = [data.label(domain, v, spec) for v in rows["domain_value"]]
    groups = postal_groups(subarea_table, column)
    shapes = dissolve(postal, groups)
    if differences is not None:
        verdicts = difference_verdicts(differences, indicator.id, content.latest_wave, domain,
                                       indicator.higher_is_better, reference, standardized=_standardized(rows))
        rule = "difference"
    else:
        value = float(content.region["estimate"])
        verdicts = pd.Series({str(r["domain_value"]): _interval_word(verdict(r, value, indicator.higher_is_better))
                              for _, r in rows.iterrows()}, dtype="string")
        rule = "interval"
    areas = map_areas(rows, verdicts)
    # a sub-area of the table without a published row (nobody answered there) is hidden, not left out
    absent = [g for g in shapes.shapes if g not in set(areas["code"])]
    if absent:
        areas = pd.concat([areas, pd.DataFrame({"code": absent, "label": [data.label(domain, g, spec) for g in absent],
                                                "estimate": np.nan, "verdict": HIDDEN})], ignore_index=True)
    return verdict_map(areas, shapes, kind=content.kind, lang=data.lang, title=_title(content, data.lang),
                       reference_name=reference_label(data, reference), higher_is_better=indicator.higher_is_better,
                       min_n=data.settings.min_n, level=data.settings.level, rule=rule, synthetic=data.synthetic,
                       source=_source_line(data), context=postal.without(groups))


def small_area_map(content: IndicatorContent, postal: Boundaries, subarea_table: pd.DataFrame,
                   small_areas: pd.DataFrame, data: ReportData, reference_value: float, reference_name: str,
                   area_set: str = "subarea") -> Figure | None:
    """Villages and districts (the small-area table's `area_set`, postal areas dissolved by the sub-area table)
    with the values the report shows (direct where reliable, else the Fay–Herriot model's), coloured by their
    own CI against `reference_value` (e.g. the municipality's or region's estimate of the same wave)."""
    indicator = content.indicator
    table = small_areas[(small_areas["indicator"] == indicator.id) & (small_areas["wave"] == content.latest_wave)
                        & (small_areas["area_set"] == area_set)]
    if table.empty or area_set not in subarea_table:
        return None
    groups = postal_groups(subarea_table, area_set)
    shapes = dissolve(postal, groups)
    estimate = pd.to_numeric(table["shown_estimate"], errors="coerce").astype(float)
    verdicts = interval_verdicts(estimate, table["shown_ci_low"], table["shown_ci_high"], reference_value,
                                 indicator.higher_is_better)
    label_column = "area_label" if "area_label" in table else "area"
    areas = pd.DataFrame({"code": table["area"].astype(str).to_numpy(),
                          "label": table[label_column].astype(str).to_numpy(),
                          "estimate": estimate.to_numpy(), "verdict": verdicts.to_numpy()})
    return verdict_map(areas, shapes, kind=content.kind, lang=data.lang, title=_title(content, data.lang),
                       reference_name=reference_name, higher_is_better=indicator.higher_is_better,
                       min_n=data.settings.min_n, level=data.settings.level, rule="interval",
                       synthetic=data.synthetic, source=_source_line(data), context=postal.without(groups),
                       note=map_text("small_area_note", data.lang))


def postal_groups(subarea_table: pd.DataFrame, column: str) -> Mapping[str, str]:
    """postal_code → the sub-area table's `column` (subarea or subarea_group)."""
    return dict(zip(subarea_table["postal_code"].astype(str).str.zfill(5), subarea_table[column].astype(str),
                    strict=True))


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


# --- one call for the report builder --------------------------------------------------------------------------
@dataclass(frozen=True)
class MapInputs:
    """What an area's maps may draw on; each is optional (a map whose inputs are missing is not drawn).

    municipal, postal: boundaries (register_maps, municipal_boundaries); subareas: the sub-area table (postal_code,
    subarea, subarea_group: Places.subareas.table); differences, small_areas: the published tables
    (reports/tables/differences.parquet, small_areas.parquet); centres: municipality_centres.csv for the symbol
    map when there are no municipal boundaries; reference: the comparison of the verdicts (region or country).
    """

    municipal: Boundaries | None = None
    postal: Boundaries | None = None
    subareas: pd.DataFrame | None = None
    differences: pd.DataFrame | None = None
    small_areas: pd.DataFrame | None = None
    centres: pd.DataFrame | None = None
    reference: str = REGION_DOMAIN


SUBAREA_DOMAINS = ("subarea_group", "subarea")


def area_maps(content: IndicatorContent, spec: Any, data: ReportData, inputs: MapInputs) -> dict[str, Figure]:
    """The maps of one indicator in an area's report, by figure stem suffix:

    - "map": the municipalities (choropleth with municipal boundaries, else the symbol map) when `spec.map`;
    - "subarea_map": the sub-areas the report compares (`spec.compare` has subarea_group or subarea) on the
      postal-area boundaries, dissolved by the sub-area table;
    - "village_map": the small-area estimates of the villages and districts when `spec.small_areas`, coloured
      against the report area's own value.
    """
    out: dict[str, Figure | None] = {}
    highlight = spec.focus_value if spec.focus_domain == "municipality" else None
    if spec.map:
        if inputs.municipal is not None:
            out["map"] = municipality_map(content, inputs.municipal, data, inputs.differences, highlight,
                                          inputs.reference)
        elif inputs.centres is not None:
            out["map"] = symbol_map(content, inputs.centres, data, highlight)
    if inputs.postal is not None and inputs.subareas is not None:
        domain = next((d for d in SUBAREA_DOMAINS if d in spec.compare), None)
        if domain is not None:
            out["subarea_map"] = subarea_map(content, inputs.postal, inputs.subareas, data, inputs.differences,
                                             domain, inputs.reference, spec)
        if spec.small_areas and inputs.small_areas is not None and content.kind == "proportion":
            focus = content.focus
            value = float(focus["estimate"]) if not bool(focus.get("suppressed", False)) else float("nan")
            out["village_map"] = small_area_map(content, inputs.postal, inputs.subareas, inputs.small_areas, data,
                                                value, data.label(spec.focus_domain, spec.focus_value, spec))
    return {stem: figure for stem, figure in out.items() if figure is not None}


def load_map_inputs(*, register_dir: str | Path | None = None, boundaries_path: str | Path | None = None,
                    code_property: str | None = None, municipalities: Municipalities | None = None,
                    reference_date: str | None = None, subareas: pd.DataFrame | None = None,
                    differences: pd.DataFrame | None = None, small_areas: pd.DataFrame | None = None,
                    centres_path: str | Path | None = None, reference: str = REGION_DOMAIN) -> MapInputs:
    """MapInputs from the files a report rule declares: a user's municipal GeoJSON (`report.boundaries`) wins
    over the register's map; the postal areas come from the register; all maps are merged to the reference date
    when the municipality catalogue is given. differences, small_areas: the published tables as the report read
    them (`verdicts.read_differences`, `sae.read_small_areas`)."""
    municipal = postal = None
    if register_dir is not None:
        folder = Path(register_dir)
        folder = folder.parent if folder.name == "manifest.json" else folder
        municipal, postal = register_maps(folder, municipalities, str(reference_date or "9999-12-31"))
    if boundaries_path is not None:
        municipal = municipal_boundaries(boundaries_path, municipalities, reference_date, code_property)
    centres = pd.read_csv(centres_path, dtype={"code": str}) if centres_path is not None else None
    return MapInputs(municipal, postal, subareas, differences, small_areas, centres, reference)
