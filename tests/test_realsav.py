"""The real-world SPSS corpus ($ATH_SHARED/realsav, default ../shared/realsav): inspect, validate and ingest on
files other projects wrote, read in place. Labels, user-missing codes, counts, dates and multiple-response sets
are compared with GNU PSPP, a second, independent reader run at test time."""

from __future__ import annotations

import math
import re
import subprocess
from collections import Counter
from datetime import datetime

import pandas as pd
import pytest

from ath_analysis.cli import main
from ath_analysis.errors import DataError
from ath_analysis.harmonization import ColumnSpec
from ath_analysis.ingest import check_wave_file, ingest_wave
from ath_analysis.inspect import describe_sav, format_description
from ath_analysis.savfile import SPSS_EPOCH, read_info

from .savfiles import pspp, pspp_csv, pspp_dictionary, realsav, with_encoding_record

CORPUS = sorted(p.name for p in realsav().iterdir() if p.suffix in (".sav", ".zsav") and "encrypted" not in p.name)
KIND_OF_FORMAT = {"A": "string", "AHEX": "string", "DATE": "date", "ADATE": "date", "EDATE": "date", "JDATE": "date",
                  "SDATE": "date", "QYR": "date", "MOYR": "date", "WKYR": "date", "DATETIME": "datetime",
                  "YMDHMS": "datetime", "TIME": "time", "DTIME": "time", "MTIME": "time"}


def test_the_corpus_is_there():
    assert {"ESS5RU.sav", "datetime.sav", "datetime_ids.sav", "llz.zsav", "fi_cp1252.sav"} <= set(CORPUS)


def _pspp_missing(text: str) -> set[tuple]:
    out: set[tuple] = set()
    for part in filter(None, text.split("; ")):
        if part.startswith('"'):
            out.add((part.strip('"').rstrip(),) * 2)
        elif " THRU " in part:
            lo, hi = part.split(" THRU ")
            out.add((-math.inf if lo in ("LOWEST", "LO") else float(lo), math.inf if hi in ("HIGHEST", "HI")
                     else float(hi)))
        else:
            out.add((float(part),) * 2)
    return out


def _our_missing(code: object) -> tuple:
    if isinstance(code, str) and "–" in code and re.fullmatch(r"-?[\d.e+]+–-?[\d.e+]+", code):
        lo, hi = code.split("–")
        return (float(lo), float(hi))
    return (code, code) if isinstance(code, str) else (float(code), float(code))


def _number(text: str) -> float:
    return float(text)


@pytest.mark.parametrize("name", CORPUS)
def test_dictionary_agrees_with_pspp(name, tmp_path):
    """Names, labels, types, user-missing codes and value labels (and which are user-missing) as PSPP has them."""
    path = realsav(name)
    description = describe_sav(path)
    theirs = pspp_dictionary(path, tmp_path)
    ours = {v["name"]: v for v in description["variables"]}
    assert len(ours) == len(theirs)
    for (our_name, var), (their_name, their) in zip(ours.items(), theirs.items(), strict=True):
        # PSPP renames a variable whose name it cannot decode (hebrews.sav: VAR001); names match otherwise
        assert our_name == their_name or re.fullmatch(r"VAR\d{3}", their_name), (our_name, their_name)
        assert (var["label"] or "").rstrip() == (their["label"] or "").rstrip(), our_name
        prefix = re.match(r"[A-Z]+", their["format"]).group(0)
        assert var["type"] == KIND_OF_FORMAT.get(prefix, "numeric"), (our_name, their["format"])
        missing = {_our_missing(m["code"]) for m in var["user_missing_codes"]}
        missing = {(-math.inf if isinstance(lo, float) and lo < -1e300 else lo,
                    math.inf if isinstance(hi, float) and hi > 1e300 else hi) for lo, hi in missing}
        assert missing == _pspp_missing(their["missing"]), our_name
        string = var["type"] == "string"
        their_labels = {(text.rstrip() if string else _number(text)): (label.rstrip(), is_missing)
                        for text, (label, is_missing) in their["value_labels"].items()}
        labelled = [c for c in var.get("codes", []) if c["label"] is not None]
        our_labels = {(c["code"] if string else float(c["code"])): (c["label"].rstrip(), bool(c.get("missing")))
                      for c in labelled}
        if "codes" in var:
            assert our_labels == their_labels, our_name
        else:  # no code list: every labelled code is user-missing (ages with "999 not available" ...)
            inside = {(m["code"] if string else float(m["code"])): (m["label"].rstrip(), True)
                      for m in var["user_missing_codes"] if m["label"]}
            for m in var["user_missing_codes"]:
                inside.update({float(c["code"]): (c["label"].rstrip(), True) for c in m.get("labels", [])})
            assert inside == their_labels, our_name


