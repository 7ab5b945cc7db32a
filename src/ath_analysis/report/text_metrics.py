"""Text measurements shared by all the figures a process draws.

Matplotlib measures every string before it lays a figure out and again when it writes it, and it caches
the measurements per renderer, so each new figure (each a new renderer) measures its labels again: village
names, tick labels and the source line, hundreds of times in a report. A measurement depends only on the
renderer's kind, the resolution, the string, the font and the text settings, so one cache keyed by these
serves every figure of a process. Measuring was a fifth of the time spent drawing a report's figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
import matplotlib.text as mtext

_RC_PREFIXES = ("font.", "text.", "mathtext.", "svg.fonttype", "pdf.fonttype", "ps.fonttype")
_CACHES: dict[tuple[tuple[str, str], ...], dict[tuple[Any, ...], tuple[float, float, float]]] = {}
_MAX_ENTRIES = 200_000  # a cache is dropped when it reaches this many strings (a report has a few thousand)


def _text_settings() -> tuple[tuple[str, str], ...]:
    """The settings a measurement can depend on (fonts, hinting, math text, how fonts are embedded)."""
    return tuple((key, repr(value)) for key, value in sorted(matplotlib.rcParams.items())
                 if key.startswith(_RC_PREFIXES))


def _shared(cache: dict[tuple[Any, ...], tuple[float, float, float]]) -> Callable[..., tuple[float, float, float]]:
    def measure(renderer: Any, text: str, fontprop: Any, ismath: Any, dpi: float) -> tuple[float, float, float]:
        key = (type(renderer), getattr(renderer, "dpi", None), dpi, text, fontprop, ismath)
        found = cache.get(key)
        if found is None:
            if len(cache) >= _MAX_ENTRIES:
                cache.clear()
            found = renderer.get_text_width_height_descent(text, fontprop, ismath)
            cache[(*key[:4], fontprop.copy(), ismath)] = found  # a copy: the caller may change its font later
        return found

    return measure


@contextmanager
def shared_text_metrics() -> Iterator[None]:
    """Within the block, text measurements are cached across figures for the current text settings (enter it
    inside the figure style, so that the settings are the figures'). Outside it matplotlib is as it was.
    When this matplotlib has no such hook, the block does nothing (figures are then drawn as before)."""
    original = getattr(mtext, "_get_text_metrics_with_cache", None)
    if original is None:
        yield
        return
    cache = _CACHES.setdefault(_text_settings(), {})
    mtext._get_text_metrics_with_cache = _shared(cache)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        mtext._get_text_metrics_with_cache = original  # type: ignore[attr-defined]

