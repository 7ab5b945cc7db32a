"""Rendering a report as one self-contained HTML file (Jinja2 template, inline CSS, figures as base64 SVG).

Nothing in the page refers to another file or to the network, so it can be e-mailed or archived as is.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

import jinja2

from ath_analysis.report.figures import SavedFigure

CSS_PX_PER_INCH = 96


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """One environment per process: each template is compiled once (a report renders one page per card)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ath_analysis.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def embed(figure: SavedFigure | None, alt: str, caption: str) -> dict[str, Any] | None:
    """A figure for the template: the SVG as a data URI at its real size (so font sizes are as designed); an
    image of its own, not inline SVG, so the figures' element ids cannot clash on the page."""
    if figure is None:
        return None
    data = base64.b64encode(Path(figure.svg).read_bytes()).decode("ascii")
    return {
        "src": f"data:image/svg+xml;base64,{data}",
        "alt": alt,
        "caption": caption,
        "width": round(figure.width_in * CSS_PX_PER_INCH),
        "height": round(figure.height_in * CSS_PX_PER_INCH),
        "file": figure.stem,
    }


def render(context: dict[str, Any]) -> str:
    return _environment().get_template("report.html.j2").render(**context)


def render_template(name: str, context: dict[str, Any]) -> str:
    """Any of the report's templates (e.g. the municipal cards)."""
    return _environment().get_template(name).render(**context)