@pytest.mark.parametrize("name", ["ESS5RU.sav", "bes_survey_extract.sav", "fi_utf8.sav", "llz.zsav",
                                  "sample_missing.sav", "labelled-str.sav"])
def test_counts_agree_with_pspp_data(name, tmp_path):
    """Every count inspect shows (codes, user-missing, system-missing) equals a count in PSPP's CSV export."""
    path = realsav(name)
    description = describe_sav(path)
    data = pspp_csv(path, tmp_path)
    assert len(data) == description["rows"]
    for var in description["variables"]:
        column = data[var["name"]]
        blank = column.str.strip() == ""
        assert var["n_system_missing"] == int(blank.sum()), var["name"]
        if var["type"] == "string":
            counts = Counter(column[~blank].str.rstrip())
        elif var["type"] == "numeric":
            counts = Counter(float(v) for v in column[~blank])
        else:
            continue
        for code in var.get("codes", []):
            key = code["code"] if var["type"] == "string" else float(code["code"])
            assert code["n"] == counts.get(key, 0), (var["name"], code)
        assert var["n_valid"] + var["n_user_missing"] == sum(counts.values()), var["name"]


def test_ess_region_shows_the_codes_that_occur_first(tmp_path):
    """On the ESS file, `region` used to show 60 labelled codes with n = 0 and none of the 10 that occur."""
    description = describe_sav(realsav("ESS5RU.sav"))
    region = next(v for v in description["variables"] if v["name"] == "region")
    data = pspp_csv(realsav("ESS5RU.sav"), tmp_path)
    occurring = Counter(data["region"].str.rstrip())
    assert region["n_codes_occurring"] == len(occurring) == 10
    assert {c["code"]: c["n"] for c in region["codes"][:10]} == dict(occurring)
    assert [c["code"] for c in region["codes"][:10]] == [f"RU{i:02d}" for i in range(1, 11)]
    labelled = pspp_dictionary(realsav("ESS5RU.sav"), tmp_path)["region"]["value_labels"]
    text = format_description(description)
    block = text.split("\nregion  [string]")[1].split("\n\n")[0]
    assert "'RU02' Center" in block and f"{occurring['RU02']:>7}" in block
    assert f"… {len(labelled) - 10 - 10} more labelled codes that do not occur (--json lists all)" in block
    agea = text.split("\nagea  [numeric]")[1].split("\n\n")[0]
    assert "user-missing 999 = Not available: 1" in agea and "999 Not available (user-missing)" in agea


def _pspp_date(text: str) -> datetime | None:
    for fmt in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


@pytest.mark.parametrize("name", ["datetime.sav", "sample_missing.sav", "simple_alltypes.sav"])
def test_dates_agree_with_pspp(name, tmp_path):
    """Dates are typed as dates with the same first and last date as PSPP; a timestamp outside the calendar
    (year 201416 in datetime.sav) is counted, not converted."""
    path = realsav(name)
    description = describe_sav(path)
    data = pspp_csv(path, tmp_path)
    dated = [v for v in description["variables"] if v["type"] in ("date", "datetime")]
    assert dated
    for var in dated:
        texts = [t for t in data[var["name"]] if t.strip()]
        theirs = [_pspp_date(t) for t in texts]
        calendar = [d for d in theirs if d is not None]
        outside = [t for t, d in zip(texts, theirs, strict=True) if d is None]
        unit = "%Y-%m-%d" if var["type"] == "date" else "%Y-%m-%dT%H:%M:%S"
        assert var["dates"]["min"] == min(calendar).strftime(unit), var["name"]
        assert var["dates"]["max"] == max(calendar).strftime(unit), var["name"]
        assert var["dates"].get("n_out_of_range", 0) == len(outside), var["name"]
        assert all(re.search(r"/\d{5,}", t) for t in outside)  # PSPP writes the year as it is: 201416
    if name == "datetime.sav":
        posix = next(v for v in description["variables"] if v["name"] == "date.posix")
        seconds = posix["dates"]["out_of_range_values"][0]
        assert seconds / (365.2425 * 86400) + 1582.78 == pytest.approx(201416, abs=1)
        assert SPSS_EPOCH.astype(str).startswith("1582-10-14")


