"""The ath-analysis command: inspect, validate and synth, including their failures and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyreadstat
import pytest
import yaml

from ath_analysis.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_inspect_lists_labels_codes_and_user_missing(synthetic_dir, capsys):
    assert main(["inspect", str(synthetic_dir / "ath2012.sav")]) == 0
    out = capsys.readouterr().out
    assert "k120  [numeric]  Kotitalouden menojen kattaminen tuloilla" in out
    assert "user-missing 9 = En osaa sanoa:" in out
    assert "696 Ristiina" in out
    _, meta = pyreadstat.read_sav(str(synthetic_dir / "ath2012.sav"), metadataonly=True)
    assert f"{meta.number_rows} rows, {meta.number_columns} variables" in out


def test_inspect_json_counts_add_up(synthetic_dir, capsys):
    import json

    assert main(["inspect", "--json", str(synthetic_dir / "ts2022.sav")]) == 0
    description = json.loads(capsys.readouterr().out)
    srh = next(v for v in description["variables"] if v["name"] == "terveys")
    user_missing = sum(u["n"] for u in srh["user_missing_codes"])
    assert srh["user_missing_codes"][0]["label"] == "Ei vastausta"
    assert srh["n_valid"] + srh["n_system_missing"] + user_missing == description["rows"]
    assert sum(c["n"] for c in srh["codes"] if c["code"] != 99) == srh["n_valid"]


def test_inspect_bad_file_exits_nonzero(tmp_path, capsys):
    bad = tmp_path / "table.sav"
    bad.write_text("a;b\n1;2\n")
    assert main(["inspect", str(bad)]) == 1
    assert "is not an SPSS .sav file" in capsys.readouterr().err


def _project_copy(tmp_path: Path, synthetic_dir: Path) -> Path:
    work = tmp_path / "project"
    shutil.copytree(ROOT / "config", work / "config")
    shutil.copytree(ROOT / "workflow", work / "workflow")
    config = yaml.safe_load((work / "config" / "config.yaml").read_text())
    for wave, spec in config["waves"].items():
        spec["file"] = str(synthetic_dir / f"{wave}.sav")
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return work


def test_validate_accepts_the_project(tmp_path, synthetic_dir, monkeypatch, capsys):
    work = _project_copy(tmp_path, synthetic_dir)
    monkeypatch.chdir(work)
    assert main(["validate"]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_reports_every_problem_at_once(tmp_path, synthetic_dir, monkeypatch, capsys):
    work = _project_copy(tmp_path, synthetic_dir)
    harmonization = work / "config" / "harmonization.yaml"
    text = harmonization.read_text().replace("srh: k13", "srh: k133").replace("  loneliness: q11", "  lonelyness: q11")
    harmonization.write_text(text)
    indicators = work / "config" / "indicators.yaml"
    indicators.write_text(indicators.read_text().replace("definition: weight_kg", "definition: wieght_kg", 1))
    monkeypatch.chdir(work)
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert "variable 'k133' (for srh) is not in" in err and "did you mean: k13" in err
    assert "'lonelyness' is not a canonical variable (did you mean: loneliness?)" in err
    assert "indicators.yaml: indicator 'obesity', field 'definition': unknown variable 'wieght_kg'" in err


def test_console_script_exit_codes(tmp_path):
    script = shutil.which("ath-analysis", path=str(Path(sys.executable).parent))
    assert script, "the ath-analysis console script is installed with the package"
    ok = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert ok.returncode == 0 and "ath-analysis" in ok.stdout
    missing = subprocess.run([script, "inspect", str(tmp_path / "nope.sav")], capture_output=True, text=True)
    assert missing.returncode == 1 and "not found" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.parametrize("wave", ["ts2022"])
def test_synth_writes_requested_wave(tmp_path, monkeypatch, capsys, wave):
    monkeypatch.chdir(ROOT)
    assert main(["synth", "--out", str(tmp_path), "--waves", wave, "--seed", "7"]) == 0
    assert (tmp_path / f"{wave}.sav").is_file() and (tmp_path / f"population_{wave}.parquet").is_file()
    assert "SYNTHETIC" in capsys.readouterr().out
    assert main(["synth", "--out", str(tmp_path), "--waves", "ath2013"]) == 1
    assert "unknown synthetic wave 'ath2013'" in capsys.readouterr().err
