"""Report maps on small hand-made GeoJSON: colours follow the published verdicts (better / no clear difference /
worse, with the indicator's direction), suppressed areas are hatched and labelled, the boundaries' attribution is
on every map in both languages, lon/lat and planar coordinates, postal areas dissolved into sub-areas, old
municipal maps merged to the reference date, and the register's boundary files found by kind and year."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from ath_analysis.errors import ConfigError
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.report import maps
from ath_analysis.report.content import AreaSpec, ReportData
from ath_analysis.report.map_shapes import (
    dissolve,
    outer_outline,
    postal_boundaries,
    read_boundaries,
    register_boundary_file,
)
from ath_analysis.report.map_verdicts import difference_verdicts, interval_verdicts, map_areas
from ath_analysis.report.settings import ReportSettings
from ath_analysis.results.estimates import ESTIMATE_COLUMNS

from .conftest import ROOT

ATTRIBUTION_FI = "Rajat: Tilastokeskus / Maanmittauslaitos, CC BY 4.0"
ATTRIBUTION_EN = "Boundaries: Statistics Finland / National Land Survey of Finland, CC BY 4.0"


# --------------------------------------------------------------------------------------------- fixtures
def square(x: float, y: float, w: float, h: float) -> list[list[list[float]]]:
    return [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]


def feature(properties: dict, rings: list, multi: bool = False) -> dict:
    geometry = {"type": "MultiPolygon", "coordinates": rings} if multi else {"type": "Polygon", "coordinates": rings}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


# four municipalities side by side (lon/lat around Mikkeli) and a neighbour outside the region
MUNICIPAL = [("046", 27.0, 61.5), ("491", 27.5, 61.5), ("623", 28.0, 61.5), ("768", 28.5, 61.5), ("297", 27.0, 62.0)]


@pytest.fixture
def lonlat_map(tmp_path: Path) -> Path:
    return write(tmp_path / "kunnat.geojson", [feature({"code": c, "name_fi": c}, square(x, y, 0.5, 0.5))
                                               for c, x, y in MUNICIPAL])


@pytest.fixture
def planar_map(tmp_path: Path) -> Path:
    """The same layout in ETRS-TM35FIN-like metres (EPSG:3067), 25 km squares."""
    return write(tmp_path / "kunnat_tm35.geojson", [
        feature({"kunta": c}, square(500000 + (x - 27.0) * 50000, 6800000 + (y - 61.5) * 50000, 25000, 25000))
        for c, x, y in MUNICIPAL])


@pytest.fixture
def postal_map(tmp_path: Path) -> Path:
    """Five postal areas: 50100 and 50130 share a border (one group), 52100 and 52110 another group, 99999 is
    a neighbour of another municipality."""
    return write(tmp_path / "postal.geojson", [
        feature({"code": "50100", "municipality_code": "491"}, square(27.0, 61.6, 0.1, 0.1)),
        feature({"code": "50130", "municipality_code": "491"}, square(27.1, 61.6, 0.1, 0.1)),
        feature({"code": "52100", "municipality_code": "491"}, square(27.0, 61.5, 0.2, 0.1)),
        # a vertex at (27.2, 61.6), where 52100's corner is: the two share that part of their border
        feature({"code": "52110", "municipality_code": "491"},
                [[[27.2, 61.5], [27.3, 61.5], [27.3, 61.7], [27.2, 61.7], [27.2, 61.6], [27.2, 61.5]]]),
        feature({"code": "99999", "municipality_code": "097"}, square(26.8, 61.5, 0.2, 0.2)),
    ])


SUBAREAS = pd.DataFrame({"postal_code": ["50100", "50130", "52100", "52110"],
                         "subarea": ["Mikkeli 50100", "Mikkeli 50130", "Anttola", "Majavesi"],
                         "subarea_group": ["Mikkelin kaupunkialue", "Mikkelin kaupunkialue", "Anttola", "Anttola"]})


def areas_frame(verdicts: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"code": list(verdicts), "label": [f"Kunta {c}" for c in verdicts],
                         "estimate": [np.nan if v == "hidden" else 0.2 for v in verdicts.values()],
                         "verdict": list(verdicts.values())})


def draw(areas: pd.DataFrame, boundaries, lang: str = "fi", **kw) -> Figure:
    options = {"kind": "proportion", "lang": lang, "title": "Päivittäin tupakoivat, 2022",
               "reference_name": "Etelä-Savo", "higher_is_better": False, "min_n": 30}
    figure = maps.verdict_map(areas, boundaries, **{**options, **kw})
    assert figure is not None
    return figure


def patches(figure: Figure) -> dict[str, mpl.patches.Patch]:
    return {p.get_gid()[5:]: p for ax in figure.axes for p in ax.patches if (p.get_gid() or "").startswith("area-")}


def texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text)]


def notes_of(figure: Figure) -> tuple[str, str]:
    """The map's notes as one line of words, and their last line (the attribution)."""
    notes = next(t.get_text() for t in figure.findobj(Text) if t.get_gid() == "map-notes")
    return " ".join(notes.split()), notes.splitlines()[-1]