@pytest.mark.parametrize("name", ["simple_alltypes.sav", "fi_cp1252.sav", "fi_utf8.sav"])
def test_multiple_response_sets_agree_with_pspp(name, tmp_path):
    path = realsav(name)
    syntax = tmp_path / "mr.sps"
    syntax.write_text(f"GET FILE='{path}'.\nMRSETS /DISPLAY NAME=ALL.\n", encoding="utf-8")
    out = tmp_path / "mr.csv"
    subprocess.run([pspp(), "-O", "format=csv", str(syntax), "-o", str(out)], check=True, capture_output=True)
    import csv

    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines(keepends=True)))
    header = rows.index(["Name", "Label", "Encoding", "Counted Value", "Member Variables"])
    theirs = {r[0]: r for r in rows[header + 1:] if r and r[0].startswith("$")}
    ours = {m["name"]: m for m in describe_sav(path)["mr_sets"]}
    assert set(ours) == set(theirs)
    for name_, mr in ours.items():
        _, label, encoding, counted, members = theirs[name_]
        assert (mr["label"] or "") == label
        assert mr["type"] == ("dichotomy" if encoding == "Dichotomies" else "category")
        assert str(mr["counted_value"] if mr["counted_value"] is not None else "") == counted
        assert mr["variables"] == members.split("\n")
    text = format_description(describe_sav(path))
    assert "multiple-response sets:" in text


def test_zsav_files_read_as_pspp_reads_them(tmp_path):
    for name in ("llz.zsav", "sample.zsav"):
        description = describe_sav(realsav(name))
        assert description["format"] == "zsav"
        assert description["rows"] == len(pspp_csv(realsav(name), tmp_path))
    sav, zsav = describe_sav(realsav("sample.sav")), describe_sav(realsav("sample.zsav"))
    assert sav["variables"] == zsav["variables"]


def test_portable_and_encrypted_files_get_advice_that_works(tmp_path, capsys):
    por, encrypted = realsav("sample.por"), realsav("hotel-encrypted.sav")
    assert main(["inspect", str(por)]) == 1
    err = capsys.readouterr().err
    assert f"{por} is an SPSS portable file (.por)" in err and f"`pspp-convert {por} " in err
    assert "export the data from SPSS as .sav" not in err
    assert main(["inspect", str(encrypted)]) == 1
    err = capsys.readouterr().err
    assert f"{encrypted} is an encrypted SPSS file: decrypt it with GNU PSPP (`pspp-convert -p PASSWORD " in err
    # the advice works: converted with pspp-convert, both read (the encrypted file's password is `pspp`)
    converter = pspp().replace("pspp", "pspp-convert")
    subprocess.run([converter, str(por), str(tmp_path / "sample.sav")], check=True, capture_output=True)
    subprocess.run([converter, "-p", "pspp", str(encrypted), str(tmp_path / "hotel.sav")], check=True,
                   capture_output=True)
    assert describe_sav(tmp_path / "sample.sav")["rows"] == describe_sav(realsav("sample.sav"))["rows"]
    decrypted = describe_sav(tmp_path / "hotel.sav")
    assert decrypted["rows"] > 0
    assert [v["name"] for v in decrypted["variables"]] == [v["name"] for v in describe_sav(realsav("hotel.sav"))[
        "variables"]]
    with pytest.raises(DataError, match=f"wave 'w1': {re.escape(str(por))} is an SPSS portable file"):
        ingest_wave(por, "w1", {"year": 2020}, [ColumnSpec("respondent_id", "x")], {})


def test_encodings_both_claims_read_the_same(tmp_path):
    """fi_utf8.sav and fi_cp1252.sav hold the same text in two encodings, each with a right encoding record."""
    utf8, cp1252 = describe_sav(realsav("fi_utf8.sav")), describe_sav(realsav("fi_cp1252.sav"))
    assert utf8["variables"] == cp1252["variables"]
    vapaa = next(v for v in cp1252["variables"] if v["name"] == "vapaa")
    assert "Ääkköset: äöå ÄÖÅ € – “lainaus”" in [c["code"] for c in vapaa["codes"]]


