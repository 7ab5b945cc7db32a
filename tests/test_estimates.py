"""The estimate stage: schema, domains within the region, standardized rows, disclosure control, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ath_analysis.disclosure import apply_disclosure
from ath_analysis.geography import attach_geography
from ath_analysis.harmonization import load_wave_spec
from ath_analysis.indicators.definitions import canonical_variables, compute_indicators, load_indicators
from ath_analysis.ingest import ingest_wave
from ath_analysis.results.estimates import ESTIMATE_COLUMNS

from .configured import estimates as build_estimates
from .configured import geography_of, subareas_of
from .conftest import ROOT


@pytest.fixture(scope="module")
def indicators():
    return load_indicators(ROOT / "config" / "indicators.yaml",
                           variables=canonical_variables(ROOT / "config" / "variables.yaml"))


@pytest.fixture(scope="module")
def table(synthetic_dir, areas, variables, harmonization, indicators):
    from ath_analysis.config import load_config

    config = load_config(ROOT / "config" / "config.yaml")
    waves = {}
    for wave in ["finsote2018", "ts2022"]:
        specs = load_wave_spec(wave, harmonization, variables)
        result = ingest_wave(synthetic_dir / f"{wave}.sav", wave, config["waves"][wave], specs, variables)
        frame, _ = attach_geography(result.respondents, areas, geography_of(config), wave,
                                    config["waves"][wave]["fieldwork_date"], subareas=subareas_of(config))
        values = compute_indicators(frame, indicators)
        waves[wave] = pd.concat([frame.drop(columns=values.columns, errors="ignore"), values], axis=1)
    return build_estimates(waves, {"finsote2018": 2018, "ts2022": 2022}, indicators, config, areas, variables)


def test_schema_columns_and_one_row_per_cell(table):
    assert list(table.columns) == [*ESTIMATE_COLUMNS, "synthetic"]
    keys = ["indicator", "wave", "domain", "domain_value", "standardized"]
    assert not table.duplicated(keys).any()
    assert table["synthetic"].all()


def test_cells_are_within_the_region(table):
    municipalities = set(table.loc[table["domain"] == "municipality", "domain_value"])
    assert "090" not in municipalities and "171" not in municipalities  # Heinävesi, Joroinen
    assert len(municipalities) == 11  # the region on 2025-01-01: Pertunmaa is part of Mäntyharju
    assert "588" not in municipalities
    subareas = set(table.loc[table["domain"] == "subarea_group", "domain_value"])
    assert subareas == {"Mikkelin kaupunkialue", "Mikkelin lähialueet ja kylät", "Anttola", "Haukivuori",
                        "Ristiina", "Suomenniemi"}


def test_region_n_equals_sum_of_municipality_n(table):
    rows = table[(table["indicator"] == "obesity") & (table["wave"] == "ts2022") & ~table["standardized"]]
    region_n = rows.loc[rows["domain"] == "region", "n"].iloc[0]
    assert rows.loc[rows["domain"] == "municipality", "n"].sum() == region_n
    assert rows.loc[rows["domain"] == "sex", "n"].sum() == region_n


def test_labels_are_finnish(table):
    labels = dict(table.loc[table["domain"] == "urban_rural", ["domain_value", "domain_label"]].drop_duplicates()
                  .itertuples(index=False))
    assert labels["M7"] == "Harvaan asuttu maaseutu"
    crossed = table.loc[table["domain"] == "municipality_sex", "domain_label"]
    assert "Mikkeli × Nainen" in set(crossed)
    assert set(table.loc[table["domain"] == "region", "domain_label"]) == {"Etelä-Savo"}


def test_standardized_rows_only_where_asked_and_not_by_age(table, indicators):
    asked = {i.id for i in indicators if i.standardize}
    standardized = table[table["standardized"]]
    assert set(standardized["indicator"]) == asked
    assert "age_group" not in set(standardized["domain"])
    # the countryside is older: standardizing to ESP2013 lowers poor self-rated health in the region
    region = table[(table["indicator"] == "srh_average_or_worse") & (table["domain"] == "region")
                   & (table["wave"] == "ts2022")].set_index("standardized")["estimate"]
    assert region[True] < region[False]


def test_small_cells_are_suppressed_and_flagged(table):
    small = table[table["flag"] == "small n"]
    assert len(small) > 0
    assert small[["n", "estimate", "ci_low", "ci_high", "se"]].isna().all().all()
    assert small["suppressed"].all()
    published = table[~table["suppressed"]]
    assert (published["n"] >= 30).all()
    assert published[["estimate", "ci_low", "ci_high"]].notna().all().all()


def test_disclosure_rules_on_a_hand_made_table():
    table = pd.DataFrame({
        "kind": ["proportion"] * 4 + ["mean"],
        "n": [0, 12, 40, 500, 500], "n_positive": [0, 3, 10, 100, 0], "weight_sum": [0, 50.0, 90, 800, 800],
        "estimate": [np.nan, 0.25, 0.3, 0.2, 70.0], "se": [np.nan, 0.1, 0.09, 0.01, 9.0],
        "ci_low": [np.nan, 0.08, 0.15, 0.18, 52.0], "ci_high": [np.nan, 0.5, 0.5, 0.22, 88.0],
        "deff": [np.nan, 1.2, 1.1, 1.3, 1.2], "cv": [np.nan, 0.4, 0.3, 0.05, 0.13],
    })
    out = apply_disclosure(table, min_n=30, max_ci_width=0.2, max_cv=0.1)
    assert list(out["flag"]) == ["no respondents", "small n", "low precision", "", "low precision"]
    assert list(out["suppressed"]) == [True, True, False, False, False]
    assert np.isnan(out.loc[1, "estimate"]) and np.isnan(out.loc[1, "n"]) and out.loc[2, "estimate"] == 0.3


def test_the_stage_applies_primary_suppression_only(table):
    """Secondary suppression is the publication gate's (rule publish), over all tables of a wave at once."""
    assert set(table["flag"]) <= {"", "small n", "no respondents", "low precision"}
    assert (table["suppressed"] == table["flag"].isin(["small n", "no respondents"])).all()
