"""compare_indicators (cell sums) against today's compare stage (respondent-level models): the same rows.

Both routes run on the same small hand-made waves, whose awkward cases are there on purpose: a level absent
from a wave, a perfectly predicted comparison level and reference level, a perfectly predicting adjuster, an
indicator nobody answered, a reference level without answers, a level whose only answers have weight 0, a
municipality missing from a wave, clusters with a lonely PSU, pooled waves with a wave term, and models that
do not converge. Texts and integers must be identical, statistics equal within 1e-8 relative.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from ath_analysis.analysis import wave_design
from ath_analysis.config import load_config
from ath_analysis.errors import DataError
from ath_analysis.models import glm
from ath_analysis.models.comparisons import ROW_COLUMNS, compare_indicators
from ath_analysis.results import comparisons as compare
from ath_analysis.results.comparisons import Comparison, comparison_levels, pooled_frame

from .configured import comparisons as build_models
from .conftest import ROOT
from .respondent_compare import compare_data

RTOL = 1e-8
ADJUSTERS = ["age_group", "sex", "education"]
MUNICIPALITIES = {"491": ["K1", "K2", "M5", "M7"], "740": ["K1", "M4", "M6"], "097": ["M6", "M7"],
                  "178": ["M4", "M7"], "768": ["M5"]}
COMPARISONS = [
    Comparison("urban_rural", "urban_rural", "K1"),
    Comparison("urban_rural_group", "urban_rural_group", "urban"),
    Comparison("municipality", "municipality", each_vs_rest=True),
    Comparison("subarea_group", "subarea_group", "town", within="subareas"),
]


@dataclass(frozen=True)
class Ind:
    id: str
    kind: str


INDICATORS = [Ind("obesity", "proportion"), Ind("smoking", "proportion"), Ind("unasked", "proportion"),
              Ind("no_k1", "proportion"), Ind("weightless", "proportion"), Ind("ref_none", "proportion"),
              Ind("bmi", "mean"), Ind("edu_sep", "proportion")]


def _wave(wave: str, seed: int, n: int = 1400, clustered: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    municipality = rng.choice(list(MUNICIPALITIES), n, p=[0.4, 0.28, 0.12, 0.12, 0.08])
    urban_rural = np.array([rng.choice(MUNICIPALITIES[m]) for m in municipality], dtype=object)
    rural = pd.Series(urban_rural).str.startswith("M").to_numpy()
    stratum = np.array([f"{m}-{k}" for m, k in zip(municipality, rng.integers(0, 2, n), strict=True)])
    age_group = rng.choice(["20–54", "55–74", "75+"], n, p=[0.45, 0.35, 0.2])
    education = rng.choice([1.0, 2.0, 3.0, np.nan], n, p=[0.3, 0.4, 0.27, 0.03])
    eta = -1.3 + 0.6 * rural + 0.3 * (age_group == "75+")
    obesity = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    obesity[rng.random(n) < 0.05] = np.nan
    weight = rng.uniform(5, 60, n)
    weight[rng.random(n) < 0.02] = 0.0
    frame = pd.DataFrame({
        "weight": weight, "stratum": pd.Series(stratum, dtype="string"), "in_region": rng.random(n) < 0.93,
        "municipality": municipality, "urban_rural": pd.Series(urban_rural, dtype="string"),
        "urban_rural_group": np.where(rural, "rural", "urban"),
        "subarea_group": pd.Series(np.where(municipality == "491", rng.choice(["town", "Ristiina", "Anttola"], n,
                                                                                p=[0.8, 0.15, 0.05]), None),
                                   dtype="str"),
        "sex": rng.integers(1, 3, n).astype(float), "age_group": pd.Series(age_group, dtype="string"),
        "education": education, "obesity": obesity, "smoking": (rng.random(n) < 0.15).astype(float),
        "unasked": np.nan, "bmi": 26 + 1.5 * rural + rng.normal(0, 4, n),
    })
    frame["fpc"] = frame.groupby("stratum")["weight"].transform("size") * 20.0
    if clustered:  # PSUs within strata; one stratum is a single PSU (lonely)
        frame["psu"] = rng.integers(0, 3, n)
        frame.loc[frame["stratum"] == "768-0", "psu"] = 0
        frame = frame.drop(columns="fpc")
    frame.loc[rng.random(n) < 0.04, "bmi"] = np.nan
    frame["no_k1"] = frame["obesity"].where(frame["urban_rural"] != "K1")  # the reference level has no answers
    # M7's only answers are from respondents with weight 0: the level's margin cannot be estimated
    m7 = (frame["urban_rural"] == "M7").to_numpy()
    frame["weightless"] = frame["obesity"].where(~m7 | (frame["weight"] == 0))
    frame.loc[m7 & (frame["weight"] == 0), "weightless"] = 1.0
    frame["ref_none"] = frame["smoking"].where(frame["urban_rural"] != "K1", 0.0)  # nobody in K1 smokes
    frame["edu_sep"] = frame["obesity"].where(frame["education"] != 3, 0.0)  # education 3: nobody obese
    frame.loc[frame["urban_rural"] == "M5", "smoking"] = 0.0  # M5: nobody smokes
    frame.loc[frame["urban_rural"] == "K2", "smoking"] = 1.0  # K2: everybody smokes
    frame["wave"] = wave
    return frame


def _waves(clustered: bool = False, absent_municipality: bool = True) -> dict[str, pd.DataFrame]:
    w1, w2 = _wave("w1", 1, clustered=clustered), _wave("w2", 2, clustered=clustered)
    w2 = w2[(w2["urban_rural"] != "M6") & ((w2["municipality"] != "768") | (not absent_municipality))]
    w2 = w2.reset_index(drop=True)
    anttola = np.flatnonzero((w1["subarea_group"] == "Anttola").to_numpy())
    w1.loc[anttola[10:], "subarea_group"] = "Ristiina"
    return {"w1": w1, "w2": w2}


def _domains(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    region = frame["in_region"].fillna(False).to_numpy(bool)
    return {"region": region, "subareas": region & frame["subarea_group"].notna().to_numpy()}


def _assert_same_rows(expected: pd.DataFrame, actual: pd.DataFrame) -> None:
    assert sorted(expected.columns) == sorted(actual.columns)
    assert list(actual.columns) == [c for c in ROW_COLUMNS if c in actual.columns]
    assert len(expected) == len(actual)
    for column in expected.columns:
        a, b = expected[column], actual[column]
        if pd.api.types.is_float_dtype(a):
            np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), rtol=RTOL, atol=0, err_msg=column)
        else:
            assert a.tolist() == b.tolist(), column


def _both(frame: pd.DataFrame, levels, lonely: str = "adjust", extra=()) -> tuple[pd.DataFrame, pd.DataFrame]:
    today = compare_data(frame, INDICATORS, COMPARISONS, levels, ADJUSTERS, lonely, 0.95, extra)
    cells = compare_indicators(frame, wave_design(frame, lonely), INDICATORS, COMPARISONS, levels, ADJUSTERS,
                               _domains(frame), level=0.95, extra=extra)
    return today, cells


# statsmodels cannot start a linear model whose data are a single covariate cell (its first scale estimate is
# 0/0), so today's route fails there; the model is estimable, and the cell route estimates it
STATSMODELS_START = "the model could not be fitted (The first guess on the deviance function returned a nan"


def _one_cell_linear_models(frame: pd.DataFrame, today: pd.DataFrame, cells: pd.DataFrame) -> np.ndarray:
    """The rows today's route fails on for the reason above, checked on the cell route; a mask of them."""
    quirk = today["message"].str.startswith(STATSMODELS_START).to_numpy()
    region = _domains(frame)["region"]
    for k in np.flatnonzero(quirk):
        row = cells.iloc[k]
        assert row["kind"] == "mean" and row["adjustment"] == "crude" and row["status"] == "ok"
        assert row["comparison"] == "municipality" and row["level"].startswith("not ")
        # the crude margin of "the rest" is its weighted mean (the level itself has no respondents)
        inside = region & frame[row["indicator"]].notna().to_numpy()
        w, y = frame["weight"].to_numpy()[inside], frame[row["indicator"]].to_numpy()[inside]
        np.testing.assert_allclose(row["estimate"], w @ y / w.sum(), rtol=1e-12)
    keys = ["indicator", "comparison", "adjustment", "reference_level"]
    failed = pd.MultiIndex.from_frame(today.loc[quirk, keys])
    model = pd.MultiIndex.from_frame(today[keys]).isin(failed)
    others = model & ~quirk  # the model's other levels: not estimable for their own reason on both routes
    assert (today.loc[others, "message"] == cells.loc[others, "message"]).all()
    assert (cells.loc[others, "status"] == "not estimable").all()
    return model


