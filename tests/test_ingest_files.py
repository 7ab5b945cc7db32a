"""Ingest and validate on files that went wrong the ways real files do: a header that lies about the case
count, a byte that crashes the reader, empty waves, bad ids and weights, strings and dates where numbers
belong, recodes that leave an item mostly missing, a manifest that no longer matches, a .zsav."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ath_analysis.errors import DataError
from ath_analysis.harmonization import ColumnSpec, load_wave_spec
from ath_analysis.ingest import check_wave_file, ingest_wave, sha256_of
from ath_analysis.savfile import read_info, run_isolated

from .savfiles import crash_sav, rewrite_sav, with_case_count

WAVE = "ath2012"


def _specs(harmonization, variables, wave=WAVE):
    return load_wave_spec(wave, harmonization, variables)


def _ingest(config, harmonization, variables, path, wave=WAVE, **extra):
    wave_config = {**config["waves"][wave], **extra}
    return ingest_wave(path, wave, wave_config, _specs(harmonization, variables, wave), variables)


def _check(config, harmonization, variables, path, wave=WAVE, **extra):
    wave_config = {**config["waves"][wave], **extra}
    return check_wave_file(path, wave, _specs(harmonization, variables, wave), variables, wave_config)


def _source(config, wave=WAVE):
    return config["waves"][wave]["file"]


def _problems_of(error: DataError) -> list[str]:
    lines = str(error).splitlines()
    return [line.strip() for line in lines[1:]] if len(lines) > 1 else lines


def test_header_with_fewer_cases_than_the_file_is_an_error(config, harmonization, variables, tmp_path):
    """A header that claims fewer cases used to drop the rest silently."""
    source = _source(config)
    rows = read_info(source).rows
    short = with_case_count(Path(source), tmp_path / "short.sav", rows - 100)
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, short)
    message = str(err.value)
    assert f"says {rows - 100:,} cases but the file holds {rows:,}" in message
    assert WAVE in message and str(short) in message
    problems, _ = _check(config, harmonization, variables, short)
    assert problems == [message]


def test_header_with_more_cases_than_the_file_is_an_error(config, harmonization, variables, tmp_path):
    source = Path(_source(config))
    rows = read_info(source).rows
    long = with_case_count(source, tmp_path / "long.sav", rows + 5)
    with pytest.raises(DataError, match=f"says {rows + 5:,} cases but the file holds {rows:,} \\(fewer"):
        _ingest(config, harmonization, variables, long)


def test_a_reader_crash_is_a_message(config, harmonization, variables, tmp_path):
    """One corrupt byte makes ReadStat segfault; the child process turns it into a one-line error."""
    bad = crash_sav(Path(_source(config)), tmp_path / "crash.sav")
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, bad)
    message = str(err.value)
    assert message == (f"wave '{WAVE}': cannot read {bad}: the SPSS reader crashed on it (signal SIGSEGV; "
                       "damaged file?)")
    assert _check(config, harmonization, variables, bad) == ([message], [])


def _die(how: str) -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL if how == "kill" else signal.SIGSEGV)


def test_run_isolated_reports_the_signal_and_passes_results(tmp_path):
    with pytest.raises(DataError, match=r"cannot read x.sav: the SPSS reader crashed on it \(signal SIGKILL"):
        run_isolated(_die, "kill", path="x.sav")
    assert run_isolated(sorted, [3, 1, 2], path="x.sav") == [1, 2, 3]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):  # a bug is not dressed up as a user error
        run_isolated(divmod, 1, 0, path="x.sav")


def test_zero_rows_is_an_error_that_names_the_wave(config, harmonization, variables, tmp_path):
    empty = rewrite_sav(Path(_source(config)), tmp_path / "empty.sav", lambda d: d.iloc[:0])
    expected = f"wave '{WAVE}': {empty} holds no respondents (0 cases)"
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, empty)
    assert str(err.value) == expected
    assert _check(config, harmonization, variables, empty)[0] == [expected]


def test_nobody_in_the_population_is_an_error(config, harmonization, variables, tmp_path):
    young = rewrite_sav(Path(_source(config)), tmp_path / "young.sav", lambda d: d.assign(ika=15.0))
    with pytest.raises(DataError, match=f"wave '{WAVE}': none of the .* respondents in {young} is in the survey "
                                        r"population \(age under 20: "):
        _ingest(config, harmonization, variables, young)


def test_empty_id_with_zero_weight_names_both_without_a_traceback(config, harmonization, variables, tmp_path):
    def broken(d):
        d["tunnus"] = d["tunnus"].astype(float)
        d.loc[3, "tunnus"] = np.nan
        d.loc[3, "paino"] = 0.0
        return d

    path = rewrite_sav(Path(_source(config)), tmp_path / "id.sav", broken)
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, path)
    problems = _problems_of(err.value)
    assert problems == [
        f"wave '{WAVE}': weight variable 'paino' in {path} must be positive and finite: 1 zero (respondent row 4 "
        "(no id))",
        f"wave '{WAVE}': id variable 'tunnus' is missing for 1 respondent(s) in {path} (rows 4)",
    ]
    assert _check(config, harmonization, variables, path)[0] == problems


def test_all_design_problems_are_reported_at_once_in_ingest_and_validate(config, harmonization, variables,
                                                                          tmp_path):
    def broken(d):
        d.loc[0, "paino"] = -1.0
        d.loc[1, "paino"] = np.inf
        d.loc[5, "tunnus"] = d.loc[6, "tunnus"]
        d.loc[7, "ositus"] = np.nan
        return d

    path = rewrite_sav(Path(_source(config)), tmp_path / "design.sav", broken)
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, path)
    assert str(err.value).startswith(f"wave '{WAVE}': 3 problems in {path}:")
    problems = _problems_of(err.value)
    assert "1 infinite" in problems[0] and "1 negative" in problems[0]
    assert "has duplicate ids (1 ids" in problems[1]
    assert "design variable 'ositus' (stratum) is missing for 1 respondent(s)" in problems[2]
    assert _check(config, harmonization, variables, path)[0] == problems


def test_a_string_variable_mapped_to_a_numeric_item(config, harmonization, variables, tmp_path):
    path = rewrite_sav(Path(_source(config)), tmp_path / "string.sav",
                       lambda d: d.assign(k13=np.where(d.index % 2 == 0, "hyvä", "huono")))
    expected = (f"wave '{WAVE}': variable 'k13' (srh) in {path} is a string variable (A5) with values that are "
                "not numbers, e.g. 'hyvä', but srh is a category item: map a numeric variable, or recode its codes "
                "to numbers in the harmonization")
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, path)
    assert str(err.value) == expected
    assert _check(config, harmonization, variables, path)[0] == [expected]
    # a recode to numbers makes it usable
    specs = [ColumnSpec(s.canonical, s.source, {"hyvä": 1, "huono": 5}) if s.canonical == "srh" else s
             for s in _specs(harmonization, variables)]
    result = ingest_wave(path, WAVE, config["waves"][WAVE], specs, variables)
    assert set(result.respondents["srh"].dropna().unique()) == {1.0, 5.0}


def test_a_date_variable_mapped_to_a_numeric_item(config, harmonization, variables, tmp_path):
    path = rewrite_sav(Path(_source(config)), tmp_path / "date.sav", lambda d: d,
                       variable_format={"ika": "ADATE10"})
    expected = (f"wave '{WAVE}': variable 'ika' (for age) in {path} is a date variable (ADATE10), but age is a "
                "numeric item: map the variable that holds its codes or numbers (dates are not converted)")
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, path)
    assert str(err.value) == expected
    assert _check(config, harmonization, variables, path)[0] == [expected]


def test_absent_and_misspelt_variables_all_listed_with_hints(config, harmonization, variables, tmp_path):
    path = rewrite_sav(Path(_source(config)), tmp_path / "renamed.sav",
                       lambda d: d.rename(columns={"k13": "k13x", "paino": "painoo"}))
    problems, _ = _check(config, harmonization, variables, path)
    assert len(problems) == 2
    assert problems[0].startswith(f"wave '{WAVE}': variable 'paino' (for weight) is not in the file {path} (did "
                                  "you mean: painoo")
    assert problems[1].startswith(f"wave '{WAVE}': variable 'k13' (for srh) is not in the file {path} (did you "
                                  "mean: k13x")
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, path)
    assert _problems_of(err.value) == problems


def test_a_recode_that_leaves_an_item_mostly_missing_is_a_logged_warning(config, harmonization, variables,
                                                                          tmp_path, caplog):
    """75 % of srh set to missing by codes outside its values: said on screen (log), not only in the audit."""
    def shifted(d):
        answered = d.index[d["k13"].between(1, 5)]
        d.loc[answered[: int(len(answered) * 0.75)], "k13"] = 7
        return d

    path = rewrite_sav(Path(_source(config)), tmp_path / "codes.sav", shifted)
    with caplog.at_level(logging.WARNING, logger="ath_analysis.ingest"):
        result = _ingest(config, harmonization, variables, path)
    warning = next(w for w in result.audit["warnings"] if "'k13'" in w)
    assert warning.startswith("variable 'k13' (srh) is left mostly missing: ")
    assert "(75 %) are outside the valid codes" in warning and "7: " in warning
    logged = [r.getMessage() for r in caplog.records if r.name == "ath_analysis.ingest"]
    assert f"wave '{WAVE}': {warning}" in logged
    _, warnings = _check(config, harmonization, variables, path)
    assert f"wave '{WAVE}': {warning}" in warnings


def test_few_out_of_range_codes_are_an_ordinary_warning(config, harmonization, variables, tmp_path, caplog):
    def one(d):
        d.loc[0, "k13"] = 7
        return d

    path = rewrite_sav(Path(_source(config)), tmp_path / "one.sav", one)
    with caplog.at_level(logging.WARNING, logger="ath_analysis.ingest"):
        result = _ingest(config, harmonization, variables, path)
    assert "variable 'k13' (srh): 1 value(s) outside the valid codes set to missing (7: 1)" in result.audit["warnings"]
    assert any("'k13' (srh): 1 value(s)" in r.getMessage() and WAVE in r.getMessage() for r in caplog.records)


def test_manifest_in_config_catches_a_changed_file(config, harmonization, variables, tmp_path):
    source = _source(config)
    rows, digest = read_info(source).rows, sha256_of(source)
    ok = _ingest(config, harmonization, variables, source, expected_rows=rows, sha256=digest)
    assert ok.audit["sha256"] == digest and ok.audit["rows_read"] == rows
    changed = rewrite_sav(Path(source), tmp_path / "changed.sav", lambda d: d.iloc[:-10])
    with pytest.raises(DataError) as err:
        _ingest(config, harmonization, variables, changed, expected_rows=rows, sha256=digest)
    problems = _problems_of(err.value)
    assert problems[0].startswith(f"wave '{WAVE}': {changed} is not the file the manifest in config names: its "
                                  f"sha256 is {sha256_of(changed)[:16]}…, config says {digest[:16]}…")
    assert problems[1] == (f"wave '{WAVE}': {changed} holds {rows - 10:,} cases, the manifest in config says "
                           f"{rows:,} (a truncated or changed file?)")
    assert _check(config, harmonization, variables, changed, expected_rows=rows, sha256=digest)[0] == problems


def test_zsav_reads_the_same_as_sav(config, harmonization, variables, tmp_path):
    source = Path(_source(config))
    zsav = rewrite_sav(source, tmp_path / "wave.zsav", lambda d: d, compress=True)
    assert zsav.read_bytes()[:4] == b"$FL3"
    from_sav = _ingest(config, harmonization, variables, source)
    from_zsav = _ingest(config, harmonization, variables, zsav)
    pd.testing.assert_frame_equal(from_zsav.respondents, from_sav.respondents)
    assert from_zsav.audit["user_missing"] == from_sav.audit["user_missing"]