def colour(name: str) -> tuple[float, ...]:
    return tuple(round(c, 4) for c in mpl.colors.to_rgba(name))


def rgba(patch) -> tuple[float, ...]:
    return tuple(round(c, 4) for c in patch.get_facecolor())


# --------------------------------------------------------------------------------------------- verdicts
def differences_frame(rows: list[tuple[str, object, float, bool]], domain: str = "municipality") -> pd.DataFrame:
    """(domain_value, differs, difference, suppressed) rows of one indicator and wave against the region."""
    return pd.DataFrame({
        "indicator": "daily_smoking", "wave": "ts2022", "domain": domain, "reference": "region",
        "domain_value": [r[0] for r in rows], "differs": pd.array([r[1] for r in rows], dtype="boolean"),
        "difference": [r[2] for r in rows], "suppressed": [r[3] for r in rows], "standardized": False,
    })


DIFFERENCES = differences_frame([("046", True, 0.05, False), ("491", True, -0.03, False), ("768", False, 0.01, False),
                                 ("623", None, np.nan, True)])


def test_verdicts_come_from_differs_and_the_sign_with_the_indicators_direction():
    lower_better = difference_verdicts(DIFFERENCES, "daily_smoking", "ts2022", "municipality", higher_is_better=False)
    assert lower_better.to_dict() == {"046": "worse", "491": "better", "768": "same", "623": "hidden"}
    higher_better = difference_verdicts(DIFFERENCES, "daily_smoking", "ts2022", "municipality", higher_is_better=True)
    assert higher_better.to_dict() == {"046": "better", "491": "worse", "768": "same", "623": "hidden"}
    against_country = difference_verdicts(DIFFERENCES, "daily_smoking", "ts2022", "municipality", False, "country")
    assert against_country.empty
    # the other wave, indicator or standardization has no rows
    assert difference_verdicts(DIFFERENCES, "daily_smoking", "ath2012", "municipality", False).empty
    assert difference_verdicts(DIFFERENCES, "daily_smoking", "ts2022", "municipality", False, standardized=True).empty


def test_a_suppressed_estimate_is_hidden_and_a_shown_one_without_a_difference_has_no_comparison():
    rows = pd.DataFrame({"domain_value": ["046", "491", "623", "999"], "estimate": [0.2, 0.1, np.nan, 0.3],
                         "suppressed": [False, False, True, False], "label": ["E", "M", "P", "X"]})
    verdicts = pd.Series({"046": "worse", "491": "hidden", "623": "better"}, dtype="string")
    frame = map_areas(rows, verdicts).set_index("code")
    assert frame["verdict"].to_dict() == {"046": "worse", "491": "no_comparison", "623": "hidden",
                                          "999": "no_comparison"}
    assert np.isnan(frame.loc["623", "estimate"]) and frame.loc["046", "label"] == "E"


def test_interval_verdicts_for_small_areas():
    estimate = pd.Series([0.30, 0.10, 0.21, np.nan])
    low, high = pd.Series([0.25, 0.05, 0.15, np.nan]), pd.Series([0.35, 0.15, 0.27, np.nan])
    assert interval_verdicts(estimate, low, high, 0.20, higher_is_better=False).tolist() == [
        "worse", "better", "same", "hidden"]
    assert interval_verdicts(estimate, low, high, 0.20, higher_is_better=True).tolist() == [
        "better", "worse", "same", "hidden"]


