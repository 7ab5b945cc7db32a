"""Published reference values: Sotkanet → the reference-values CSV (replayed from a recorded session), the checked
loader with its one-line errors, the config block, and choosing the value to show."""

from __future__ import annotations

import pandas as pd
import pytest

from ath_analysis.cli import main
from ath_analysis.errors import AthError, ConfigError
from ath_analysis.register import ReferenceValuesSettings, RegisterError, read_reference_values, reference_value
from ath_analysis.register import http as http_module
from ath_analysis.register.http import HttpClient
from ath_analysis.register.reference_values import (
    REFERENCE_COLUMNS,
    sotkanet_reference_values,
    write_reference_values,
)
from tests.register_support import DATA, ROOT, Cassette

SESSION = DATA / "sotkanet_session.json"
FIXTURE = DATA / "reference_values.csv"
MAPPING = {"daily_smoking": "4559", "obesity": 4550}


@pytest.fixture
def fetched(tmp_path) -> tuple[pd.DataFrame, Cassette]:
    cassette = Cassette(SESSION)
    from ath_analysis.register.sotkanet import SotkanetClient

    frame = sotkanet_reference_values(SotkanetClient(HttpClient(transport=cassette)), ["4559", "4550"])
    return frame, cassette


def test_sotkanet_rows_in_the_reference_format(fetched):
    frame, cassette = fetched
    assert list(frame.columns) == REFERENCE_COLUMNS
    assert len(set(cassette.requests)) == len(cassette.entries)  # metadata, regions once, data per indicator
    # only the Finnish levels are kept (Sweden, POHJOISMAAT, is dropped); a row without a value is dropped
    assert set(frame["region_level"]) == {"MAA", "MAAKUNTA", "HYVINVOINTIALUE", "KUNTA"}
    assert not ((frame["region_code"] == "507") & (frame["year"] == 2022)).any()
    national = frame.query("indicator == '4559' and region_level == 'MAA' and sex == 'total'")
    assert national[["year", "value"]].values.tolist() == [[2022, 11.9], [2023, 11.5]]
    assert set(frame["unit"]) == {"percent"}
    assert frame["ci_low"].isna().all() and frame["n"].isna().all()
    assert frame["source"].iloc[0] == "THL Sotkanet, indicator 4550, data updated 2024-05-15 (CC BY 4.0)"
    assert frame.query("region_level == 'KUNTA'")["region_code"].unique().tolist() == ["491"]
    assert frame["retrieved"].str.endswith("Z").all()


def test_written_sotkanet_rows_read_back_on_the_estimates_scale(fetched, tmp_path):
    frame, _ = fetched
    path = tmp_path / "reference_values.csv"
    write_reference_values(frame, path)
    values = read_reference_values(path, MAPPING)
    assert set(values["indicator"]) == {"daily_smoking", "obesity"}
    smoking = values.query("indicator == 'daily_smoking' and region_level == 'MAA' and sex == 'total'")
    assert smoking["source_indicator"].unique().tolist() == ["4559"]
    assert smoking["value"].tolist() == pytest.approx([0.119, 0.115])
    assert set(values["unit"]) == {"proportion"} and set(values["unit_published"]) == {"percent"}
    shown = reference_value(values, "obesity", year=2023)
    assert shown["value"] == pytest.approx(0.242) and shown["year"] == 2023
    assert "Sotkanet, indicator 4550" in shown["source"]


def test_hand_written_file_with_limits_and_respondents():
    values = read_reference_values(FIXTURE, {"daily_smoking": "4559", "qol_mean": "5000"})
    row = values.query("indicator == 'daily_smoking' and region_code == '10' and sex == 'male'").iloc[0]
    assert (row["value"], row["ci_low"], row["ci_high"], row["n"]) == pytest.approx((0.15, 0.124, 0.18, 560))
    assert set(values.query("region_level == 'MAAKUNTA'")["region_code"]) == {"10", "12"}
    assert values.query("region_level == 'KUNTA'")["region_code"].tolist() == ["091"]  # written 91 in the file
    qol = values.query("indicator == 'qol_mean'").iloc[0]
    assert (qol["value"], qol["unit"]) == (pytest.approx(3.9), "number")
    # the value shown for a year without a publication is the latest earlier one
    assert reference_value(values, "daily_smoking", year=2024)["year"] == 2023
    assert reference_value(values, "daily_smoking", year=2021) is None
    assert reference_value(values, "daily_smoking", year=2022, region_level="MAAKUNTA",
                           region_code="12")["value"] == pytest.approx(0.127)
    with pytest.raises(RegisterError, match=r"cover several regions \(10, 12\); set region_code"):
        reference_value(values, "daily_smoking", year=2022, region_level="MAAKUNTA")


