"""What the Keski-Suomi test configuration (.test/config_keski-suomi) needs beyond the default run: national
synthetic respondents with postal codes of their own municipality (Jyväskylä's postal areas are its sub-areas),
and a configuration that names no file outside its folder but the project's shared config files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ath_analysis.config import load_config
from ath_analysis.register import import_register
from ath_analysis.synth.country import draw_postal_codes

from .conftest import ROOT
from .register_support import shared_finland

KESKI_SUOMI = ROOT / ".test" / "config_keski-suomi"
JYVASKYLA, JAMSA = "179", "182"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    return import_register(shared_finland(), tmp_path_factory.mktemp("areas"),
                           dated_mergers=ROOT / "config" / "areas" / "municipal_mergers.csv")


def test_national_respondents_get_a_postal_area_of_their_municipality_by_population(register):
    people = pd.Series([JYVASKYLA] * 6000 + [JAMSA] * 500 + [pd.NA] * 10, dtype="string")
    drawn = draw_postal_codes(register, people, "2022-10-01", np.random.default_rng(1))
    postal = register.postal_areas.set_index("postal_code")
    assert drawn[people.isna()].isna().all() and drawn[people.notna()].notna().all()
    assert set(postal.loc[drawn[people == JYVASKYLA], "municipality_code"]) == {JYVASKYLA}
    assert set(postal.loc[drawn[people == JAMSA], "municipality_code"]) == {JAMSA}
    # proportional to the areas' populations: the biggest area's share is close to its population share
    areas = postal[postal["municipality_code"] == JYVASKYLA]
    population = pd.to_numeric(areas["population"]).astype(float) + 1
    expected = population / population.sum()
    observed = drawn[people == JYVASKYLA].value_counts(normalize=True).reindex(expected.index, fill_value=0)
    biggest = expected.idxmax()
    assert observed[biggest] == pytest.approx(expected[biggest], abs=4 * np.sqrt(expected[biggest] / 6000))
    assert len(areas) > 20 and observed.gt(0).sum() > 0.8 * len(areas)
    # the same seed, the same draw
    again = draw_postal_codes(register, people, "2022-10-01", np.random.default_rng(1))
    pd.testing.assert_series_equal(drawn, again)


def test_an_old_code_is_placed_in_its_successors_postal_areas(register):
    drawn = draw_postal_codes(register, pd.Series(["180"] * 50, dtype="string"), "2008-10-01",
                              np.random.default_rng(2))  # Jyväskylän mlk, joined Jyväskylä in 2009
    postal = register.postal_areas.set_index("postal_code")
    assert set(postal.loc[drawn, "municipality_code"]) == {JYVASKYLA}


def test_the_keski_suomi_configuration_is_jyvaskyla_and_its_postal_areas():
    config = load_config([KESKI_SUOMI / "config" / "config.yaml"])
    geography = config["geography"]
    assert geography["region_code"] == "13" and geography["register"] == "data/external/areas"
    assert geography["subareas"] == {"municipality": JYVASKYLA, "table": None}
    areas = config["report"]["areas"]
    assert areas["jyvaskyla"]["focus"] == {"domain": "municipality", "value": JYVASKYLA}
    assert areas["keski-suomi"]["focus"] == {"domain": "region", "value": "13"} and areas["keski-suomi"]["map"]
    assert "subarea" in config["estimate"]["domains"] and config["data"]["synthetic"] and config["data"]["national"]
    # nothing of Mikkeli's: no sub-area table, no Mikkeli comparison, no Mikkeli workbook
    text = (KESKI_SUOMI / "config" / "config.yaml").read_text(encoding="utf-8")
    assert "mikkeli_subareas" not in text and "Mikkelin kaupunkialue" not in text
    assert config["local_knowledge"] is None
    prepare = (KESKI_SUOMI / "prepare.sh").read_text(encoding="utf-8")
    assert "--out .test/config_keski-suomi/data/external/areas" in prepare and "../shared" in prepare


def test_the_registers_maps_as_the_municipalities_are_on_the_reference_date(register):
    from ath_analysis.municipalities import RegisterMunicipalities
    from ath_analysis.report.maps import register_maps

    municipal, postal = register_maps(register.directory, RegisterMunicipalities(register, {}), "2025-01-01")
    assert municipal is not None and postal is not None and municipal.lonlat and postal.lonlat
    # the 2023 map has Pertunmaa (588), which joined Mäntyharju (507) on 2025-01-01: one area now
    assert "588" not in municipal.shapes and {"507", "179", "491"} <= set(municipal.shapes)
    assert len(municipal.shapes) == len(register.municipality_list("2025-01-01"))
    assert municipal.shapes["507"].get_extents().width > 0.5
    jyvaskyla = [c for c, props in postal.properties.items() if props.get("municipality_code") == JYVASKYLA]
    assert len(jyvaskyla) > 20 and "40100" in jyvaskyla
    before, _ = register_maps(register.directory, RegisterMunicipalities(register, {}), "2024-01-01")
    assert before is not None and "588" in before.shapes