# --------------------------------------------------------------------------------------------- drawing
def test_colours_follow_verdicts_and_suppressed_areas_are_hatched_and_labelled(lonlat_map):
    boundaries = maps.load_boundaries(lonlat_map)
    verdicts = {"046": "worse", "491": "better", "768": "same", "623": "hidden"}
    figure = draw(areas_frame(verdicts), boundaries.select(verdicts), context=boundaries)
    drawn = patches(figure)
    assert set(drawn) == set(verdicts)
    for code, verdict in verdicts.items():
        assert rgba(drawn[code]) == colour(maps.VERDICT_COLOURS[verdict]), code
    assert colour(maps.VERDICT_COLOURS["better"]) != colour(maps.VERDICT_COLOURS["worse"])
    assert drawn["623"].get_hatch() == maps.HATCH
    assert all(drawn[c].get_hatch() is None for c in ("046", "491", "768"))
    labels = {t.get_gid(): t.get_text() for t in figure.findobj(Text) if (t.get_gid() or "").startswith("label-")}
    assert labels["label-623"] == "Kunta 623\npiilotettu"
    assert labels["label-491"] == "Kunta 491\n20,0\u00a0%"
    shown = texts(figure)
    for words in ("Selvästi parempi", "Ei selvää eroa", "Selvästi heikompi", "Piilotettu: alle 30 vastaajaa",
                  "Vertailualue: Etelä-Savo"):
        assert words in shown, words
    notes, last = notes_of(figure)
    assert "pienempi osuus on parempi" in notes and "ei sisällä nollaa" in notes
    assert last == ATTRIBUTION_FI
    # the neighbour outside the map's areas is drawn pale around it, not as an area of its own
    assert "297" not in drawn and any(len(c.get_paths()) == 1 for c in figure.axes[0].collections)


def test_english_map_and_attribution(lonlat_map):
    boundaries = maps.load_boundaries(lonlat_map)
    figure = draw(areas_frame({"046": "better", "491": "hidden"}), boundaries, lang="en", higher_is_better=True,
                  synthetic=True)
    shown = texts(figure)
    for words in ("Clearly better", "No clear difference", "Clearly worse", "Hidden: fewer than 30 respondents",
                  "Compared with Etelä-Savo", "SYNTHETIC DATA", "Kunta 491\nhidden"):
        assert words in shown, words
    notes, last = notes_of(figure)
    assert "a higher share is better" in notes and last == ATTRIBUTION_EN
    assert not any("piilotettu" in t for t in shown)


def test_lonlat_and_planar_coordinates(lonlat_map, planar_map):
    lonlat, planar = maps.load_boundaries(lonlat_map), maps.load_boundaries(planar_map)
    assert lonlat.lonlat and not planar.lonlat
    assert set(lonlat.shapes) == set(planar.shapes) == {c for c, _, _ in MUNICIPAL}
    verdicts = {"046": "worse", "491": "better", "623": "same"}
    degrees, metres = draw(areas_frame(verdicts), lonlat), draw(areas_frame(verdicts), planar)
    # a degree of longitude is shorter than a degree of latitude at 61.75° N; metres are metres
    assert degrees.axes[0].get_aspect() == pytest.approx(1 / math.cos(math.radians(61.75)), rel=0.01)
    assert metres.axes[0].get_aspect() == 1.0
    for figure in (degrees, metres):
        assert {c: rgba(p) for c, p in patches(figure).items()} == {
            c: colour(maps.VERDICT_COLOURS[v]) for c, v in verdicts.items()}
        assert any(ATTRIBUTION_FI in t for t in texts(figure))
        figure.savefig(Path(planar_map).with_suffix(".png"))  # draws without error at the report's size
        width, _ = figure.get_size_inches()
        assert width <= 7.5


def test_no_area_with_a_shape_gives_no_map_and_an_unknown_verdict_is_an_error(lonlat_map):
    boundaries = maps.load_boundaries(lonlat_map)
    assert maps.verdict_map(areas_frame({"111": "better"}), boundaries, kind="proportion", lang="fi", title="t",
                            reference_name="r", higher_is_better=False, min_n=30) is None
    with pytest.raises(ValueError, match="unknown verdict"):
        draw(areas_frame({"046": "high"}), boundaries)


