"""Bad input that the other test files do not cover: design variables, config types, empty indicators, git."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

from ath_analysis.config import check_config, load_config
from ath_analysis.errors import ConfigError, DataError
from ath_analysis.harmonization import load_wave_spec
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.indicators.table import build_indicator_table
from ath_analysis.ingest import ingest_wave
from ath_analysis.validation import tracked_sensitive_files

from .conftest import ROOT
from .savfiles import rewrite_sav


@pytest.mark.parametrize(("dropped", "canonical"), [("tunnus", "respondent_id"), ("ositus", "stratum"),
                                                    ("paino", "weight"), ("N_osite", "fpc")])
def test_missing_design_variable_names_wave_and_variable(dropped, canonical, config, harmonization, variables,
                                                         tmp_path):
    path = rewrite_sav(config["waves"]["ath2012"]["file"], tmp_path / "x.sav", lambda d: d.drop(columns=[dropped]))
    specs = load_wave_spec("ath2012", harmonization, variables)
    with pytest.raises(DataError, match=rf"(?s)wave 'ath2012'.*variable '{dropped}' \(for {canonical}\) is not in"):
        ingest_wave(path, "ath2012", config["waves"]["ath2012"], specs, variables)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda c: c["disclosure"].update(min_n="thirty"), "disclosure.min_n: 'thirty' is not of type 'integer'"),
    (lambda c: c["waves"]["ts2022"].update(year="2022"), "waves.ts2022.year: '2022' is not of type 'integer'"),
    (lambda c: c["waves"]["ts2022"].pop("file"), "waves.ts2022: 'file' is a required property"),
    (lambda c: c["estimate"]["domains"].update(kunta=["kunta"]), "estimate.domains.kunta.0: 'kunta' is not one of"),
    (lambda c: c.update(colour="blue"), "unknown key 'colour'"),
])
def test_config_type_errors_name_the_key(change, expected):
    config = load_config(ROOT / "config" / "config.yaml")
    change(config)
    with pytest.raises(ConfigError) as err:
        check_config(config, "config/config.yaml")
    assert expected in str(err.value) and "config/config.yaml" in str(err.value)


def _indicators():
    return load_indicators(ROOT / "config" / "indicators.yaml",
                           variables=canonical_variables(ROOT / "config" / "variables.yaml"))


def test_indicator_missing_for_everyone_is_warned_about():
    definitions = [i for i in _indicators() if i.id in {"obesity", "daily_smoking"}]
    frame = pd.DataFrame({"weight_kg": [80.0, 90.0], "height_cm": [170.0, 180.0], "smoking": [np.nan, np.nan],
                          "in_region": [True, False], "weight": [1.0, 2.0], "wave": "w"})
    table, audit = build_indicator_table(frame, definitions, "w")
    assert audit["indicators"]["obesity"]["in_denominator"] == 2
    assert audit["indicators"]["daily_smoking"]["in_denominator"] == 0
    assert audit["warnings"] == ["wave 'w': indicator 'daily_smoking' has no respondent in its denominator "
                                 "(variables: smoking); its estimates are empty"]
    assert audit["rows_in"] == audit["rows_out"] == len(table) == 2
    assert "weight_kg" not in table.columns  # items are not carried forward


def test_indicator_id_clashing_with_a_domain_column_is_an_error():
    obesity = next(i for i in _indicators() if i.id == "obesity")
    clash = type(obesity)(**{**obesity.__dict__, "id": "sex"})
    with pytest.raises(ConfigError, match="indicator id.*sex.*clash"):
        build_indicator_table(pd.DataFrame({"sex": [1.0]}), [clash], "w")


def test_validate_warns_when_survey_data_are_tracked_by_git(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "README.md").write_text("ok\n")
    (tmp_path / "data" / "raw" / "ath2014.sav").write_bytes(b"$FL2")
    git("add", "-f", "data/raw/README.md")
    assert tracked_sensitive_files(tmp_path) == []
    git("add", "-f", "data/raw/ath2014.sav")
    assert tracked_sensitive_files(tmp_path) == ["data/raw/ath2014.sav"]
