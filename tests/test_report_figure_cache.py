"""Figures drawn once per content: a rerun with the same inputs copies them (and gives the same report, byte for
byte); an edited label redraws that indicator's figures only; a damaged cache entry is drawn again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ath_analysis.report import figure_cache, figures

from .test_report import _config, hand_models, make_report

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_digest_sees_every_change_and_refuses_what_it_cannot_read():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    key = figure_cache.digest(frame, {"lang": "fi"}, [1, (2, "3")])
    assert key == figure_cache.digest(frame.copy(), {"lang": "fi"}, [1, (2, "3")])
    changed = frame.copy()
    changed.loc[1, "a"] = 2.0000000001
    assert figure_cache.digest(changed, {"lang": "fi"}, [1, (2, "3")]) != key
    assert figure_cache.digest(frame.rename(columns={"b": "c"}), {"lang": "fi"}, [1, (2, "3")]) != key
    assert figure_cache.digest(frame, {"lang": "en"}, [1, (2, "3")]) != key
    assert figure_cache.digest(frame, {"lang": "fi"}, [1, (2, 3)]) != key  # "3" is not 3
    assert figure_cache.digest(np.array([1, 2], np.int64)) != figure_cache.digest(np.array([1, 2], np.int32))
    with pytest.raises(figure_cache.Undigestible):
        figure_cache.digest(object())


@pytest.fixture
def counted(monkeypatch):
    """The stems of the figures drawn (saved) in this process."""
    drawn: list[str] = []
    save = figures.save_figure

    def counting(figure, directory, stem):
        drawn.append(stem)
        return save(figure, directory, stem)

    monkeypatch.setattr(figures, "save_figure", counting)
    return drawn


def _relabelled(config: dict, folder: Path, old: str, new: str) -> dict:
    text = Path(config["indicators"]).read_text(encoding="utf-8")
    assert old in text
    path = folder / "indicators.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return {**config, "indicators": str(path)}


def test_a_rerun_copies_the_figures_and_an_edited_label_redraws_only_its_own(tmp_path, monkeypatch, counted):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    config, cache = _config(), tmp_path / "cache"
    cold = make_report(tmp_path, config, "mikkeli", hand_models(), name="cold", now=NOW, figure_cache=cache)
    drawn_cold = list(counted)
    assert drawn_cold and not list(cold["figures"].glob(".draw-*"))
    counted.clear()
    warm = make_report(tmp_path, config, "mikkeli", hand_models(), name="warm", now=NOW, figure_cache=cache)
    assert counted == []  # nothing drawn
    html = [p["html"].read_text(encoding="utf-8").replace(str(p["html"].parent), "OUT") for p in (cold, warm)]
    assert html[0] == html[1]
    names = sorted(p.name for p in cold["figures"].iterdir())
    assert names == sorted(p.name for p in warm["figures"].iterdir())
    for name in names:
        assert (cold["figures"] / name).read_bytes() == (warm["figures"] / name).read_bytes(), name

    edited = _relabelled(config, tmp_path, "\n    label_fi: Päivittäin tupakoivien osuus (%)",
                         "\n    label_fi: Päivittäin tupakoivat (%)")
    relabelled = make_report(tmp_path, edited, "mikkeli", hand_models(), name="relabelled", now=NOW,
                             figure_cache=cache)
    assert counted and all(stem.startswith("daily_smoking_") for stem in counted)  # only its figures
    assert "Päivittäin tupakoivat" in relabelled["html"].read_text(encoding="utf-8")


def test_a_damaged_entry_is_drawn_again(tmp_path, monkeypatch, counted):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    config, cache = _config(), tmp_path / "cache"
    make_report(tmp_path, config, "mikkeli", hand_models(), name="first", now=NOW, figure_cache=cache)
    entries = sorted(p for p in cache.glob("*/*") if p.is_dir())
    assert entries
    svg = next(entries[0].glob("*.svg"))
    svg.unlink()  # an entry missing a file
    counted.clear()
    again = make_report(tmp_path, config, "mikkeli", hand_models(), name="again", now=NOW, figure_cache=cache)
    assert counted  # that indicator drawn again, not a page with a missing figure
    assert (again["figures"] / svg.name).is_file()