# --------------------------------------------------------------------------------------------- shapes
def test_dissolve_drops_shared_borders_and_keeps_the_groups_outline(postal_map):
    postal = postal_boundaries(postal_map)
    assert not set(postal.shapes) ^ {"50100", "50130", "52100", "52110", "99999"} and postal.lonlat
    assert postal.properties["50100"]["municipality_code"] == "491"
    groups = dict(zip(SUBAREAS["postal_code"], SUBAREAS["subarea_group"], strict=True))
    grouped = dissolve(postal, groups)
    assert set(grouped.shapes) == {"Mikkelin kaupunkialue", "Anttola"}
    town = grouped.shapes["Mikkelin kaupunkialue"]
    assert town.contains_point((27.05, 61.65)) and town.contains_point((27.15, 61.65))
    assert not town.contains_point((27.05, 61.55))
    # two 0.1° squares side by side: 8 edges, the shared one drops out of the outline → 6 segments
    outline = grouped.outline("Mikkelin kaupunkialue")
    segments = outline.vertices.reshape(-1, 2, 2)
    assert len(segments) == 6
    assert not any(np.allclose(s[:, 0], 27.1) for s in segments)  # no segment along the shared border x = 27.1
    # Anttola's two areas share part of a border (x = 27.2 from 61.5 to 61.6): it is gone, the rest stays
    anttola = grouped.outline("Anttola").vertices.reshape(-1, 2, 2)
    assert not any(np.allclose(s[:, 0], 27.2) and np.allclose(sorted(s[:, 1]), [61.5, 61.6]) for s in anttola)
    assert len(outer_outline([postal.shapes["50100"]]).vertices) == 8  # a lone area: its own 4 edges


def test_group_map_colours_dissolved_groups_and_small_area_map(postal_map):
    postal = postal_boundaries(postal_map)
    data = report_data([
        est("region", "10", 0.10, 0.09, 0.11, 2000),
        est("municipality", "491", 0.08, 0.07, 0.09, 900),
        est("subarea_group", "Mikkelin kaupunkialue", 0.07, 0.056, 0.087, 600),
        est("subarea_group", "Anttola", np.nan, np.nan, np.nan, 10, suppressed=True),
    ])
    content = data.content(data.indicators[0], data.settings.area)
    differences = differences_frame([("Mikkelin kaupunkialue", True, -0.03, False), ("Anttola", None, np.nan, True)],
                                    domain="subarea_group")
    figure = maps.subarea_map(content, postal, SUBAREAS, data, differences)
    assert figure is not None
    drawn = patches(figure)
    assert set(drawn) == {"Mikkelin kaupunkialue", "Anttola"}
    assert rgba(drawn["Mikkelin kaupunkialue"]) == colour(maps.VERDICT_COLOURS["better"])
    assert drawn["Anttola"].get_hatch() == maps.HATCH
    from ath_analysis.report.style import add_footer

    add_footer(figure)  # as saving does: the report's source line and the stamp in the band under the map
    assert any(ATTRIBUTION_FI in t for t in texts(figure)) and "SYNTEETTINEN AINEISTO" in texts(figure)
    assert any(t.startswith("Lähde: THL") for t in texts(figure))
    # a sub-area of the table that nobody answered in has no row: it is hidden, not left blank
    table = pd.concat([SUBAREAS, pd.DataFrame({"postal_code": ["99999"], "subarea": ["Tyhjä"],
                                               "subarea_group": ["Tyhjä"]})], ignore_index=True)
    drawn = patches(maps.subarea_map(content, postal, table, data, differences))
    assert set(drawn) == {"Mikkelin kaupunkialue", "Anttola", "Tyhjä"} and drawn["Tyhjä"].get_hatch() == maps.HATCH

    small = pd.DataFrame({"indicator": "daily_smoking", "wave": "ts2022", "area_set": "subarea",
                          "area": ["Mikkeli 50100", "Mikkeli 50130", "Anttola", "Majavesi"],
                          "area_label": ["Mikkeli 50100", "Mikkeli 50130", "Anttola", "Majavesi"],
                          "shown_estimate": [0.12, 0.03, 0.08, 0.2], "shown_ci_low": [0.10, 0.01, 0.05, 0.05],
                          "shown_ci_high": [0.14, 0.06, 0.12, 0.3]})
    figure = maps.small_area_map(content, postal, SUBAREAS, small, data, reference_value=0.08,
                                 reference_name="Mikkeli")
    assert figure is not None
    assert {c: rgba(p) for c, p in patches(figure).items()} == {
        "Mikkeli 50100": colour(maps.VERDICT_COLOURS["worse"]), "Mikkeli 50130": colour(maps.VERDICT_COLOURS["better"]),
        "Anttola": colour(maps.VERDICT_COLOURS["same"]), "Majavesi": colour(maps.VERDICT_COLOURS["same"])}
    notes, last = notes_of(figure)
    assert "luottamusväli ei sisällä vertailualueen arvoa" in notes and last == ATTRIBUTION_FI


