"""`ath-analysis manifest`: each wave file's case count and sha256 written into config.yaml (comments kept);
with them, a replaced or truncated file stops validate and ingest with a message that names it."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ath_analysis.cli import main
from ath_analysis.ingest import sha256_of
from ath_analysis.savfile import read_info

from .savfiles import rewrite_sav

ROOT = Path(__file__).resolve().parents[1]


def _real_data_project(tmp_path: Path, synthetic_dir: Path) -> Path:
    """A copy of the project's config with data.synthetic false and the waves' files copied beside it."""
    work = tmp_path / "project"
    shutil.copytree(ROOT / "config", work / "config")
    (work / "data").mkdir()
    text = (work / "config" / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("  synthetic: true", "  synthetic: false")
    assert "\nlocal_knowledge: config/templates/" in text  # real data: the EXAMPLE workbook is refused
    text = text.replace("\nlocal_knowledge: config/templates/esimerkki_paikallistieto.yaml", "\nlocal_knowledge: null")
    for wave in ("ath2012", "finsote2018", "ts2022"):
        shutil.copy(synthetic_dir / f"{wave}.sav", work / "data" / f"{wave}.sav")
        text = text.replace(f"file: data/raw/synthetic/{wave}.sav", f"file: data/{wave}.sav")
    (work / "config" / "config.yaml").write_text(text, encoding="utf-8")
    return work


def test_manifest_is_written_into_config_and_keeps_its_comments(tmp_path, synthetic_dir, monkeypatch, capsys):
    work = _real_data_project(tmp_path, synthetic_dir)
    monkeypatch.chdir(work)
    before = (work / "config" / "config.yaml").read_text(encoding="utf-8")
    assert main(["manifest"]) == 0
    after = (work / "config" / "config.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(after)
    for wave in ("ath2012", "finsote2018", "ts2022"):
        path = work / "data" / f"{wave}.sav"
        assert config["waves"][wave]["sha256"] == sha256_of(path)
        assert config["waves"][wave]["expected_rows"] == read_info(path).rows
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments and comments == [line for line in after.splitlines() if line.lstrip().startswith("#")]
    assert {k: v for k, v in config.items() if k != "waves"} == {
        k: v for k, v in yaml.safe_load(before).items() if k != "waves"}
    out = capsys.readouterr().out
    assert "wave 'ts2022': expected_rows " in out
    # rerun: the same file, nothing duplicated
    assert main(["manifest"]) == 0
    assert (work / "config" / "config.yaml").read_text(encoding="utf-8") == after
    capsys.readouterr()
    assert main(["validate"]) == 0, capsys.readouterr().err


def test_a_changed_file_fails_validate_after_the_manifest(tmp_path, synthetic_dir, monkeypatch, capsys):
    work = _real_data_project(tmp_path, synthetic_dir)
    monkeypatch.chdir(work)
    assert main(["manifest", "--waves", "ts2022"]) == 0
    wave_file = work / "data" / "ts2022.sav"
    rows = read_info(wave_file).rows
    rewrite_sav(wave_file, tmp_path / "fewer.sav", lambda d: d.iloc[:-3])
    shutil.copy(tmp_path / "fewer.sav", wave_file)
    capsys.readouterr()
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert "wave 'ts2022': data/ts2022.sav is not the file the manifest in config names: its sha256 is " in err
    assert f"wave 'ts2022': data/ts2022.sav holds {rows - 3:,} cases, the manifest in config says {rows:,}" in err
    assert "ath2012" not in err  # waves without a manifest are not affected


def test_manifest_print_and_refusals(tmp_path, synthetic_dir, monkeypatch, capsys):
    work = _real_data_project(tmp_path, synthetic_dir)
    monkeypatch.chdir(work)
    assert main(["manifest", "--print", "--waves", "ath2012"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed == {"waves": {"ath2012": {"expected_rows": read_info(work / "data" / "ath2012.sav").rows,
                                             "sha256": sha256_of(work / "data" / "ath2012.sav")}}}
    assert main(["manifest", "--waves", "ath2013"]) == 1
    assert "no wave 'ath2013' under waves (did you mean: ath2012?)" in capsys.readouterr().err
    monkeypatch.chdir(ROOT)
    assert main(["manifest", "--config", str(ROOT / "config" / "config.yaml")]) == 1
    assert "data.synthetic is true" in capsys.readouterr().err
