"""Text measurements and glyph layouts shared by all the figures a process draws.

Matplotlib measures every string before it lays a figure out, and lays its glyphs out again when it writes
the string as paths; it caches measurements per renderer and layouts not at all, so each new figure (each a new
renderer) does the work again for its labels: village names, tick labels and the source line, hundreds of times
in a report. Both depend only on the string, the font, the resolution and the text settings, so one cache keyed
by these serves every figure of a process. Measuring and laying out were about a quarter of the time spent drawing
a report's figures; the figures are byte-identical either way (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
import matplotlib.text as mtext
from matplotlib.textpath import TextToPath

_RC_PREFIXES = ("font.", "text.", "mathtext.", "svg.fonttype", "pdf.fonttype", "ps.fonttype")
_MAX_ENTRIES = 200_000  # a cache is emptied when it reaches this many strings (a report has a few thousand)
Cache = dict[tuple[Any, ...], Any]
_CACHES: dict[tuple[tuple[str, str], ...], tuple[Cache, Cache]] = {}


def _text_settings() -> tuple[tuple[str, str], ...]:
    """The settings a measurement can depend on (fonts, hinting, math text, how fonts are embedded)."""
    return tuple((key, repr(value)) for key, value in sorted(matplotlib.rcParams.items())
                 if key.startswith(_RC_PREFIXES))


def _shared_metrics(cache: Cache) -> Callable[..., tuple[float, float, float]]:
    """matplotlib.text._get_text_metrics_with_cache, keyed by the renderer's kind rather than the renderer."""
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


def _shared_glyphs(cache: Cache, original: Callable[..., Any]) -> Callable[..., Any]:
    """TextToPath.get_glyphs_with_font with the string's glyph layout kept. Its callers take the font from
    TextToPath._get_font (one font object per font file, at one size), so the font object is the key; it is
    kept with the entry, so its id cannot be reused by another font while the entry lives."""
    def get_glyphs_with_font(self: TextToPath, font: Any, s: str, glyph_map: Any = None,
                             return_new_glyphs_only: bool = False, *, features: Any = None,
                             language: Any = None) -> Any:
        key = (id(font), s, repr(features), repr(language))
        found = cache.get(key)
        if found is None or found[0] is not font:
            if len(cache) >= _MAX_ENTRIES:
                cache.clear()
            info, paths, rects = original(self, font, s, None, False, features=features, language=language)
            found = cache[key] = (font, info, paths, rects)
        _, info, paths, rects = found
        if glyph_map is None:
            glyph_map = {}
        new = type(paths)((name, path) for name, path in paths.items() if name not in glyph_map)
        if not return_new_glyphs_only:
            glyph_map.update(new)
            new = glyph_map
        return list(info), new, list(rects)

    return get_glyphs_with_font


@contextmanager
def shared_text_layout() -> Iterator[None]:
    """Within the block, text measurements and glyph layouts are cached across figures for the current text
    settings (enter it inside the figure style, so that the settings are the figures'). Outside it matplotlib
    is as it was. Where this matplotlib has no such hooks, the block leaves them alone (figures are then drawn
    as before)."""
    metrics, glyphs = _CACHES.setdefault(_text_settings(), ({}, {}))
    hooks: list[tuple[Any, str, Any, Any]] = []  # (owner, name, matplotlib's function, the shared one)
    measure = vars(mtext).get("_get_text_metrics_with_cache")
    if measure is not None:
        hooks.append((mtext, "_get_text_metrics_with_cache", measure, _shared_metrics(metrics)))
    lay_out = vars(TextToPath).get("get_glyphs_with_font")
    if lay_out is not None:
        hooks.append((TextToPath, "get_glyphs_with_font", lay_out, _shared_glyphs(glyphs, lay_out)))
    for owner, name, _, shared in hooks:
        setattr(owner, name, shared)
    try:
        yield
    finally:
        for owner, name, original, _ in hooks:
            setattr(owner, name, original)