def test_municipality_map_from_report_rows_with_and_without_differences(lonlat_map):
    boundaries = maps.load_boundaries(lonlat_map)
    data = report_data([
        est("region", "10", 0.10, 0.09, 0.11, 2000),
        est("municipality", "046", 0.20, 0.15, 0.26, 120),
        est("municipality", "491", 0.08, 0.07, 0.095, 900),
        est("municipality", "623", np.nan, np.nan, np.nan, 20, suppressed=True),
        est("municipality", "768", 0.09, 0.02, 0.30, 60),
    ], focus=("region", "10"))
    content = data.content(data.indicators[0], data.settings.area)
    expected = {"046": "worse", "491": "better", "623": "hidden", "768": "same"}
    for differences in (DIFFERENCES, None):  # the published differences, else the CI against the region value
        figure = maps.municipality_map(content, boundaries, data, differences)
        assert figure is not None
        assert {c: rgba(p) for c, p in patches(figure).items()} == {
            c: colour(maps.VERDICT_COLOURS[v]) for c, v in expected.items()}
    # the builder's call keeps working and now draws verdicts
    figure = maps.choropleth_map(content, boundaries, data, "491")
    assert figure is not None and rgba(patches(figure)["046"]) == colour(maps.VERDICT_COLOURS["worse"])
    assert any(c.get_gid() == "highlight" for c in figure.axes[0].collections)


class MergedCatalogue:
    """A municipality catalogue in which 588 Pertunmaa joined 507 Mäntyharju."""

    def unknown(self, codes: pd.Series) -> list[str]:
        return sorted(set(codes) - {"046", "491", "623", "768", "507", "588"})

    def current(self, codes: pd.Series, survey_date: str, reference_date: str) -> pd.Series:
        return codes.replace({"588": "507"})


def test_an_old_municipal_map_is_merged_to_the_reference_date(tmp_path):
    path = write(tmp_path / "kunnat_2023.geojson", [
        feature({"code": "507"}, square(26.0, 61.0, 0.5, 0.5)), feature({"code": "588"}, square(26.5, 61.0, 0.5, 0.5)),
        feature({"code": "491"}, square(27.0, 61.0, 0.5, 0.5)), feature({"code": "999"}, square(28.0, 61.0, 0.5, 0.5)),
    ])
    merged = maps.municipal_boundaries(path, MergedCatalogue(), "2025-01-01")  # type: ignore[arg-type]
    assert set(merged.shapes) == {"507", "491", "999"}
    assert merged.shapes["507"].contains_point((26.7, 61.2)) and merged.shapes["507"].contains_point((26.2, 61.2))
    assert len(merged.outline("507").vertices.reshape(-1, 2, 2)) == 6
    assert set(maps.load_boundaries(path).shapes) == {"507", "588", "491", "999"}