@pytest.mark.parametrize("clustered", [False, True])
def test_the_rows_are_compare_datas(clustered):
    waves = _waves(clustered)
    levels = comparison_levels(waves, COMPARISONS)
    seen = set()
    quirks = 0
    for frame, extra in [(waves["w1"], ()), (waves["w2"], ()), (pooled_frame(waves), ("wave",))]:
        today, cells = _both(frame, levels, extra=extra)
        quirk = _one_cell_linear_models(frame, today, cells)
        quirks += today.loc[quirk, "message"].str.startswith(STATSMODELS_START).sum()
        _assert_same_rows(today[~quirk], cells[~quirk])
        seen |= set(cells["message"])
        assert (cells["status"] == "ok").sum() > len(cells) / 2
    # the awkward cases happened
    for text in ("level M6 has no respondents", "no respondent in the domain has a value for unasked",
                 "the reference level K1 has no respondents", "perfect prediction: no respondent in level M5 has "
                 "the outcome", "perfect prediction: no respondent in the reference level K1 has the outcome",
                 "perfect prediction: no respondent with education = 3 has the outcome",
                 "the level's margin cannot be estimated from the model",
                 "perfect prediction: every respondent in level K2 has the outcome",
                 "level M5 (perfect prediction) is left out of the model"):
        assert any(text in m for m in seen), text
    assert quirks == 1  # w2 has no respondent of municipality 768: "not 768" is the only cell of its crude model