def _edited(tmp_path, old: str, new: str, count: int = 1):
    text = FIXTURE.read_text()
    assert old in text
    path = tmp_path / "values.csv"
    path.write_text(text.replace(old, new, count))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("region_code,", "code,", r"values.csv: missing column\(s\) region_code"),
        ("2023,total,11.5", "2023,total,11,5x", r"values.csv: not a readable CSV table \(.*Expected 14 fields"),
        ("2023,total,11.5", "2023,total,11.5x", r"row 2 \(line 3\), column value: '11.5x' is not a number"),
        ("2023,total,11.5", "2023,both,11.5", r"row 2 \(line 3\), column sex: 'both' is not one of total, male, "),
        ("2023,total,11.5", "23,total,11.5", r"row 2 \(line 3\), column year: '23' is not a year"),
        ("11.5,10.9,12.2", "11.5,11.9,12.2", r"row 2 \(line 3\), column ci_low: the value is not between"),
        ("11.5,10.9,12.2,18011,percent", "11.5,10.9,12.2,18011,per cent", r"column unit: 'per cent' is not one"),
        ("11.5,10.9,12.2,18011", "11.5,10.9,12.2,-3", r"column n: '-3' is not a number of respondents"),
        ("11.5,10.9,12.2,18011", "115,10.9,120,18011", r"column value: 115 is outside 0–100 \(percent\)"),
        (",2023,total,", ",2022,total,", r"rows 1 and 2 are the same indicator, region, year and sex"),
        (",MAA,0,Koko maa,2023", ",,0,Koko maa,2023", r"row 2 \(line 3\), column region_level: empty"),
    ],
)
def test_bad_rows_are_one_line_errors(tmp_path, old, new, message):
    with pytest.raises(RegisterError, match=message) as error:
        read_reference_values(_edited(tmp_path, old, new), {"daily_smoking": "4559"})
    assert "\n" not in str(error.value)


def test_unmapped_or_missing_indicators_and_files(tmp_path):
    with pytest.raises(RegisterError, match=r"no rows for indicator\(s\) 9999 \(obesity\)"):
        read_reference_values(FIXTURE, {"daily_smoking": "4559", "obesity": 9999})
    with pytest.raises(RegisterError, match="reference values file not found"):
        read_reference_values(tmp_path / "none.csv", MAPPING)
    assert set(read_reference_values(FIXTURE, {"smoking": "4559"})["indicator"]) == {"smoking"}


def test_config_block():
    settings = ReferenceValuesSettings.from_config(
        {"file": "data/external/reference_values.csv", "indicators": {"daily_smoking": 4559},
         "region_level": "maakunta", "region_code": 10})
    assert settings == ReferenceValuesSettings(file="data/external/reference_values.csv",
                                               indicators={"daily_smoking": "4559"}, region_level="MAAKUNTA",
                                               region_code="10")
    with pytest.raises(ConfigError, match=r"reference_values: unknown field\(s\) indicator"):
        ReferenceValuesSettings.from_config({"file": "x.csv", "indicator": {}})
    with pytest.raises(ConfigError, match="field 'file'"):
        ReferenceValuesSettings.from_config({"indicators": {}})
    with pytest.raises(ConfigError, match=r"'indicators', obesity: \[1\] is not an indicator id"):
        ReferenceValuesSettings.from_config({"file": "x.csv", "indicators": {"obesity": [1]}})


def test_cli_reference_fetch(tmp_path, monkeypatch, capsys):
    cassette = Cassette(SESSION)
    monkeypatch.setattr(http_module, "urllib_transport", cassette)
    config = tmp_path / "config.yaml"
    out = tmp_path / "values.csv"
    config.write_text(f"reference_values:\n  file: {out}\n  indicators:\n    daily_smoking: 4559\n"
                      "    obesity: 4550\n")
    assert main(["reference", "fetch", "--config", str(config)]) == 0
    assert f"{out}: " in capsys.readouterr().out
    assert set(read_reference_values(out, MAPPING)["indicator"]) == {"daily_smoking", "obesity"}
    assert main(["reference", "fetch", "--indicator", "smoking", "--config", str(config)]) == 1
    assert "expected OUR_ID=SOTKANET_ID" in capsys.readouterr().err
    config.write_text("data: {}\n")
    assert main(["reference", "fetch", "--config", str(config)]) == 1
    assert "no reference_values block" in capsys.readouterr().err


def test_cli_reference_fetch_offline(tmp_path, monkeypatch, capsys):
    import urllib.error

    def offline(request, timeout):
        raise urllib.error.URLError("timed out")

    monkeypatch.setattr(http_module, "urllib_transport", offline)
    monkeypatch.chdir(ROOT)
    assert main(["reference", "fetch", "--indicator", "daily_smoking=4559", "--out", str(tmp_path / "v.csv")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach sotkanet.fi (timed out)" in err
    assert not (tmp_path / "v.csv").exists()
    assert issubclass(RegisterError, AthError)