def test_register_boundary_files_by_kind_and_year(tmp_path, lonlat_map, postal_map):
    register = tmp_path / "areas"
    (register / "boundaries").mkdir(parents=True)
    files = {}
    for name, source, kind, year in (("boundaries/municipalities_2013.geojson", lonlat_map, "municipalities", 2013),
                                     ("boundaries/municipalities_2023.geojson", lonlat_map, "municipalities", 2023),
                                     ("boundaries/postal_areas.geojson", postal_map, "postal_areas", None)):
        content = Path(source).read_bytes()
        (register / name).write_bytes(content)
        files[name] = {"sha256": hashlib.sha256(content).hexdigest(), "kind": kind, "year": year}
    files["municipalities.csv"] = {"sha256": "0" * 64, "kind": None, "year": None}
    (register / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    assert register_boundary_file(register, "municipalities", 2025).name == "municipalities_2023.geojson"
    assert register_boundary_file(register, "municipalities", 2015).name == "municipalities_2013.geojson"
    assert register_boundary_file(register, "municipalities", 2010).name == "municipalities_2013.geojson"
    assert register_boundary_file(register, "postal_areas").name == "postal_areas.geojson"
    assert register_boundary_file(register, "hyvinvointialueet") is None
    municipal, postal = maps.register_maps(register, None, "2025-01-01")
    assert municipal is not None and postal is not None and "50100" in postal.shapes
    inputs = maps.load_map_inputs(register_dir=register / "manifest.json", reference_date="2025-01-01",
                                  differences=DIFFERENCES, subareas=SUBAREAS)
    assert set(inputs.municipal.shapes) == set(municipal.shapes) and set(inputs.postal.shapes) == set(postal.shapes)
    assert len(inputs.differences) == len(DIFFERENCES) and inputs.centres is None
    own = write(tmp_path / "own.geojson", [feature({"kunta": "491"}, square(27.0, 61.5, 0.5, 0.5))])
    assert set(maps.load_map_inputs(register_dir=register, boundaries_path=own).municipal.shapes) == {"491"}
    (register / "boundaries/municipalities_2023.geojson").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match="municipalities_2023.geojson: changed since it was written"):
        register_boundary_file(register, "municipalities", 2025)
    with pytest.raises(ConfigError, match="manifest"):
        register_boundary_file(tmp_path / "nowhere", "municipalities")


def test_bad_boundary_files_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.geojson: cannot read municipal boundaries as GeoJSON"):
        maps.load_boundaries(bad)
    empty = write(tmp_path / "empty.geojson", [feature({"name": "x"}, square(27, 61, 1, 1))])
    with pytest.raises(ConfigError, match="empty.geojson: no polygons with a code property"):
        read_boundaries(empty)


# --------------------------------------------------------------------------------------------- report data
def est(domain: str, value: str, estimate: float, low: float, high: float, n: int, suppressed: bool = False) -> dict:
    row = {c: np.nan for c in ESTIMATE_COLUMNS}
    row.update({"indicator": "daily_smoking", "kind": "proportion", "wave": "ts2022", "year": 2022, "domain": domain,
                "domain_value": value, "domain_label": value, "n": np.nan if suppressed else n, "estimate": estimate,
                "se": (high - low) / 4, "ci_low": low, "ci_high": high, "ci_method": "logit", "df": 100.0,
                "standardized": False, "suppressed": suppressed, "flag": "small n" if suppressed else "",
                "synthetic": True})
    return row


def report_data(rows: list[dict], focus: tuple[str, str] = ("municipality", "491"), compare: tuple[str, ...] = (),
                small_areas: bool = False) -> ReportData:
    spec = AreaSpec(name="test", title={"fi": "Testi"}, focus_domain=focus[0], focus_value=focus[1],
                    compare=list(compare), comparisons=[], trend=[], map=True, small_areas=small_areas)
    settings = ReportSettings(
        area=spec, language="fi", model_wave="pooled", min_n=30, max_ci_width=0.2, max_cv=0.1, region_code="10",
        reference_date="2025-01-01", min_age=20, level=0.95, ci_method="logit", standardize_by="age_group",
        domains={"region": ("region",), "municipality": ("municipality",), "subarea_group": ("subarea_group",)},
        waves={"ts2022": {"survey": "Terve Suomi", "year": 2022, "fieldwork_date": "2022-10-01"}}, synthetic=True)
    indicators = [i for i in load_indicators(ROOT / "config" / "indicators.yaml",
                                             variables=canonical_variables(ROOT / "config" / "variables.yaml"))
                  if i.id == "daily_smoking"]
    labels = {"region": {"10": "Etelä-Savo"},
              "municipality": {"046": "Enonkoski", "491": "Mikkeli", "623": "Puumala", "768": "Sulkava"}}
    return ReportData(pd.DataFrame(rows), None, indicators, labels, settings)


