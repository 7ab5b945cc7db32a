"""Config that is wrong, damaged or hostile: `validate` and the workflow's start refuse it the same way —
a message naming the file and the key, exit 1, no traceback, nothing evaluated, nothing written."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ath_analysis.cli import main

from .conftest import ROOT, run_snakemake

Edit = Callable[[Path], None]


def _replace(relative: str, old: str, new: str, count: int = 1) -> Edit:
    def edit(project: Path) -> None:
        path = project / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return edit


def _write(relative: str, text: str | bytes) -> Edit:
    def edit(project: Path) -> None:
        path = project / relative
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return edit


def _config_text() -> str:
    return (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")


LAUGHS = "".join(f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 9)}]\n" for k in range(1, 10))
LAUGHS = "l0: &l0 [lol]\n" + LAUGHS
CANARY = "canary-created-by-yte"
YTE = (f"__use_yte__: true\n"
       f"data:\n  synthetic: ?__import__('pathlib').Path('{CANARY}').touch() or True\n" + _config_text())

CP1252 = ("# Kävijät\n" + _config_text()).encode("cp1252", "replace")

CASES: dict[str, tuple[Edit, str]] = {
    "education not mapped in one wave": (
        _replace("config/harmonization.yaml", "  education: koulutusryhma\n", ""),
        "config/harmonization.yaml: wave 'ts2022' does not map 'education', which estimate.domains.education, "
        "compare.adjusters need(s)"),
    "empty domain set": (_replace("config/config.yaml", "    sex: [sex]\n", "    sex: [sex]\n    x: []\n"),
                         "estimate.domains.x: [] should be non-empty"),
    "column twice in a domain set": (_replace("config/config.yaml", "    sex: [sex]\n", "    sex: [sex, sex]\n"),
                                     "estimate.domains.sex: ['sex', 'sex'] has non-unique elements"),
    "unknown standardize_by": (_replace("config/config.yaml", "standardize_by: age_group",
                                        "standardize_by: nonexistent"),
                               "estimate.standardize_by: 'nonexistent' is not one of"),
    "impossible fieldwork date": (_replace("config/config.yaml", 'fieldwork_date: "2022-10-01"',
                                           'fieldwork_date: "2022-13-45"'),
                                  "waves.ts2022.fieldwork_date: '2022-13-45' is not a calendar date"),
    "level NaN": (_replace("config/config.yaml", "level: 0.95", "level: .nan"),
                  "estimate.level: nan is not a finite number"),
    "unknown sub-area municipality": (_replace("config/config.yaml", 'municipality: "491"', 'municipality: "000"'),
                                      "geography.subareas.municipality: '000' is not a municipality"),
    "variable min as text": (_replace("config/variables.yaml", "label_en: Age, min: 0,", 'label_en: Age, min: "0",'),
                             "config/variables.yaml: age.min: '0' is not of type 'number'"),
    "variable values as a list": (
        _replace("config/variables.yaml", "values: {1: {fi: Mies, en: Male}, 2: {fi: Nainen, en: Female}}",
                 "values: [Mies, Nainen]"),
        "config/variables.yaml: sex.values: ['Mies', 'Nainen'] is not of type 'object'"),
    "config saved in cp1252": (_write("config/config.yaml", CP1252),
                               "config/config.yaml:1: the file is not UTF-8 text"),
    "20,000-deep nesting": (_write("config/config.yaml", "waves: " + "[" * 20000 + "]" * 20000 + "\n"),
                            "config/config.yaml:1: nested more than 50 levels deep"),
    "YTE template": (_write("config/config.yaml", YTE),
                     "config/config.yaml:1: '__use_yte__' is not allowed"),
    "billion laughs": (_write("config/config.yaml", LAUGHS + _config_text()),
                       "expand to more than 10000 values"),
    "duplicate key in config": (_replace("config/config.yaml", "  min_n: 30\n", "  min_n: 30\n  min_n: 3\n"),
                                "key 'min_n' is given twice in the same block"),
    "duplicate key in harmonization": (_replace("config/harmonization.yaml", "  srh: terveys\n",
                                                "  srh: terveys\n  srh: terveys2\n"),
                                       "key 'srh' is given twice in the same block"),
    "indicator id with a newline": (_replace("config/indicators.yaml", "- id: srh_average_or_worse",
                                             '- id: "srh_average_or_worse\\n"'),
                                    "field 'id': must be snake_case"),
    "respondent data under reports": (_replace("config/config.yaml", "  synthetic_seed: 20261123\n",
                                               "  synthetic_seed: 20261123\n  processed_dir: reports/processed\n"),
                                      "data.processed_dir: reports/processed lies inside reports/"),
    "respondent data outside the project": (
        _replace("config/config.yaml", "  synthetic_seed: 20261123\n",
                 "  synthetic_seed: 20261123\n  raw_dir: ../elsewhere/raw\n"),
        "data.raw_dir: ../elsewhere/raw lies outside the project folder"),
    "workbook area typo": (_replace("config/templates/esimerkki_paikallistieto.yaml", "alue: Suomenniemi",
                                    "alue: Suomeniemi"),
                           "config/templates/esimerkki_paikallistieto.yaml, sheet 'Havainnot', entry 5, column 'alue': "
                           "unknown area 'Suomeniemi' (did you mean: Suomenniemi"),
    "example workbook beside real data": (
        _replace("config/config.yaml", "  synthetic: true\n", "  synthetic: false\n"),
        "local_knowledge: config/templates/esimerkki_paikallistieto.yaml is a made-up EXAMPLE workbook"),
}
WORKFLOW_CASES = ["education not mapped in one wave", "unknown sub-area municipality", "config saved in cp1252",
                  "20,000-deep nesting", "YTE template", "billion laughs", "duplicate key in config",
                  "indicator id with a newline", "level NaN", "workbook area typo"]


def _project(tmp_path: Path, edit: Edit) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "config", project / "config")
    shutil.copytree(ROOT / "workflow", project / "workflow")
    shutil.copy(ROOT / "Snakefile", project)
    edit(project)
    return project


def _listing(project: Path) -> dict[str, int]:
    return {str(p.relative_to(project)): p.stat().st_mtime_ns for p in project.rglob("*")
            if ".snakemake" not in p.parts}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_refuses_with_one_line_per_problem(case, tmp_path, monkeypatch, capsys):
    edit, expected = CASES[case]
    project = _project(tmp_path, edit)
    monkeypatch.chdir(project)
    before = _listing(project)
    started = time.perf_counter()
    assert main(["validate"]) == 1
    assert time.perf_counter() - started < 10
    captured = capsys.readouterr()
    assert expected in captured.err, captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not (project / CANARY).exists()
    assert _listing(project) == before


@pytest.mark.parametrize("case", WORKFLOW_CASES)
def test_the_workflow_refuses_before_any_job(case, tmp_path):
    edit, expected = CASES[case]
    project = _project(tmp_path, edit)
    before = _listing(project)
    started = time.perf_counter()
    run = run_snakemake(project, "-n")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-2000:]
    assert expected in output, output[-2000:]
    assert "ath-analysis: error:" in output and "Traceback" not in output
    assert not (project / CANARY).exists()
    assert {k for k in _listing(project) if not k.startswith(("logs", ".snakemake"))} == set(before)
    if case == "billion laughs":
        assert time.perf_counter() - started < 30  # Snakemake's own start-up included; the refusal itself is fast


def test_billion_laughs_is_refused_in_under_two_seconds(tmp_path):
    from ath_analysis.errors import ConfigError
    from ath_analysis.yaml_files import read_yaml

    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="expand to more than"):
        read_yaml(path)
    assert time.perf_counter() - started < 2


def test_a_small_alias_is_still_fine(tmp_path):
    from ath_analysis.yaml_files import read_yaml

    path = tmp_path / "ok.yaml"
    path.write_text("base: &base {a: 1, b: [1, 2]}\nother:\n  <<: *base\n  c: 3\n", encoding="utf-8")
    assert read_yaml(path) == {"base": {"a": 1, "b": [1, 2]}, "other": {"a": 1, "b": [1, 2], "c": 3}}


def test_the_default_project_validates(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["validate"]) == 0, capsys.readouterr().err


def test_data_outside_the_project_when_allowed(tmp_path, monkeypatch, capsys):
    """data.allow_outside_project: true is the way to keep respondent data on another disk."""
    project = _project(tmp_path, _replace("config/config.yaml", "  synthetic_seed: 20261123\n",
                                          "  synthetic_seed: 20261123\n  raw_dir: ../elsewhere/raw\n"
                                          "  allow_outside_project: true\n"))
    monkeypatch.chdir(project)
    assert main(["validate"]) == 0, capsys.readouterr().err
