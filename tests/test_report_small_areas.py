"""The Mikkeli report's villages and districts: direct and Fay–Herriot model estimates side by side.

A small hand-made small-area table (daily_smoking, two waves, five sub-areas with every case: a reliable direct
estimate, an unreliable one, a suppressed one, one without respondents) is rendered into the Mikkeli and the
Etelä-Savo reports; the table's numbers are parsed back from the HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .configured import area_report
from .conftest import ROOT
from .test_report import _config, estimate_parts, hand_audits, hand_estimates, hand_models, number, parse


def _sa(area, n, direct, se, low, high, model, model_cv, mlow, mhigh, shown, wave="ts2022", year=2022):
    suppressed = n < 30
    estimate = direct if shown == "direct" else model
    return {"indicator": "daily_smoking", "wave": wave, "year": year, "area_set": "subarea", "area": area,
            "area_label": area, "n": n, "direct": direct, "direct_se": se, "direct_ci_low": low,
            "direct_ci_high": high, "direct_suppressed": suppressed, "model": model, "model_mse": np.nan,
            "model_rmse": model * model_cv, "model_cv": model_cv, "model_ci_low": mlow, "model_ci_high": mhigh,
            "shrinkage": 0.5, "estimate_type": "synthetic" if n < 30 else "eblup", "smoothed_variance": False,
            "shown": shown, "shown_estimate": estimate, "shown_ci_low": low if shown == "direct" else mlow,
            "shown_ci_high": high if shown == "direct" else mhigh, "sigma2_v": 0.004, "method": "AREML_YL",
            "synthetic": True}


def hand_small_areas() -> pd.DataFrame:
    """Rahula and Anttola show their direct estimates; Otava's is published but imprecise (CV 30 %), so the
    model's is shown; Harjumaa (n = 8, fitted as if it had none, as the real stage does) and Pitkäaho (no
    respondents) have only model (synthetic) estimates. Harjumaa's
    direct value is left in the table on purpose: the report must still never print it."""
    nan = np.nan
    rows = [
        _sa("Rahula", 120, 0.080, 0.012, 0.059, 0.107, 0.085, 0.10, 0.068, 0.104, "direct"),
        _sa("Anttola", 46, 0.120, 0.020, 0.085, 0.165, 0.130, 0.12, 0.101, 0.162, "direct"),
        _sa("Otava", 35, 0.300, 0.090, 0.151, 0.508, 0.210, 0.18, 0.148, 0.283, "model"),
        _sa("Harjumaa", 8, 0.777, 0.150, 0.456, 0.939, 0.200, 0.25, 0.109, 0.318, "model"),
        _sa("Pitkäaho", 0, nan, nan, nan, nan, 0.150, 0.41, 0.043, 0.311, "model"),
        _sa("Rahula", 110, 0.444, 0.012, 0.42, 0.47, 0.44, 0.10, 0.42, 0.47, "direct", "finsote2018", 2018),
    ]
    table = pd.DataFrame(rows)
    table["n"] = table["n"].astype("Int64")
    return table


def build(tmp_path: Path, area: str, lang: str = "fi") -> dict[str, Path]:
    config = _config()
    config["report"]["language"] = lang
    tables = tmp_path / "tables"
    tables.mkdir(parents=True)
    paths = {"estimates": tables / "estimates.parquet", "models": tables / "comparisons.parquet",
             "small_areas": tables / "small_areas.parquet", "html": tmp_path / f"{area}.html",
             "figures": tmp_path / "figures" / area}
    hand_estimates().to_parquet(paths["estimates"], index=False)
    hand_models().to_parquet(paths["models"], index=False)
    hand_small_areas().to_parquet(paths["small_areas"], index=False)
    audits = hand_audits(tmp_path / "audits")
    area_report(config, area, estimates=paths["estimates"], models=paths["models"], ingest_audits=audits,
                geography_audits=[p.with_name("audit_geography.json") for p in audits], html=paths["html"],
                xlsx=tmp_path / f"{area}.xlsx", csv=tables / f"{area}_report.csv", figures=paths["figures"],
                small_areas=paths["small_areas"])
    return paths


@pytest.fixture(scope="module")
def mikkeli(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return build(tmp_path_factory.mktemp("sae_mikkeli"), "mikkeli")


def sa_rows(page) -> list[dict]:
    tables = page.root.find_all("table", cls="small-areas", data_indicator="daily_smoking")
    assert len(tables) == 1
    rows = []
    for tr in tables[0].find_all("tr"):
        if "data-area" not in tr.attrs:
            continue
        cells = {c.attrs.get("class", "").split()[1] if c.tag == "td" else "label": c for c in tr.children}
        rows.append({"area": tr.attrs["data-area"], "shown": tr.attrs["data-shown"],
                     "hidden": tr.attrs["data-direct-suppressed"] == "true", "label": cells["label"].text(),
                     "n": cells["n"].text(), "direct": cells["direct"].text(), "direct_cv": cells["direct-cv"].text(),
                     "model": cells["model"].text(), "model_cv": cells["model-cv"].text(),
                     "value": cells["shown"].text()})
    return rows


def test_mikkeli_lists_measured_sub_areas_by_value_and_model_only_ones_apart(mikkeli):
    page = parse(mikkeli["html"])
    rows = sa_rows(page)
    # the measured areas by the shown value; the model-only ones after them in name order, never ranked
    assert [r["area"] for r in rows] == ["Otava", "Anttola", "Rahula", "Harjumaa", "Pitkäaho"]  # latest wave
    table = page.root.find_all("table", cls="small-areas", data_indicator="daily_smoking")[0]
    flags = [tr.attrs["data-model-only"] for tr in table.find_all("tr") if "data-area" in tr.attrs]
    assert flags == ["false", "false", "false", "true", "true"]
    sections = [tr.text() for tr in table.find_all("tr", cls="section")]
    assert len(sections) == 2 and "vain malliarvio" in sections[1] and "ei järjestetty" in sections[1]
    assert page.root.find_all("section", id="small-areas")  # the overview with the plain-language note
    html = mikkeli["html"].read_text(encoding="utf-8")
    assert "Kylät ja kaupunginosat (pienaluemalli)" in html and "lainaa tietoa samankaltaisilta alueilta" in html
    assert "Fay–Herriot-mallilla" in html and "65 vuotta täyttäneiden osuus" in html  # methods, from the config


def test_table_numbers_equal_the_small_area_table(mikkeli):
    rows = {r["area"]: r for r in sa_rows(parse(mikkeli["html"]))}
    assert estimate_parts(rows["Rahula"]["direct"]) == (8.0, 5.9, 10.7)
    assert estimate_parts(rows["Rahula"]["model"]) == (8.0, 7.0, 10.0)  # model values in whole per cents
    assert number(rows["Rahula"]["n"]) == 120 and number(rows["Rahula"]["direct_cv"]) == 15  # 0.012 / 0.080
    assert number(rows["Rahula"]["model_cv"]) == 10
    assert rows["Otava"]["value"] == "21\u00a0% malli" and estimate_parts(rows["Otava"]["direct"]) == (
        30.0, 15.1, 50.8)  # published direct, but imprecise: the model's value is shown
    assert rows["Anttola"]["value"] == "12,0\u00a0% suora"
    assert estimate_parts(rows["Pitkäaho"]["model"]) == (15.0, 4.0, 31.0) and rows["Pitkäaho"]["n"] == "0"
    assert rows["Pitkäaho"]["value"] == "15\u00a0% vain malli"


def test_suppressed_direct_values_are_a_dash_and_model_rows_are_marked(mikkeli):
    rows = {r["area"]: r for r in sa_rows(parse(mikkeli["html"]))}
    for area, reason in (("Harjumaa", "alle 30 vastaajaa"), ("Pitkäaho", "ei vastaajia")):
        row = rows[area]
        assert row["hidden"] and row["direct"] == f"– ({reason})" and row["direct_cv"] == "–"
        assert row["shown"] == "model" and row["value"].endswith("vain malli")
    assert {a for a, r in rows.items() if r["shown"] == "model"} == {"Otava", "Harjumaa", "Pitkäaho"}
    assert all(r["value"].endswith("suora") for r in rows.values() if r["shown"] == "direct")
    section = parse(mikkeli["html"]).root.find_all("section", cls="small-areas")[0].text()
    assert "77,7" not in section and "45,6" not in section  # Harjumaa's direct value never appears


def test_small_area_figures_are_stamped(mikkeli):
    for stem in ("daily_smoking_small_areas", "small_areas_cv"):
        assert 'id="synthetic-stamp"' in (mikkeli["figures"] / f"{stem}.svg").read_text(encoding="utf-8")
    assert not (mikkeli["figures"] / "mhi5_mean_small_areas.svg").exists()  # a mean: not modelled


def test_region_report_has_no_small_area_section(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    paths = build(tmp_path, "etela-savo")
    html = paths["html"].read_text(encoding="utf-8")
    assert "pienaluemalli" not in html and 'class="small-areas"' not in html and 'id="small-areas"' not in html
    assert not list(paths["figures"].glob("*small_areas*"))


def test_english_small_area_section(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    paths = build(tmp_path, "mikkeli", lang="en")
    html = paths["html"].read_text(encoding="utf-8")
    assert "Villages and districts (small-area model)" in html and "borrows strength from similar areas" in html
    rows = {r["area"]: r for r in sa_rows(parse(paths["html"]))}
    assert rows["Anttola"]["value"] == "12.0% direct" and rows["Otava"]["value"] == "21% model"
    assert rows["Harjumaa"]["direct"] == "– (fewer than 30 respondents)"
    assert not re.search(r"pienalue|suora arvio", html, re.IGNORECASE)


def test_models_that_could_not_be_estimated_are_listed_in_the_report():
    from types import SimpleNamespace

    from ath_analysis.report.build import model_warnings

    models = pd.DataFrame({
        "indicator": ["obesity", "obesity", "obesity"], "wave": ["ts2022", "pooled", "ts2022"],
        "comparison": ["urban_rural", "urban_rural", "municipality"], "adjustment": ["adjusted", "crude", "crude"],
        "status": ["not estimable", "ok", "failed"],
        "message": ["perfect prediction: no respondent in level M5 has the outcome", "", "did not converge"],
    })
    spec = SimpleNamespace(comparisons=["urban_rural", "urban_rural_group"])
    indicator = SimpleNamespace(id="obesity", label_fi="Lihavien osuus (%)", label_en="Obesity (%)")
    data = SimpleNamespace(lang="fi", indicators=[indicator], wave_names={"ts2022": "Terve Suomi 2022"})
    lines = model_warnings(models, spec, data)
    assert lines == ["Lihavien osuus (%) – Terve Suomi 2022, urban_rural (mallilla korjattu): perfect prediction: "
                     "no "
                     "respondent in level M5 has the outcome"]  # the municipality model is not this report's
    assert model_warnings(None, spec, data) == []
