"""The publication gate on the stages' own tables: estimates, models and small areas of a synthetic wave.

The tables come from the real stage functions (with their own disclosure control, as today); the gate must
know every row as a set of respondents (its n is checked against them), leave nothing small recoverable, and
its `withhold_*` functions must blank what they withhold.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from ath_analysis.config import load_config
from ath_analysis.disclosure import FLAG_COMPLEMENTARY
from ath_analysis.disclosure.published import (
    GateSettings,
    publication_gate,
    withhold_estimates,
    withhold_models,
    withhold_small_areas,
)
from ath_analysis.errors import DataError
from ath_analysis.geography import attach_geography
from ath_analysis.harmonization import load_wave_spec
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.indicators.table import build_indicator_table
from ath_analysis.ingest import ingest_wave
from ath_analysis.results.comparisons import comparisons_from_config

from .configured import comparisons as build_models
from .configured import covariates as build_covariates
from .configured import estimates as build_estimates
from .configured import geography_of, labels_of, subareas_of
from .configured import small_area_table as estimate_small_areas
from .conftest import ROOT

WAVE, YEAR = "ts2022", 2022
INDICATORS = ["srh_average_or_worse", "daily_smoking", "obesity"]
NESTED = "daily_smoking_u80"  # daily_smoking with the denominator age < 80, published beside it


@pytest.fixture(scope="module")
def stages(synthetic_dir, areas, variables, harmonization):
    config = load_config(ROOT / "config" / "config.yaml")
    config["waves"] = {WAVE: config["waves"][WAVE]}
    config["compare"]["pooled"] = False
    config["small_areas"]["indicators"] = ["daily_smoking", "obesity"]
    definitions = load_indicators(ROOT / "config" / "indicators.yaml",
                                  variables=canonical_variables(ROOT / "config" / "variables.yaml"))
    chosen = [d for d in definitions if d.id in INDICATORS]
    specs = load_wave_spec(WAVE, harmonization, variables)
    result = ingest_wave(synthetic_dir / f"{WAVE}.sav", WAVE, config["waves"][WAVE], specs, variables)
    frame, _ = attach_geography(result.respondents, areas, geography_of(config), WAVE,
                                config["waves"][WAVE]["fieldwork_date"], subareas=subareas_of(config))
    table, _ = build_indicator_table(frame, chosen, WAVE)
    table[NESTED] = table["daily_smoking"].where(table["age"] < 80)
    indicators = [*chosen, replace(next(d for d in chosen if d.id == "daily_smoking"), id=NESTED)]
    waves = {WAVE: table}
    estimates = build_estimates(waves, {WAVE: YEAR}, indicators, config, areas, variables)
    models = build_models(waves, {WAVE: YEAR}, chosen, config, areas, variables)
    population = pd.read_parquet(synthetic_dir / f"population_{WAVE}.parquet")
    covariates = build_covariates(config, areas, {WAVE: population}, [WAVE])
    labels = labels_of(config, areas, variables)
    small, _ = estimate_small_areas(waves, {WAVE: YEAR}, config["small_areas"]["indicators"], covariates, config,
                                    labels)
    settings = GateSettings(
        min_n=config["disclosure"]["min_n"], region_code=config["geography"]["region_code"],
        domain_sets=config["estimate"]["domains"], standardize_by=config["estimate"]["standardize_by"],
        comparisons=comparisons_from_config(config["compare"]), adjusters=config["compare"]["adjusters"],
        small_area_sets=config["small_areas"]["area_sets"],
        small_area_municipality=str(config["geography"]["subareas"]["municipality"]))
    return waves, estimates, models, small, settings


@pytest.fixture(scope="module")
def gate(stages):
    waves, estimates, models, small, settings = stages
    return publication_gate(waves, estimates, models, small, settings)


def _published_n(table: pd.DataFrame, indicator: str) -> pd.Series:
    rows = table[(table["indicator"] == indicator) & ~table["standardized"] & ~table["suppressed"]]
    return rows.set_index(["domain", "domain_value"])["n"].astype(float)


def _nested_differences(table: pd.DataFrame) -> pd.Series:
    """What an outsider gets by subtracting the age < 80 indicator's n from the full one's, cell by cell."""
    wide, narrow = _published_n(table, "daily_smoking"), _published_n(table, NESTED)
    both = wide.index.intersection(narrow.index)
    return wide[both] - narrow[both]


def test_the_gate_knows_every_published_row_and_leaves_nothing_recoverable(stages, gate):
    waves, estimates, models, small, _ = stages
    summary = gate.summary()[WAVE]
    assert summary["cells"] == len(estimates) + len(models) + len(small)
    assert summary["exposed_after"] == 0
    assert summary["families"] == len(INDICATORS)  # daily_smoking and its age < 80 variant are one family
    assert summary["max_determined_distance"] < 1e-10 < 1e-5 < summary["min_undetermined_distance"]
    assert summary["withheld_secondary"] > 0


def test_the_nested_denominator_indicator_reveals_no_small_group_after_the_gate(stages, gate):
    _, estimates, _, _, settings = stages
    today = _nested_differences(estimates)
    assert ((today > 0) & (today < settings.min_n)).any()  # today the 80+ of some cells can be read off
    published = withhold_estimates(estimates, gate)
    after = _nested_differences(published)
    assert not ((after > 0) & (after < settings.min_n)).any()
    assert len(after) > len(today) / 2  # most cells stay published


def test_no_small_area_is_a_group_minus_its_published_areas(stages, gate):
    waves, estimates, _, small, settings = stages
    frame = waves[WAVE]
    group_of = frame.dropna(subset=["subarea"]).drop_duplicates("subarea").set_index("subarea")["subarea_group"]

    def leftovers(est: pd.DataFrame, areas: pd.DataFrame) -> pd.Series:
        groups = est[(est["domain"] == "subarea_group") & ~est["suppressed"] & ~est["standardized"]]
        groups = groups.set_index(["indicator", "domain_value"])["n"].astype(float)
        direct = areas[~areas["direct_suppressed"]].assign(group=lambda t: t["area"].map(group_of))
        inside = direct.groupby(["indicator", "group"])["n"].sum().astype(float)
        inside.index.names = ["indicator", "domain_value"]
        common = groups.index.intersection(inside.index)
        return groups[common] - inside[common]

    today = leftovers(estimates, small)
    assert ((today > 0) & (today < settings.min_n)).any()
    after = leftovers(withhold_estimates(estimates, gate), withhold_small_areas(small, gate))
    assert not ((after > 0) & (after < settings.min_n)).any()


def test_withheld_rows_publish_nothing_but_their_identity(stages, gate):
    _, estimates, models, small, _ = stages
    est = withhold_estimates(estimates, gate)
    new = gate.secondary["estimates"].reindex(est.index, fill_value=False)
    assert (est.loc[new, "flag"] == FLAG_COMPLEMENTARY).all()
    assert est.loc[est["suppressed"], ["n", "n_positive", "weight_sum", "estimate", "ci_low"]].isna().all().all()
    mod = withhold_models(models, gate)
    hidden = mod["suppressed"]
    assert mod.loc[hidden, ["n", "estimate", "difference", "odds_ratio"]].isna().all().all()
    assert (mod.loc[hidden, "message"] == "").all()
    reference = mod["is_reference"] & hidden
    keys = ["indicator", "wave", "comparison", "adjustment", "reference_level"]
    orphan = pd.MultiIndex.from_frame(mod[keys]).isin(pd.MultiIndex.from_frame(mod.loc[reference, keys]))
    assert mod.loc[orphan, "difference"].isna().all()
    sae = withhold_small_areas(small, gate)
    gone = sae["direct_suppressed"]
    assert gone.sum() > small["direct_suppressed"].sum()
    assert sae.loc[gone, ["n", "direct", "direct_ci_low"]].isna().all().all()
    assert (sae.loc[gone, "shown"] == "model").all()
    np.testing.assert_array_equal(sae.loc[gone, "shown_estimate"], sae.loc[gone, "model"])


def test_the_gate_is_deterministic(stages, gate):
    waves, estimates, models, small, settings = stages
    again = publication_gate(waves, estimates.sample(frac=1.0, random_state=1), models, small, settings)
    for name in gate.secondary:
        pd.testing.assert_series_equal(gate.secondary[name], again.secondary[name].reindex(gate.secondary[name].index))


def test_a_table_from_another_run_is_a_one_line_error_naming_the_cell(stages):
    waves, estimates, models, small, settings = stages
    stale = estimates.copy()
    row = stale.index[(stale["indicator"] == "obesity") & (stale["domain"] == "municipality")
                      & (stale["domain_value"] == "491") & ~stale["standardized"]][0]
    stale.loc[row, "n"] = int(stale.loc[row, "n"]) + 1
    with pytest.raises(DataError, match=r"estimate table, wave ts2022 obesity municipality 491") as info:
        publication_gate(waves, stale, models, small, settings)
    assert "\n" not in str(info.value)
    unknown = estimates.copy()
    unknown.loc[row, "domain_value"] = "999"
    with pytest.raises(DataError, match="match no respondent group"):
        publication_gate(waves, unknown, models, small, settings)
