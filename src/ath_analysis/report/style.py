"""One look for every figure and one way to write every number.

Colours are the Okabe–Ito palette (readable with the common colour-vision deficiencies); differences are
also shown by marker shape, never by colour alone. Numbers in Finnish use a decimal comma and a no-break
space before the per cent sign ("24,3 %"); in English "24.3%". Shares have one decimal.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import Formatter, MaxNLocator
from pandas import NA

from ath_analysis.report.text_layout import shared_text_layout

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#777777"
LIGHT_GREY = "#BBBBBB"
SYNTHETIC_RED = "#B00020"

COLOURS = {
    "better": OKABE_ITO["bluish_green"],
    "worse": OKABE_ITO["vermillion"],
    "none": "#444444",
    "reference": OKABE_ITO["blue"],
    "crude": OKABE_ITO["blue"],
    "adjusted": OKABE_ITO["orange"],
    "region": OKABE_ITO["black"],
}
MARKERS = {"better": "D", "worse": "s", "none": "o", "crude": "o", "adjusted": "s"}
# trend lines: region first, then the other series
SERIES_COLOURS = [OKABE_ITO["black"], OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"],
                  OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"]]
SERIES_MARKERS = ["o", "s", "D", "^", "v", "P", "X"]

FIGURE_WIDTH = 7.5  # inches; the HTML shows figures at this size (96 CSS px per inch), so font sizes are real
PNG_DPI = 150
BASE_FONT = 10.0  # points; nothing in a figure is smaller than 9 pt

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": BASE_FONT,
    "axes.titlesize": BASE_FONT + 1,
    "axes.labelsize": BASE_FONT,
    "xtick.labelsize": BASE_FONT,
    "ytick.labelsize": BASE_FONT,
    "legend.fontsize": 9.5,
    "figure.titlesize": BASE_FONT + 1.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "axes.edgecolor": "#555555",
    "axes.axisbelow": True,
    "axes.unicode_minus": True,
    "legend.frameon": False,
    "savefig.dpi": PNG_DPI,
    "svg.hashsalt": "ath-analysis",  # stable element ids: identical SVG from identical inputs
    "svg.fonttype": "path",
    "figure.facecolor": "white",
}
MINUS = "\u2212"
NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: Finnish thousands separator


@contextmanager
def figure_style() -> Iterator[None]:
    """The report's matplotlib settings, for making and saving figures; text measured and laid out once a process."""
    with rc_context(RC), shared_text_layout():  # type: ignore[arg-type]
        yield


def new_figure(height: float, width: float = FIGURE_WIDTH) -> Figure:
    """A figure outside pyplot (no global state), laid out so that long labels are not cut."""
    return Figure(figsize=(width, height), layout=ConstrainedLayoutEngine(h_pad=0.06, w_pad=0.06))


def stamp_synthetic(figure: Figure, text: str) -> None:
    """The SYNTHETIC label in the figure's top right corner."""
    figure.text(0.993, 0.988, text, ha="right", va="top", fontsize=9, fontweight="bold", color="white",
                gid="synthetic-stamp",
                bbox={"boxstyle": "square,pad=0.25", "facecolor": SYNTHETIC_RED, "edgecolor": "none"})


FOOTER_INCHES = 0.3  # the band under a figure for its source line and the SYNTHETIC stamp


def figure_footer(figure: Figure, source: str, stamp: str | None) -> None:
    """Ask for the source line ("Lähde: THL, Terve Suomi 2022; laskenta: ath-analysis") at the bottom left and
    the SYNTHETIC stamp at the bottom right, in a band of their own under the laid-out figure (added by
    `add_footer` when the figure is saved): a figure copied into a document carries both, and the stamp never
    covers the title."""
    figure._ath_footer = (source, stamp)  # type: ignore[attr-defined]


def add_footer(figure: Figure) -> None:
    """Lay the figure out, then make it FOOTER_INCHES taller at the bottom and write the footer there; the layout
    is fixed afterwards (the figure is saved as is)."""
    footer = getattr(figure, "_ath_footer", None)
    if footer is None:
        return
    source, stamp = footer
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)  # the constrained layout, once (no full draw)
    figure.set_layout_engine("none")
    width, height = (float(v) for v in figure.get_size_inches())
    renderer = figure._get_renderer()  # type: ignore[attr-defined]
    legends = [(legend, legend.get_window_extent(renderer)) for legend in figure.legends]
    title = figure._suptitle  # type: ignore[attr-defined]
    new_height = height + FOOTER_INCHES

    def lift(y: float) -> float:  # a figure fraction of the old height → of the new one
        return (y * height + FOOTER_INCHES) / new_height

    for ax in figure.axes:
        box = ax.get_position()
        ax.set_position((box.x0, lift(box.y0), box.width, box.height * height / new_height))
    if title is not None:
        title.set_y(lift(title.get_position()[1]))
    dpi = figure.dpi
    figure.set_size_inches(width, new_height)
    for legend, extent in legends:
        legend.set_loc("lower left")
        legend.set_bbox_to_anchor((extent.x0 / dpi / width, lift(extent.y0 / dpi / height)),
                                  transform=figure.transFigure)
    middle = FOOTER_INCHES * 0.5 / new_height
    figure.text(0.008, middle, source, ha="left", va="center", fontsize=9, color="#444444", gid="source-line")
    if stamp:
        figure.text(0.993, middle, stamp, ha="right", va="center", fontsize=9, fontweight="bold",
                    color="white", gid="synthetic-stamp",
                    bbox={"boxstyle": "square,pad=0.25", "facecolor": SYNTHETIC_RED, "edgecolor": "none"})


