"""The workbook template, the synthetic EXAMPLE workbook, the catalogues from config, and `ath-analysis local`."""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ath_analysis.cli import main
from ath_analysis.config import load_config
from ath_analysis.local import joins
from ath_analysis.local.cli import configured_area, project_catalogues
from ath_analysis.local.template import write_template
from ath_analysis.local.vocabulary import SHEETS
from ath_analysis.local.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "config" / "templates"
REGENERATE = "run `python scripts/make_local_templates.py` and commit config/templates/"


@pytest.fixture(scope="module")
def config() -> dict:
    return load_config(ROOT / "config" / "config.yaml")


@pytest.fixture(scope="module")
def catalogues(config, tmp_path_factory):
    import os

    here = os.getcwd()
    os.chdir(ROOT)  # config paths are relative to the project root
    try:
        return project_catalogues(config)
    finally:
        os.chdir(here)


def content(path: Path) -> dict:
    """Everything a coordinator sees in a workbook: cell values, comments, drop-down lists, formats."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
        comments = {(c.row, c.column): c.comment.text for row in ws.iter_rows() for c in row if c.comment}
        rules = sorted((str(v.sqref), v.formula1, bool(v.showErrorMessage)) for v in ws.data_validations.dataValidation)
        formats = ({(c.row, c.column): c.number_format for row in ws.iter_rows(max_row=3) for c in row},
                   {k: (d.number_format, d.width) for k, d in ws.column_dimensions.items()})
        out[ws.title] = (cells, comments, rules, formats)
    return out


def test_area_catalogue_from_config(catalogues):
    areas, themes = catalogues
    assert areas["10"].label_fi == "Etelä-Savo" and areas["10"].label_en == "South Savo"
    municipalities = [a.code for a in areas if a.level == "municipality"]
    assert "491" in municipalities and "588" not in municipalities  # Pertunmaa merged into Mäntyharju in 2025
    assert "090" not in municipalities  # Heinävesi left the region in 2021
    assert areas.resolve("46") == "046" and areas.resolve("mikkeli") == "491" and areas.resolve("South Savo") == "10"
    # "Ristiina" is the former municipality (an area group); its village centre is the postal code area 52300
    assert areas["Ristiina"].level == "subarea_group" and areas.ancestors("Ristiina") == ("491", "10")
    assert areas["52300"].level == "subarea" and areas["52300"].value == "Ristiina"
    assert areas.for_cell("subarea", "Ristiina") == "52300" and areas.for_cell("subarea_group", "Ristiina") == \
        "Ristiina"
    assert areas.resolve("50100") == "Mikkeli 50100"  # a sub-area by its postal code
    assert "740" not in areas.around("491") and "52300" in areas.around("491") and "10" in areas.around("491")
    groups = [t.id for t in themes if t.is_group]
    assert "Elintavat" in groups and themes.resolve("Lifestyle") == "Elintavat"
    assert "daily_smoking" in themes.indicators_of("Elintavat")


def test_configured_area(config, catalogues):
    areas, _ = catalogues
    assert configured_area(config, "mikkeli", areas) == "491"
    assert configured_area(config, "etela-savo", areas) == "10"
    assert configured_area(config, "Ristiina", areas) == "Ristiina"
    with pytest.raises(Exception, match="unknown area 'mikkel'.*did you mean: mikkeli"):
        configured_area(config, "mikkel", areas)


def test_template_has_sheets_headers_lists_and_text_cells(tmp_path, catalogues):
    areas, themes = catalogues
    path = write_template(tmp_path / "t.xlsx", areas, themes, area="491")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Ohje", "Havainnot", "Toimijat", "Toimenpiteet", "Koodit", "Tiedot"]
    for sheet in SHEETS:
        ws = book[sheet.fi]
        assert [c.value for c in ws[1]] == [c.fi for c in sheet.columns]
        assert all(c.comment is not None for c in ws[1])  # every column explains itself
    observations = book["Havainnot"]
    formats = {c: observations.column_dimensions[c].number_format for c in "ABD"}
    assert formats == {"A": "@", "B": "d.m.yyyy", "D": "@"}  # area codes stay text: "046" keeps its zero
    rules = {str(v.sqref).split(":")[0]: v for v in observations.data_validations.dataValidation}
    assert rules["C2"].showErrorMessage and rules["C2"].formula1.startswith("='Koodit'!")  # source: a closed list
    assert not rules["D2"].showErrorMessage  # areas: a list to pick from, several allowed
    codes = [c.value for c in book["Koodit"]["A"][1:] if c.value]
    assert "491" in codes and "52300" in codes and "740" not in codes  # the areas around Mikkeli only
    assert book["Tiedot"]["A1"].value == "esimerkki" and book["Tiedot"]["B1"].value == "ei"
    assert book["Tiedot"]["B2"].value == "491"
    assert read_workbook(path, areas, themes).observations.empty  # an empty template passes the check


def test_english_template_reads_back(tmp_path, catalogues):
    areas, themes = catalogues
    path = write_template(tmp_path / "en.xlsx", areas, themes, lang="en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Instructions", "Observations", "Actors", "Actions", "Codes", "About"]
    assert read_workbook(path, areas, themes).actions.empty


def test_committed_template_is_what_the_generator_makes(tmp_path, catalogues):
    areas, themes = catalogues
    fresh = write_template(tmp_path / "paikallistieto.xlsx", areas, themes, lang="fi")
    assert content(TEMPLATES / "paikallistieto.xlsx") == content(fresh), REGENERATE


def test_committed_example_is_what_the_generator_makes(tmp_path, catalogues):
    areas, themes = catalogues
    example = read_workbook(TEMPLATES / "esimerkki_paikallistieto.yaml", areas, themes)
    fresh = write_template(tmp_path / "esimerkki.xlsx", areas, themes, knowledge=example)
    assert content(TEMPLATES / "esimerkki_paikallistieto.xlsx") == content(fresh), REGENERATE
    from_xlsx = read_workbook(TEMPLATES / "esimerkki_paikallistieto.xlsx", areas, themes)
    for sheet in ("observations", "actors", "actions"):  # the .xlsx reads back as its YAML source
        pd.testing.assert_frame_equal(getattr(from_xlsx, sheet).drop(columns="row"),
                                      getattr(example, sheet).drop(columns="row"))


def test_example_is_marked_as_example_everywhere(catalogues):
    areas, themes = catalogues
    path = TEMPLATES / "esimerkki_paikallistieto.xlsx"
    knowledge = read_workbook(path, areas, themes)
    assert knowledge.example
    book = openpyxl.load_workbook(path)
    assert book["Ohje"]["A1"].value.startswith("ESIMERKKI") and book.properties.keywords == "ESIMERKKI"
    assert book["Tiedot"]["B1"].value == "kyllä"
    texts = [*knowledge.observations["text"], *knowledge.actions["title"], *knowledge.actors["resources"]]
    assert all(t.startswith("ESIMERKKI") for t in texts)
    assert all("esimerkki" in n.casefold() for n in knowledge.actors["name"])
    assert set(knowledge.observations["publication"]) == {"public", "summary_only", "no"}  # every flag shown
    # every output made from it says so
    results = pd.DataFrame([{"indicator": i, "domain": a.level, "domain_value": a.value, "verdict": "worse"}
                            for i in themes.indicators for a in areas])
    shown = joins.joint_display(results, knowledge, areas, themes)
    assert shown.example and shown.cells["example"].all() and shown.note.startswith("ESIMERKKI")
    assert len(shown.quotes) > 0
    hidden = knowledge.observations.loc[knowledge.observations["publication"] != "public", "text"]
    for text in hidden:
        assert not shown.quotes["text"].eq(text).any()
    assert joins.need_map(results, knowledge, areas, themes)["example"].all()
    pack = joins.partnership_pack("491", results, knowledge, areas, themes)
    assert pack.example and pack.note.startswith("ESIMERKKI")


def test_cli_template_and_check(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "mikkeli.xlsx"
    assert main(["local", "template", "--area", "mikkeli", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"{out}: empty local-knowledge workbook for Mikkeli (491)"
    assert main(["local", "template", "--area", "mikkeli", "--out", str(out)]) == 1  # never overwrites silently
    assert "exists (a filled workbook?)" in capsys.readouterr().err
    assert main(["local", "check", str(out)]) == 0
    assert "0 observations (0 public), 0 actors, 0 actions; no problems found" in capsys.readouterr().out
    assert main(["local", "check", str(TEMPLATES / "esimerkki_paikallistieto.xlsx")]) == 0
    assert capsys.readouterr().out.strip().endswith("no problems found (EXAMPLE workbook)")
    book = openpyxl.load_workbook(out)
    for column, value in enumerate(["H1", "1.5.2025", "haastattelu", "419", "loneliness", "asukas", "Teksti."], 1):
        book["Havainnot"].cell(row=2, column=column, value=value)
    book.save(out)
    assert main(["local", "check", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "2 problem(s) found:"
    assert err[1].strip() == f"{out}, sheet 'Havainnot', row 2, column 'alue': unknown area '419' (did you mean: 491?)"
    assert "missing publication flag" in err[2]


def test_cli_template_for_an_unknown_area(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["local", "template", "--area", "419", "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "unknown area '419'" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_config_without_sub_areas(tmp_path, config):
    cfg = copy.deepcopy(config)
    cfg["geography"]["subareas"] = None
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        areas, _ = project_catalogues(cfg)
    finally:
        os.chdir(here)
    assert {a.level for a in areas} == {"region", "municipality"}


def test_workbook_problems_for_validate(tmp_path, config, monkeypatch):
    from ath_analysis.local.cli import workbook_problems

    monkeypatch.chdir(ROOT)
    assert workbook_problems(config, TEMPLATES / "esimerkki_paikallistieto.yaml") == []
    assert workbook_problems(config, tmp_path / "none.xlsx") == [f"{tmp_path / 'none.xlsx'}: local-knowledge "
                                                                 f"workbook not found"]
    broken = copy.deepcopy(config)
    broken["indicators"] = str(tmp_path / "missing.yaml")
    problems = workbook_problems(broken, TEMPLATES / "esimerkki_paikallistieto.yaml")
    assert len(problems) == 1 and "cannot check the local-knowledge workbook until this is fixed" in problems[0]


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_drop_down_texts_fit_excel_limits(tmp_path, catalogues, lang):
    """Excel declares a workbook damaged when a validation's prompt, error or title is too long."""
    areas, themes = catalogues
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", areas, themes, lang=lang))
    rules = [v for ws in book.worksheets for v in ws.data_validations.dataValidation]
    assert rules
    for rule in rules:
        assert len(rule.prompt or "") <= 255 and len(rule.error or "") <= 225
        assert len(rule.promptTitle or "") <= 32 and len(rule.errorTitle or "") <= 32
    assert all(len(name) <= 31 for name in book.sheetnames)