def test_failures_are_the_same_rows(monkeypatch):
    waves = _waves()
    levels = comparison_levels(waves, COMPARISONS)
    monkeypatch.setattr(glm, "MAX_ITERATIONS", 2)
    today, cells = _both(waves["w1"], levels)
    _assert_same_rows(today, cells)
    assert "the model did not converge in 2 iterations" in set(cells["message"])
    assert (cells["status"] == "ok").any()  # the linear models converge in two steps


@pytest.mark.parametrize("lonely", ["remove", "average", "certainty"])
def test_other_lonely_psu_policies(lonely):
    waves = _waves(clustered=True)
    levels = comparison_levels(waves, COMPARISONS)
    _assert_same_rows(*_both(waves["w1"], levels, lonely))


def test_a_drop_in_for_compare_data_in_build_models(monkeypatch, areas, variables):
    """The stage's whole table (labels, disclosure, order) is the same on the cell route as on the respondent one
    (every municipality in both waves: no one-cell linear model, which only the cell route can fit)."""
    waves = {w: f.drop(columns="wave") for w, f in _waves(absent_municipality=False).items()}
    config = copy.deepcopy(load_config(ROOT / "config" / "config.yaml"))
    config["waves"] = {"w1": {**config["waves"]["ath2012"]}, "w2": {**config["waves"]["ts2022"]}}
    config["compare"]["comparisons"] = {c.name: {"variable": c.variable, **({"reference": c.reference}
                                        if c.reference else {}), "within": c.within,
                                        "each_vs_rest": c.each_vs_rest} for c in COMPARISONS}
    years = {"w1": 2012, "w2": 2022}
    cells = build_models(waves, years, INDICATORS, config, areas, variables)  # the stage's own (cell) route
    monkeypatch.setattr(compare, "compare_data", compare_data)  # the respondent-level route of the oracle
    today = build_models(waves, years, INDICATORS, config, areas, variables)
    assert list(cells.columns) == list(today.columns)
    for column in today.columns:
        if pd.api.types.is_float_dtype(today[column]):
            np.testing.assert_allclose(cells[column].to_numpy(float), today[column].to_numpy(float), rtol=RTOL,
                                       err_msg=column)
        else:
            assert cells[column].astype(str).tolist() == today[column].astype(str).tolist(), column


def test_an_empty_domain_is_rows_not_an_error():
    """No respondent of Mikkeli in a wave: every model of the Mikkeli comparison is "no respondents in the
    domain" (compare_data stops with an IndexError there, building the adjusted model's levels)."""
    waves = _waves()
    levels = comparison_levels(waves, COMPARISONS)
    frame = waves["w1"].assign(municipality=lambda f: f["municipality"].replace({"491": "999"}), subarea_group=None)
    cells = compare_indicators(frame, wave_design(frame, "adjust"), INDICATORS, COMPARISONS, levels, ADJUSTERS,
                               _domains(frame))
    mikkeli = cells[cells["comparison"] == "subarea_group"]
    assert set(mikkeli["adjustment"]) == {"crude", "adjusted"} and len(mikkeli) == 2 * len(INDICATORS) * 3
    assert (mikkeli["status"] == "not estimable").all() and (mikkeli["n"] == 0).all()
    assert set(mikkeli["message"]) == {"no respondents in the domain"}
    assert (cells.loc[cells["comparison"] == "urban_rural", "status"] == "ok").any()


def test_bad_input():
    frame = _waves()["w1"]
    levels = comparison_levels({"w1": frame}, COMPARISONS)
    design = wave_design(frame, "adjust")
    with pytest.raises(DataError, match="indicator column 'obesty' not found in the data"):
        compare_indicators(frame, design, [Ind("obesty", "proportion")], COMPARISONS, levels, ADJUSTERS,
                           _domains(frame))
    with pytest.raises(DataError, match="comparison or adjuster column 'educaton' not found"):
        compare_indicators(frame, design, INDICATORS, COMPARISONS, levels, ["educaton"], _domains(frame))
    with pytest.raises(ValueError, match="no domain mask for within='subareas'"):
        compare_indicators(frame, design, INDICATORS, COMPARISONS, levels, ADJUSTERS, {"region": frame["in_region"]})
    narrow = {**levels, "urban_rural": ["K1", "K2"]}
    with pytest.raises(DataError, match="comparison urban_rural: urban_rural has values outside its levels"):
        compare_indicators(frame, design, INDICATORS, COMPARISONS, narrow, ADJUSTERS, _domains(frame))
    with pytest.raises(DataError, match="indicator 'municipality_name' is not numeric"):
        compare_indicators(frame.assign(municipality_name="x"), design, [Ind("municipality_name", "mean")],
                           COMPARISONS, levels, ADJUSTERS, _domains(frame))
    assert compare_indicators(frame, design, [], COMPARISONS, levels, ADJUSTERS, _domains(frame)).empty
