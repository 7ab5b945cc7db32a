"""The differences table: the rows the reports' verdicts rest on, against the survey module's own differences,
the independent-samples formula and the estimate table's suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ath_analysis.analysis import domain_frame, wave_design
from ath_analysis.config import load_config
from ath_analysis.geography import attach_geography
from ath_analysis.harmonization import load_wave_spec
from ath_analysis.indicators.definitions import canonical_variables, compute_indicators, load_indicators
from ath_analysis.ingest import ingest_wave
from ath_analysis.results.differences import DIFFERENCE_COLUMNS, build_differences, published_differences
from ath_analysis.results.estimates import EstimateSettings
from ath_analysis.survey import parent_differences

from .configured import estimates as build_estimates
from .configured import geography_of, subareas_of
from .conftest import ROOT

WAVES = {"finsote2018": 2018, "ts2022": 2022}


@pytest.fixture(scope="module")
def config():
    """The project's config with the national domain sets (the test waves' respondents stand for the country)."""
    config = load_config(ROOT / "config" / "config.yaml")
    config["estimate"]["domains"] = {"country": ["country"], "maakunta": ["maakunta"],
                                     "hyvinvointialue": ["hyvinvointialue"], **config["estimate"]["domains"]}
    return config


@pytest.fixture(scope="module")
def indicators():
    chosen = {"obesity", "daily_smoking", "bmi_mean", "srh_average_or_worse"}
    return [i for i in load_indicators(ROOT / "config" / "indicators.yaml",
                                       variables=canonical_variables(ROOT / "config" / "variables.yaml"))
            if i.id in chosen]


@pytest.fixture(scope="module")
def waves(synthetic_dir, areas, variables, harmonization, indicators, config):
    out = {}
    for wave in WAVES:
        specs = load_wave_spec(wave, harmonization, variables)
        result = ingest_wave(synthetic_dir / f"{wave}.sav", wave, config["waves"][wave], specs, variables)
        frame, _ = attach_geography(result.respondents, areas, geography_of(config), wave,
                                    config["waves"][wave]["fieldwork_date"], subareas=subareas_of(config))
        values = compute_indicators(frame, indicators)
        out[wave] = pd.concat([frame.drop(columns=values.columns, errors="ignore"), values], axis=1)
    return out


@pytest.fixture(scope="module")
def estimates(waves, indicators, config, areas, variables):
    return build_estimates(waves, WAVES, indicators, config, areas, variables)


@pytest.fixture(scope="module")
def table(waves, indicators, config, estimates, areas):
    return build_differences(waves, WAVES, indicators, EstimateSettings.from_config(config["estimate"]), estimates,
                             config["geography"]["region_code"], areas.esp2013, national=True, synthetic=True)


def test_columns_and_references(table):
    assert list(table.columns) == DIFFERENCE_COLUMNS
    assert set(table["reference"]) == {"region", "country", "previous"}
    keys = ["indicator", "wave", "domain", "domain_value", "standardized", "reference"]
    assert not table.duplicated(keys).any()
    # municipalities against the region and the country; the national sets against the country only
    assert set(table.loc[table["domain"] == "municipality", "reference"]) == {"region", "country", "previous"}
    assert set(table.loc[table["domain"] == "hyvinvointialue", "reference"]) == {"country", "previous"}


def test_region_differences_are_the_survey_modules(table, waves, config):
    """The stage's region rows are survey.parent_differences on the wave's full design (itself R-checked)."""
    frame = waves["ts2022"]
    sets = {"region": ["region"], "municipality": ["municipality"]}
    data = domain_frame(frame, sets, config["geography"]["region_code"], "ts2022")
    direct = parent_differences(data, wave_design(data, config["estimate"]["lonely_psu"]), ["obesity"], sets,
                                {"municipality": "region"}, level=config["estimate"]["level"])
    rows = table[(table["indicator"] == "obesity") & (table["wave"] == "ts2022") & (table["domain"] == "municipality")
                 & (table["reference"] == "region") & ~table["standardized"]].set_index("domain_value")
    direct = direct.set_index("domain_value").loc[rows.index]
    shown = ~rows["suppressed"]
    assert shown.sum() >= 8
    for ours, theirs in (("difference", "estimate"), ("se", "se"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        np.testing.assert_allclose(rows.loc[shown, ours], direct.loc[shown, theirs], rtol=1e-10)


def test_differs_is_the_ci_of_the_difference_excluding_zero(table):
    shown = table[~table["suppressed"] & table["ci_low"].notna()]
    expected = (shown["ci_low"] > 0) | (shown["ci_high"] < 0)
    assert (shown["differs"].astype(bool) == expected).all()
    # the rule is not "the area's CI excludes the reference's point": both verdicts occur and disagree somewhere
    assert shown["differs"].astype(bool).any() and (~shown["differs"].astype(bool)).any()


def test_previous_is_the_independent_samples_formula(table, estimates, config):
    rows = table[(table["reference"] == "previous") & ~table["suppressed"]]
    assert set(rows["reference_value"]) == {"finsote2018"} and set(rows["wave"]) == {"ts2022"}
    cells = estimates.set_index(["indicator", "wave", "domain", "domain_value", "standardized"])
    row = rows.iloc[0]
    now = cells.loc[(row["indicator"], "ts2022", row["domain"], row["domain_value"], row["standardized"])]
    before = cells.loc[(row["indicator"], "finsote2018", row["domain"], row["domain_value"], row["standardized"])]
    se = np.hypot(now["se"], before["se"])
    v1, v2 = now["se"] ** 2, before["se"] ** 2
    df = (v1 + v2) ** 2 / (v1 ** 2 / now["df"] + v2 ** 2 / before["df"])
    t = stats.t.ppf(0.975, df)
    assert row["difference"] == pytest.approx(now["estimate"] - before["estimate"], rel=1e-12)
    assert row["se"] == pytest.approx(se, rel=1e-12)
    assert row["ci_low"] == pytest.approx(row["difference"] - t * se, rel=1e-10)


def test_a_difference_with_a_hidden_side_publishes_nothing(table, estimates):
    hidden = estimates[estimates["suppressed"]]
    assert len(hidden)
    keys = ["indicator", "wave", "domain", "domain_value", "standardized"]
    area_hidden = table.merge(hidden[keys], on=keys, how="inner")
    assert len(area_hidden) and area_hidden["suppressed"].all()
    assert table.loc[table["suppressed"], ["difference", "se", "ci_low", "ci_high", "estimate_area"]].isna().all().all()
    assert table.loc[table["suppressed"], "differs"].isna().all()


def test_published_values_are_independent_with_their_ci(estimates):
    cells = estimates[(estimates["domain"] == "region") & (estimates["indicator"] == "obesity")
                      & (estimates["wave"] == "ts2022") & ~estimates["standardized"]]
    reference = pd.DataFrame({"indicator": ["obesity"], "year": [2022], "value": [0.25], "ci_low": [0.24],
                              "ci_high": [0.26], "source": ["THL Sotkanet, Terve Suomi 2022"]})
    out = published_differences(cells, reference, ["region"], 0.95)
    se_published = (0.26 - 0.24) / (2 * stats.norm.ppf(0.975))
    assert out["reference"].tolist() == ["published"] and out["source"].iloc[0].startswith("THL Sotkanet")
    assert out["se"].iloc[0] == pytest.approx(np.hypot(cells["se"].iloc[0], se_published), rel=1e-12)
    assert out["difference"].iloc[0] == pytest.approx(cells["estimate"].iloc[0] - 0.25, rel=1e-12)


def test_the_stage_compares_a_regional_extract_with_published_values(waves, config, estimates, tmp_path):
    """data.national false + reference_values: the region against THL's published national value."""
    import copy

    from ath_analysis.stages import differences as stage

    from .configured import area_files, params, run

    cfg = copy.deepcopy(config)
    cfg["waves"] = {w: cfg["waves"][w] for w in WAVES}
    cfg["data"]["national"] = False
    fixture = ROOT / "tests" / "data" / "register" / "reference_values.csv"
    cfg["reference_values"] = {"file": str(fixture), "indicators": {"daily_smoking": "4559"}, "region_level": "MAA",
                               "region_code": None}
    paths = []
    for wave, frame in waves.items():
        paths.append(str(tmp_path / f"{wave}.parquet"))
        frame.to_parquet(paths[-1], index=False)
    estimates.to_parquet(tmp_path / "estimates.parquet", index=False)
    given = {"waves": paths, "estimates": str(tmp_path / "estimates.parquet"), "reference_values": [str(fixture)],
             "areas": area_files(cfg), "register": [], "subarea_table": [cfg["geography"]["subareas"]["table"]],
             "variables": cfg["variables"]}
    out = {"parquet": str(tmp_path / "d.parquet"), "csv": str(tmp_path / "d.csv")}
    rules = params(cfg, "differences")
    rules["indicators"] = [r for r in rules["indicators"] if r["id"] in set(estimates["indicator"])]
    assert run(stage, "differences", given, out, rules) == 0
    table = pd.read_parquet(out["parquet"])
    published = table[(table["reference"] == "published") & (table["domain"] == "region")
                      & (table["indicator"] == "daily_smoking") & (table["wave"] == "ts2022")]
    assert len(published) == 1 and "Terveytemme" in published["source"].iloc[0]
    assert published["estimate_reference"].iloc[0] == pytest.approx(0.119)
    assert "country" not in set(table["reference"])  # regional data: no koko maa from the waves
    assert (table.loc[table["reference"] == "published", "indicator"] == "daily_smoking").all()
