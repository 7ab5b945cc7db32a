"""The text measurements and glyph layouts shared across figures: the same SVG as matplotlib's own work per
figure, fewer measurements and layouts, and matplotlib left as it was outside the figure style."""

from __future__ import annotations

import io

import matplotlib.text as mtext
import numpy as np
import pytest
from matplotlib import rc_context
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.textpath import TextToPath

from ath_analysis.report.style import RC, add_footer, figure_footer, figure_style, new_figure

LABELS = [f"Kylä {k} {'ä' * (k % 5)}" for k in range(30)]


def _svg(order: list[int], title: str = "Päivittäin tupakoivien osuus (%), 2022") -> bytes:
    figure = new_figure(height=8.0)
    ax = figure.add_subplot()
    y = np.arange(len(order), dtype=float)
    ax.errorbar(np.linspace(0.1, 0.4, len(order)), y, xerr=0.03, fmt="o")
    ax.set_yticks(y, [LABELS[k] for k in order])
    ax.set_xlabel("Osuus (%)")
    figure.suptitle(title, x=0.01, ha="left", fontweight="bold")
    figure_footer(figure, "Lähde: THL, Terve Suomi 2022; laskenta: ath-analysis", "SYNTEETTINEN AINEISTO")
    add_footer(figure)
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def _count_measurements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    for renderer in (RendererAgg, RendererSVG):
        measure = renderer.get_text_width_height_descent

        def counting(self, s, prop, ismath, _measure=measure):  # type: ignore[no-untyped-def]
            seen.append(s)
            return _measure(self, s, prop, ismath)

        monkeypatch.setattr(renderer, "get_text_width_height_descent", counting)
    return seen


def _count_layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import matplotlib._text_helpers as helpers

    seen: list[str] = []
    layout = helpers.layout

    def counting(string, font, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(string)
        return layout(string, font, **kwargs)

    monkeypatch.setattr(helpers, "layout", counting)
    return seen


def test_figures_are_byte_identical_to_matplotlibs_own_measuring() -> None:
    orders = [list(range(30)), list(range(30))[::-1], [k * 7 % 30 for k in range(30)]]
    with rc_context(RC):  # type: ignore[arg-type]
        plain = [_svg(order) for order in orders]
    with figure_style():
        shared = [_svg(order) for order in orders]
    assert shared == plain


def test_a_second_figure_measures_only_its_new_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    with figure_style():
        _svg(list(range(30)))  # fill the cache with this process's first figure (other tests may have, too)
        seen = _count_measurements(monkeypatch)
        laid_out = _count_layouts(monkeypatch)
        _svg(list(range(30))[::-1], title="Yksinäisyyttä kokevien osuus (%), 2022")
    assert "Yksinäisyyttä kokevien osuus (%), 2022" in seen
    assert "Yksinäisyyttä kokevien osuus (%), 2022" in laid_out
    assert not set(LABELS) & set(seen)  # the village names were measured once, for the first figure
    assert not set(LABELS) & set(laid_out)  # and their glyphs laid out once


def test_without_the_style_matplotlib_measures_every_figure_again(monkeypatch: pytest.MonkeyPatch) -> None:
    with rc_context(RC):  # type: ignore[arg-type]
        _svg(list(range(30)))
        seen = _count_measurements(monkeypatch)
        laid_out = _count_layouts(monkeypatch)
        _svg(list(range(30))[::-1])
    assert set(LABELS) <= set(seen)  # the control: the test above would fail without the shared caches
    assert set(LABELS) <= set(laid_out)


def test_matplotlib_is_restored_after_the_style_even_on_error() -> None:
    original = mtext._get_text_metrics_with_cache
    original_glyphs = TextToPath.get_glyphs_with_font
    with pytest.raises(RuntimeError), figure_style():
        assert mtext._get_text_metrics_with_cache is not original
        assert TextToPath.get_glyphs_with_font is not original_glyphs
        raise RuntimeError("drawing failed")
    assert mtext._get_text_metrics_with_cache is original
    assert TextToPath.get_glyphs_with_font is original_glyphs


def test_other_text_settings_do_not_reuse_the_measurements() -> None:
    with figure_style():
        sans = _svg(list(range(30)))
    with figure_style(), rc_context({"font.family": "DejaVu Serif"}):
        serif = _svg(list(range(30)))
    with rc_context({**RC, "font.family": "DejaVu Serif"}):  # type: ignore[arg-type]
        assert serif == _svg(list(range(30)))  # not the sans-serif measurements of the cache
    assert serif != sans


def test_a_string_with_repeated_glyphs_gives_each_new_glyph_once_per_figure() -> None:
    text2path = TextToPath()
    font = text2path._get_font(mtext.Text().get_fontproperties())
    plain = text2path.get_glyphs_with_font(font, "Kalkkinen ja Mäntyharju", glyph_map={}, return_new_glyphs_only=True)
    with figure_style():
        first = text2path.get_glyphs_with_font(font, "Kalkkinen ja Mäntyharju", glyph_map={},
                                               return_new_glyphs_only=True)
        known = dict.fromkeys(list(first[1])[:3])
        again = text2path.get_glyphs_with_font(font, "Kalkkinen ja Mäntyharju", glyph_map=known,
                                               return_new_glyphs_only=True)
        whole: dict = {}
        kept = text2path.get_glyphs_with_font(font, "Kalkkinen ja Mäntyharju", glyph_map=whole)
    assert first[0] == plain[0] and list(first[1]) == list(plain[1])
    assert list(again[1]) == list(first[1])[3:]  # only the glyphs this figure has not defined yet
    assert kept[1] is whole and list(whole) == list(plain[1])