def _is_missing(value: object) -> bool:
    if value is None or value is NA:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_number(value: float | None, lang: str, decimals: int = 1, sign: bool = False) -> str:
    """24.34 → '24,3' (fi) / '24.3' (en); a true minus sign; '+' with `sign`; missing → '–'."""
    if _is_missing(value):
        return "–"
    value = float(value)  # type: ignore[arg-type]
    text = f"{abs(value):,.{decimals}f}"
    is_zero = float(text.replace(",", "")) == 0
    if lang == "fi":
        text = text.replace(",", NNBSP).replace(".", ",")
    if value < 0 and not is_zero:
        return MINUS + text
    return ("+" + text) if sign and value > 0 and not is_zero else text


def fmt_count(value: float | int | None, lang: str) -> str:
    """5758 → '5 758' (fi, narrow no-break space) / '5,758' (en); missing → '–'."""
    return "–" if _is_missing(value) else fmt_number(float(value), lang, 0)  # type: ignore[arg-type]


def percent_sign(lang: str) -> str:
    return f"{NBSP}%" if lang == "fi" else "%"


def fmt_value(value: float | None, kind: str, lang: str, sign: bool = False) -> str:
    """An estimate for people: a proportion 0.2434 → '24,3 %' / '24.3%'; a mean 80.87 → '80,9'."""
    if value is None or _is_missing(value):
        return "–"
    if kind == "proportion":
        return fmt_number(100 * value, lang, 1, sign) + percent_sign(lang)
    return fmt_number(value, lang, 1, sign)


def fmt_interval(low: float | None, high: float | None, kind: str, lang: str, decimals: int = 1) -> str:
    """'20,1–28,9' (shares in %, no sign); a range with a negative end is written '−3,2 … 0,9', so that it
    cannot be read as a subtraction."""
    if low is None or high is None or _is_missing(low) or _is_missing(high):
        return "–"
    scale = 100 if kind == "proportion" else 1
    a, b = fmt_number(scale * low, lang, decimals), fmt_number(scale * high, lang, decimals)
    return f"{a}{NBSP}…{NBSP}{b}" if low < 0 else f"{a}–{b}"


def fmt_estimate(value: float | None, low: float | None, high: float | None, kind: str, lang: str) -> str:
    """'24,3 % (20,1–28,9)'; missing → '–'."""
    if _is_missing(value):
        return "–"
    return f"{fmt_value(value, kind, lang)} ({fmt_interval(low, high, kind, lang)})"


MAX_DECIMALS = 4


def difference_decimals(value: float | None, low: float | None, high: float | None, kind: str,
                        decimals: int = 1) -> int:
    """The fewest decimals (from `decimals`) at which no printed end of a difference's interval rounds to zero
    unless it is zero (the point is printed with the same decimals): then the printed interval lies on the same
    side of 0 as the true one, and "+0,2 (0,0–0,4) – a clear rise" cannot appear (the verdict says whether the
    interval excludes 0)."""
    scale = 100 if kind == "proportion" else 1
    values = [scale * float(v) for v in (low, high) if v is not None and not _is_missing(v)]
    d = decimals
    while d < MAX_DECIMALS and any(v != 0 and round(abs(v), d) == 0 for v in values):
        d += 1
    return d


def fmt_difference(value: float, low: float, high: float, kind: str, lang: str, unit: bool = True) -> str:
    """A difference: '+2,3 %-yks. (−0,1 … 4,7)' / '+2.3 pp (−0.1 … 4.7)'; means without a unit; as many
    decimals as needed for the printed interval to be on the same side of 0 as the true one."""
    scale = 100 if kind == "proportion" else 1
    text_unit = ""
    if kind == "proportion" and unit:
        text_unit = f"{NBSP}%-yks." if lang == "fi" else f"{NBSP}pp"
    d = difference_decimals(value, low, high, kind)
    return (f"{fmt_number(scale * value, lang, d, sign=True)}{text_unit} "
            f"({fmt_interval(low, high, kind, lang, d)})")


class ValueFormatter(Formatter):
    """Axis tick labels: shares in per cent from proportions, with the same number of decimals on every tick
    (as few as the ticks need) and the report's decimal mark."""

    def __init__(self, kind: str, lang: str) -> None:
        self.kind, self.lang = kind, lang
        self.decimals: int | None = None

    def _scaled(self, x: float) -> float:
        return 100 * x if self.kind == "proportion" else x

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        values = [self._scaled(v) for v in locs]
        self.decimals = next((d for d in range(4) if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in values)),
                             3)

    def __call__(self, x: float, pos: int | None = None) -> str:
        decimals = self.decimals if self.decimals is not None else 1
        text = fmt_number(self._scaled(x), self.lang, decimals)
        return text + percent_sign(self.lang) if self.kind == "proportion" else text


def value_formatter(kind: str, lang: str) -> ValueFormatter:
    return ValueFormatter(kind, lang)


def format_value_axis(axis, kind: str, lang: str) -> None:
    """Ticks and labels of the axis that carries estimates (x or y)."""
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(value_formatter(kind, lang))


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def fmt_date(text: str | None, lang: str) -> str:
    """'2026-12-01' → '1.12.2026' (fi) / '1 December 2026' (en); '2026-12-01 13:39 UTC' keeps its time
    ('1.12.2026 klo 13.39 UTC'); anything else is returned as it is."""
    import re

    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(.*))?$", str(text or "").strip())
    if not match:
        return str(text or "")
    year, month, day, hour, minute, rest = match.groups()
    if lang == "fi":
        date = f"{int(day)}.{int(month)}.{year}"
        return date if hour is None else f"{date} klo {hour}.{minute}{rest}"
    date = f"{int(day)} {MONTHS_EN[int(month) - 1]} {year}"
    return date if hour is None else f"{date} {hour}:{minute}{rest}"
