"""Ingest: harmonized values equal the synthetic truth; bad files fail clearly and leave nothing behind."""

from __future__ import annotations

import json
import logging
import shutil

import numpy as np
import pandas as pd
import pytest

from ath_analysis.errors import DataError
from ath_analysis.harmonization import load_wave_spec
from ath_analysis.ingest import ingest_wave
from ath_analysis.stages import ingest as ingest_stage
from ath_analysis.synth import WAVE_FORMATS, simulate_respondents
from ath_analysis.synth.generate import build_wave_population

from .configured import params
from .conftest import SEED
from .savfiles import rewrite_sav


def _ingest(config, harmonization, variables, wave, path=None):
    specs = load_wave_spec(wave, harmonization, variables)
    return ingest_wave(path or config["waves"][wave]["file"], wave, config["waves"][wave], specs, variables)


@pytest.mark.parametrize("wave", list(WAVE_FORMATS))
def test_harmonized_values_equal_the_truth(wave, config, harmonization, variables, areas, counties):
    """Every answered item, after renames, recodes and reversed scales, equals the respondent's true value."""
    result = _ingest(config, harmonization, variables, wave)
    fmt = WAVE_FORMATS[wave]
    truth = simulate_respondents(build_wave_population(areas, fmt, SEED), areas, fmt, SEED, counties=counties)
    got = result.respondents
    assert len(got) == len(truth)
    for column in ["sex", "age", "education", "srh", "loneliness", "smoking", "audit1", "qol8", "expenses"]:
        answered = got[column].notna()
        assert answered.mean() > 0.9, column
        np.testing.assert_array_equal(got.loc[answered, column], truth.loc[answered, column].astype(float))
    assert (got["municipality_code"] == truth["municipality_code_at_survey"]).all()
    np.testing.assert_allclose(got["weight"], truth["weight"])


def test_audit_counts_user_missing_and_rows(config, harmonization, variables):
    audit = _ingest(config, harmonization, variables, "ath2012").audit
    assert audit["rows_read"] == audit["rows_kept"] + sum(audit["excluded"].values())
    assert audit["user_missing"]["expenses"]["9 En osaa sanoa"] > 50
    assert audit["user_missing"]["weight_kg"]["999 Ei vastausta"] > 50
    assert audit["item_missing"]["expenses"] >= audit["user_missing"]["expenses"]["9 En osaa sanoa"]
    assert len(audit["sha256"]) == 64


def test_under_age_respondents_are_excluded_with_reason(config, harmonization, variables, tmp_path):
    def younger(d):
        d.loc[:4, "ika"] = 17
        return d

    path = rewrite_sav(config["waves"]["ath2012"]["file"], tmp_path / "young.sav", younger)
    audit = _ingest(config, harmonization, variables, "ath2012", path).audit
    assert audit["excluded"]["age under 20"] == 5
    assert audit["rows_read"] == audit["rows_kept"] + 5


def test_out_of_range_code_is_missing_with_warning(config, harmonization, variables, tmp_path):
    def bad_code(d):
        d.loc[:2, "k13"] = 7
        return d

    path = rewrite_sav(config["waves"]["ath2012"]["file"], tmp_path / "code.sav", bad_code)
    result = _ingest(config, harmonization, variables, "ath2012", path)
    assert result.respondents.loc[:2, "srh"].isna().all()
    assert any("k13" in w and "3 value(s)" in w for w in result.audit["warnings"])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.assign(paino=np.where(d.index == 3, -1.0, d["paino"])), "negative"),
        (lambda d: d.assign(paino=np.where(d.index == 3, 0.0, d["paino"])), "zero"),
        (lambda d: d.assign(paino=np.where(d.index < 2, np.nan, d["paino"])), "2 missing"),
        (lambda d: d.assign(paino=np.where(d.index == 3, np.inf, d["paino"])), "infinite"),
        (lambda d: d.assign(tunnus=np.where(d.index == 3, 1, d["tunnus"])), "duplicate ids"),
        (lambda d: d.drop(columns=["k13"]), "variable 'k13' (for srh) is not in the file"),
        (lambda d: d.rename(columns={"paino": "painoo"}), "did you mean: painoo"),
        (lambda d: d.assign(ositus=np.where(d.index == 0, np.nan, d["ositus"])), "'ositus' (stratum) is missing"),
    ],
)
def test_bad_design_or_variables_fail_with_names(change, expected, config, harmonization, variables, tmp_path):
    path = rewrite_sav(config["waves"]["ath2012"]["file"], tmp_path / "bad.sav", change)
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, "ath2012", path)
    message = str(err.value)
    assert expected in message and "ath2012" in message


def _ingest_stage(config, wave, sav, out):
    ingest_stage.run({"sav": str(sav), "harmonization": config["harmonization"], "variables": config["variables"]},
                     {"respondents": str(out / "r.parquet"), "labels": str(out / "l.json"),
                      "audit": str(out / "a.json")}, params(config, "ingest", wave), logging.getLogger("test"))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p, src: None, "not found"),
        (lambda p, src: p.write_bytes(b""), "is empty"),
        (lambda p, src: p.write_text("tunnus,paino\n1,2.5\n"), "is not an SPSS .sav file"),
        (lambda p, src: p.write_bytes(src.read_bytes()[:3000]), "truncated or corrupt"),
    ],
)
def test_unreadable_files_fail_and_leave_no_output(make, expected, config, tmp_path, monkeypatch):
    source = tmp_path / "source.sav"
    shutil.copy(config["waves"]["ts2022"]["file"], source)
    bad = tmp_path / "bad.sav"
    make(bad, source)
    out = tmp_path / "out"
    with pytest.raises(DataError, match=expected) as err:
        _ingest_stage(config, "ts2022", bad, out)
    assert "ts2022" in str(err.value) and str(bad) in str(err.value)
    assert not out.exists() or not any(out.iterdir())


def test_ingest_stage_writes_all_three_outputs(config, tmp_path):
    out = tmp_path / "out"
    _ingest_stage(config, "finsote2018", config["waves"]["finsote2018"]["file"], out)
    frame = pd.read_parquet(out / "r.parquet")
    labels = json.loads((out / "l.json").read_text())
    audit = json.loads((out / "a.json").read_text())
    assert audit["synthetic"] is True and audit["rows_kept"] == len(frame)
    assert labels["variables"]["srh"]["source"] == "q1_terveys"
    assert labels["variables"]["srh"]["source_value_labels"]["1"] == "Huono"
    assert sorted(f.name for f in out.iterdir()) == ["a.json", "l.json", "r.parquet"]  # no temp files left