def test_a_wrong_utf8_claim_is_an_error_that_suggests_the_option(tmp_path, capsys):
    """A file marked UTF-8 with cp1252 bytes could not be read at all, and nothing said what to do."""
    wrong = with_encoding_record(realsav("fi_cp1252.sav"), tmp_path / "claims_utf8.sav", "UTF-8")
    assert main(["inspect", str(wrong)]) == 1
    err = capsys.readouterr().err
    assert f"cannot decode the text of {wrong}: it is not valid UTF-8 (the encoding the file claims)" in err
    assert "`encoding: windows-1252`" in err and f"`ath-analysis inspect --encoding windows-1252 {wrong}`" in err
    assert main(["inspect", "--encoding", "windows-1252", str(wrong)]) == 0
    assert "Ääkköset: äöå ÄÖÅ € – “lainaus”" in capsys.readouterr().out
    specs = [ColumnSpec("respondent_id", "tunnus"), ColumnSpec("weight", "paino"), ColumnSpec("stratum", "ositus")]
    variables = {"respondent_id": {"type": "id"}, "weight": {"type": "weight"}, "stratum": {"type": "design"}}
    with pytest.raises(DataError, match=f"wave 'fi': cannot decode the text of {re.escape(str(wrong))}"):
        ingest_wave(wrong, "fi", {"year": 2022}, specs, variables)
    fixed = ingest_wave(wrong, "fi", {"year": 2022, "encoding": "windows-1252"}, specs, variables)
    assert len(fixed.respondents) == 5 and fixed.audit["encoding"] == "windows-1252"
    assert fixed.labels["variables"]["respondent_id"]["source_label"] == "Vastaajan tunnus"


def test_a_wrong_latin1_claim_is_a_warning_and_the_option_fixes_it(tmp_path):
    """A file marked ISO-8859-1 with cp1252 bytes silently garbled € – “ ”; now it is said, and fixed."""
    wrong = with_encoding_record(realsav("fi_cp1252.sav"), tmp_path / "claims_latin1.sav", "ISO-8859-1")
    garbled = describe_sav(wrong)
    assert garbled["claimed_encoding"] == "ISO-8859-1"
    (warning,) = garbled["warnings"]
    assert "contains control characters" in warning and "set `encoding: windows-1252`" in warning
    right = describe_sav(wrong, encoding="windows-1252")
    assert right["warnings"] == [] and right["variables"] == describe_sav(realsav("fi_cp1252.sav"))["variables"]
    specs = [ColumnSpec("respondent_id", "tunnus"), ColumnSpec("weight", "paino"), ColumnSpec("stratum", "ositus"),
             ColumnSpec("municipality_code", "vapaa")]
    variables = {"respondent_id": {"type": "id"}, "weight": {"type": "weight"}, "stratum": {"type": "design"},
                 "municipality_code": {"type": "code"}}
    _, warnings = check_wave_file(wrong, "fi", specs, variables)
    assert warnings and "probably windows-1252" in warnings[0] and warnings[0].startswith("wave 'fi': ")


DATE_WAVE = [ColumnSpec("respondent_id", "tunnus"), ColumnSpec("weight", "paino"), ColumnSpec("stratum", "ositus"),
             ColumnSpec("age", "ika")]
DATE_VARIABLES = {"respondent_id": {"type": "id"}, "weight": {"type": "weight"}, "stratum": {"type": "design"},
                  "age": {"type": "numeric", "min": 0, "max": 120}}


def test_a_stray_date_no_longer_blocks_a_wave():
    """datetime_ids.sav has one timestamp in year 201416 in a variable no wave maps: it ingests."""
    path = realsav("datetime_ids.sav")
    result = ingest_wave(path, "dt", {"year": 2014}, DATE_WAVE, DATE_VARIABLES)
    assert result.respondents["respondent_id"].tolist() == ["1", "2"]
    assert result.respondents["age"].tolist() == [41.0, 42.0]
    assert check_wave_file(path, "dt", DATE_WAVE, DATE_VARIABLES) == ([], [])


def test_the_date_mapped_to_a_numeric_item_is_named():
    path = realsav("datetime_ids.sav")
    specs = DATE_WAVE[:3] + [ColumnSpec("age", "date.posix")]
    expected = (f"wave 'dt': variable 'date.posix' (for age) in {path} is a datetime variable (DATETIME20), but age "
                "is a numeric item: map the variable that holds its codes or numbers (dates are not converted)")
    with pytest.raises(DataError) as err:
        ingest_wave(path, "dt", {"year": 2014}, specs, DATE_VARIABLES)
    assert str(err.value) == expected
    assert check_wave_file(path, "dt", specs, DATE_VARIABLES)[0] == [expected]


ESS_WAVE = [ColumnSpec("respondent_id", "idno"), ColumnSpec("weight", "dweight"), ColumnSpec("stratum", "cntry"),
            ColumnSpec("sex", "gndr"), ColumnSpec("age", "agea"), ColumnSpec("srh", "health"),
            ColumnSpec("postal_code", "region")]