def test_a_cluster_of_areas_too_small_to_label_gets_a_magnified_inset(tmp_path):
    """A town's small postal areas among big rural ones: the map adds an inset where they carry labels."""
    features = [feature({"code": f"{k:05d}"}, square(26.0 + 0.5 * (k % 3), 61.0 + 0.5 * (k // 3), 0.5, 0.5))
                for k in range(9) if k != 4]
    features += [feature({"code": f"5{k:04d}"}, square(26.5 + 0.05 * (k % 3), 61.5 + 0.05 * (k // 3), 0.05, 0.05))
                 for k in range(9)]
    features.append(feature({"code": "00004"}, [[[26.5, 61.5], [27.0, 61.5], [27.0, 62.0], [26.5, 62.0],
                                                  [26.5, 61.7], [26.7, 61.7], [26.7, 61.5], [26.5, 61.5]]]))
    boundaries = postal_boundaries(write(tmp_path / "town.geojson", features))
    town = [c for c in boundaries.shapes if c.startswith("5")]
    verdicts = {c: ("better" if c in town[:5] else "same") for c in boundaries.shapes}
    figure = draw(areas_frame(verdicts), boundaries)
    main = figure.axes[0]
    insets = [a for a in main.child_axes if a.get_gid() == "inset"]
    assert len(insets) == 1
    main_labels = {t.get_gid() for t in main.texts}
    inset_labels = {t.get_gid() for t in insets[0].texts}
    assert not any(f"label-{c}" in main_labels for c in town)  # too small on the map itself
    assert sum(f"inset-label-{c}" in inset_labels for c in town) >= 5  # most are labelled in the inset
    inset_patches = {p.get_gid(): p for p in insets[0].patches}
    assert rgba(inset_patches[f"inset-area-{town[0]}"]) == colour(maps.VERDICT_COLOURS["better"])
    assert any(p.get_gid() == "inset-frame" for p in main.patches)
    # a map whose areas all carry labels has none
    plain = draw(areas_frame({c: "same" for c in boundaries.shapes if not c.startswith("5")}), boundaries)
    assert not plain.axes[0].child_axes


def test_area_maps_draws_what_the_inputs_allow(lonlat_map, postal_map):
    data = report_data([
        est("region", "10", 0.10, 0.09, 0.11, 2000),
        est("municipality", "046", 0.20, 0.15, 0.26, 120),
        est("municipality", "491", 0.08, 0.07, 0.09, 900),
        est("subarea_group", "Mikkelin kaupunkialue", 0.07, 0.056, 0.087, 600),
        est("subarea_group", "Anttola", np.nan, np.nan, np.nan, 10, suppressed=True),
    ], compare=("subarea_group",), small_areas=True)
    content = data.content(data.indicators[0], data.settings.area)
    small = pd.DataFrame({"indicator": "daily_smoking", "wave": "ts2022", "area_set": "subarea",
                          "area": ["Mikkeli 50100", "Mikkeli 50130", "Anttola", "Majavesi"],
                          "shown_estimate": [0.12, 0.03, 0.08, 0.2], "shown_ci_low": [0.10, 0.01, 0.05, 0.05],
                          "shown_ci_high": [0.14, 0.06, 0.12, 0.3]})
    everything = maps.MapInputs(municipal=maps.load_boundaries(lonlat_map), postal=postal_boundaries(postal_map),
                                subareas=SUBAREAS, differences=DIFFERENCES, small_areas=small)
    drawn = maps.area_maps(content, data.settings.area, data, everything)
    assert set(drawn) == {"map", "subarea_map", "village_map"}
    assert set(patches(drawn["subarea_map"])) == {"Mikkelin kaupunkialue", "Anttola"}
    # the villages against the report area's own value (Mikkeli 8.0 %): 50100 12 % (10–14) is clearly worse
    assert rgba(patches(drawn["village_map"])["Mikkeli 50100"]) == colour(maps.VERDICT_COLOURS["worse"])
    assert any(c.get_gid() == "highlight" for c in drawn["map"].axes[0].collections)  # Mikkeli outlined
    # no boundaries: the symbol map at the municipal centres, and no sub-area maps
    centres = pd.DataFrame({"code": ["046", "491"], "lat": [62.08, 61.69], "lon": [28.93, 27.27]})
    drawn = maps.area_maps(content, data.settings.area, data, maps.MapInputs(centres=centres))
    assert set(drawn) == {"map"} and not patches(drawn["map"])
    assert maps.area_maps(content, data.settings.area, data, maps.MapInputs()) == {}