ESS_VARIABLES = {"respondent_id": {"type": "id"}, "weight": {"type": "weight"}, "stratum": {"type": "design"},
                 "sex": {"type": "category", "values": {1: {}, 2: {}}},
                 "age": {"type": "numeric", "min": 0, "max": 120},
                 "srh": {"type": "category", "values": {1: {}, 2: {}, 3: {}, 4: {}, 5: {}}},
                 "postal_code": {"type": "code"}}


def test_ess_file_ingests_with_user_missing_counts_as_pspp(tmp_path):
    """The European Social Survey file as a wave: user-missing codes counted as PSPP's data show them."""
    path = realsav("ESS5RU.sav")
    result = ingest_wave(path, "ess", {"year": 2010}, ESS_WAVE, ESS_VARIABLES, min_age=15)
    data = pspp_csv(path, tmp_path)
    theirs = pspp_dictionary(path, tmp_path)
    for spec in ESS_WAVE:
        ranges = _pspp_missing(theirs[spec.source]["missing"])
        column = data[spec.source].str.strip()
        if not ranges or not column.str.fullmatch(r"-?[\d.]+").any():
            continue
        values = pd.to_numeric(column, errors="coerce")
        expected = Counter(v for v in values if any(lo <= v <= hi for lo, hi in ranges))
        ours = {float(k.split()[0]): n for k, n in result.audit["user_missing"].get(spec.canonical, {}).items()}
        assert ours == dict(expected), spec.canonical
    assert result.audit["rows_read"] == len(data) == result.audit["rows_kept"] + sum(result.audit["excluded"].values())
    assert set(result.respondents["postal_code"].dropna()) == {f"RU{i:02d}" for i in range(1, 11)}
    assert check_wave_file(path, "ess", ESS_WAVE, ESS_VARIABLES, min_age=15)[0] == []


def test_survey_extract_with_weights_ingests_as_pspp_reads_it(tmp_path):
    """The British Election Study extract (5,000 × 65, weights): kept respondents and their weights as in PSPP's
    data; validate finds nothing wrong, as ingest does not."""
    path = realsav("bes_survey_extract.sav")
    specs = [ColumnSpec("respondent_id", "id"), ColumnSpec("weight", "wt"), ColumnSpec("stratum", "country"),
             ColumnSpec("age", "age")]
    variables = {"respondent_id": {"type": "id"}, "weight": {"type": "weight"}, "stratum": {"type": "design"},
                 "age": {"type": "numeric", "min": 0, "max": 120}}
    data = pspp_csv(path, tmp_path)
    weights = pd.to_numeric(data["wt"].str.strip(), errors="coerce")
    ages = pd.to_numeric(data["age"].str.strip(), errors="coerce")
    assert (weights > 0).all()
    result = ingest_wave(path, "bes", {"year": 2023}, specs, variables)
    kept = ages >= 20
    assert result.audit["rows_read"] == len(data) and result.audit["rows_kept"] == int(kept.sum())
    assert result.respondents["respondent_id"].tolist() == data.loc[kept, "id"].str.strip().tolist()
    assert result.respondents["weight"].to_numpy() == pytest.approx(weights[kept].to_numpy(), rel=1e-12)
    assert check_wave_file(path, "bes", specs, variables) == ([], [])


def test_files_without_an_encoding_record_read_as_pspp_reads_them(tmp_path):
    for name in ("v13.sav", "v14.sav"):
        info = read_info(realsav(name))
        assert info.claimed_encoding == "US-ASCII"  # only the machine-integer record's character code
        assert len(describe_sav(realsav(name))["variables"]) == len(pspp_dictionary(realsav(name), tmp_path))


def test_validate_command_on_a_project_with_real_files(tmp_path, monkeypatch, capsys, root):
    """`ath-analysis validate` reports a real file's problems in ingest's words, all at once."""
    import shutil

    import yaml

    work = tmp_path / "project"
    shutil.copytree(root / "config", work / "config")
    config = yaml.safe_load((work / "config" / "config.yaml").read_text())
    config["data"]["synthetic"] = False
    config["waves"] = {"dt": {"file": str(realsav("datetime_ids.sav")), "survey": "haven", "year": 2014,
                              "fieldwork_date": "2014-09-22"}}
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    harmonization = yaml.safe_load((work / "config" / "harmonization.yaml").read_text())
    harmonization = {"dt": {"respondent_id": "tunnus", "weight": "paino", "stratum": "ositus", "age": "date"}}
    (work / "config" / "harmonization.yaml").write_text(yaml.safe_dump(harmonization))
    monkeypatch.chdir(work)
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert (f"wave 'dt': variable 'date' (for age) in {realsav('datetime_ids.sav')} is a date variable (ADATE10), "
            "but age is a numeric item") in err
    assert "Traceback" not in err
