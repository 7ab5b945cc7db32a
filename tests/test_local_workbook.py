"""Reading and checking the local-knowledge workbook: one bad workbook per check, built here with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import yaml

from ath_analysis.errors import AthError
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.local.catalogue import ThemeCatalogue
from ath_analysis.local.workbook import WorkbookError, check_workbook, read_workbook
from tests.localbooks import (
    ACTION_HEADERS,
    AREAS,
    OBSERVATION_HEADERS,
    TODAY,
    action,
    actor,
    observation,
    write_book,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def themes() -> ThemeCatalogue:
    indicators = load_indicators(ROOT / "config" / "indicators.yaml",
                                 variables=canonical_variables(ROOT / "config" / "variables.yaml"))
    return ThemeCatalogue.from_indicators(indicators)


def problems_of(path: Path, themes: ThemeCatalogue) -> list[str]:
    return check_workbook(path, AREAS, themes, today=TODAY)


def only_problem(path: Path, themes: ThemeCatalogue) -> str:
    problems = problems_of(path, themes)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_workbook_is_read_with_codes_resolved(tmp_path, themes):
    path = write_book(tmp_path / "ok.xlsx",
                      [observation(), observation(tunnus="H2", alue="Mikkeli; 46", teema="Lifestyle, loneliness",
                                                  lähde="Interview", julkaisu="vain yhteenveto",
                                                  **{"kuka toi esiin": "Hyvinvointialue"})],
                      [actor()], [action(toimijat="Kyläyhdistys ry")])
    assert problems_of(path, themes) == []
    knowledge = read_workbook(path, AREAS, themes, today=TODAY)
    second = knowledge.observations.iloc[1]
    assert second["areas"] == ("491", "046")  # a name, and a code whose leading zero Excel dropped
    assert second["themes"] == ("Elintavat", "loneliness")  # the English group name means the group
    assert (second["source"], second["publication"], second["raised_by"]) == ("interview", "summary_only",
                                                                                "wellbeing_county")
    assert second["date"] == dt.date(2025, 3, 12) and second["row"] == 3
    first_actor = knowledge.actors.iloc[0]
    assert first_actor["activities"] == ("events", "groups") and first_actor["wishes"] == ("rahoitusinfo",)
    first_action = knowledge.actions.iloc[0]
    assert first_action["actors"] == ("T1",)  # referred to by name, stored by id
    assert first_action["status"] == "ongoing" and first_action["start"] == dt.date(2019, 1, 15)
    assert not knowledge.example


def test_unknown_area_names_the_place_and_a_close_match(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(), observation(tunnus="H2", alue="419")])
    assert only_problem(path, themes) == (f"{path}, sheet 'Havainnot', row 3, column 'alue': unknown area '419' "
                                          f"(did you mean: 491?)")


def test_unknown_theme_names_a_close_match(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(teema="lonelines")])
    problem = only_problem(path, themes)
    assert problem.startswith(f"{path}, sheet 'Havainnot', row 2, column 'teema': unknown theme 'lonelines'")
    assert problem.endswith("(did you mean: loneliness?)")


def test_missing_publication_flag(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(julkaisu=None)])
    assert only_problem(path, themes) == (f"{path}, sheet 'Havainnot', row 2, column 'julkaisu': missing "
                                          f"publication flag (write julkinen, vain yhteenveto or ei)")


def test_unknown_publication_word_is_not_guessed(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(julkaisu="kyllä")])
    assert "'kyllä' is not one of julkinen, vain yhteenveto, ei" in only_problem(path, themes)


@pytest.mark.parametrize(("value", "message"), [
    ("31.2.2025", "'31.2.2025' is not a valid date"),
    ("ensi viikolla", "'ensi viikolla' is not a date (write 1.5.2024 or 2024-05-01)"),
    (45413, "'45413' is a number, not a date"),
    ("1.7.1890", "implausible date 01.07.1890"),
    (dt.datetime(2026, 7, 1), "01.07.2026 is in the future"),
])
def test_bad_observation_dates(tmp_path, themes, value, message):
    path = write_book(tmp_path / "book.xlsx", [observation(päivämäärä=value)])
    problem = only_problem(path, themes)
    assert problem.startswith(f"{path}, sheet 'Havainnot', row 2, column 'päivämäärä': ")
    assert message in problem


def test_dates_written_as_text_are_read(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(päivämäärä="1.5.2025"),
                                               observation(tunnus="H2", päivämäärä="2025-05-02")])
    dates = read_workbook(path, AREAS, themes, today=TODAY).observations["date"].tolist()
    assert dates == [dt.date(2025, 5, 1), dt.date(2025, 5, 2)]


@pytest.mark.parametrize(("values", "column", "message"), [
    ({"alkaa": dt.datetime(2025, 5, 1), "päättyy": dt.datetime(2025, 4, 1), "tila": "päättynyt"}, "päättyy",
     "ends 01.04.2025, before it starts (01.05.2025)"),
    ({"alkaa": None}, "alkaa", "a start date is needed when the status is käynnissä"),
    ({"tila": "päättynyt"}, "päättyy", "an end date is needed when the status is päättynyt"),
    ({"alkaa": dt.datetime(2026, 9, 1)}, "alkaa", "starts 01.09.2026, in the future, but the status is käynnissä"),
    ({"päättyy": dt.datetime(2026, 12, 1), "tila": "päättynyt"}, "päättyy",
     "ends 01.12.2026, in the future, but the status is päättynyt"),
])
def test_action_dates_against_status(tmp_path, themes, values, column, message):
    path = write_book(tmp_path / "book.xlsx", actors=[actor()], actions=[action(**values)])
    assert only_problem(path, themes) == f"{path}, sheet 'Toimenpiteet', row 2, column '{column}': {message}"


def test_planned_action_needs_no_dates(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", actors=[actor()], actions=[action(alkaa=None, tila="suunnitteilla")])
    assert problems_of(path, themes) == []


def test_unreadable_start_is_reported_once(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", actors=[actor()], actions=[action(alkaa="syksyllä")])
    assert only_problem(path, themes).endswith("column 'alkaa': 'syksyllä' is not a date (write 1.5.2024 or "
                                               "2024-05-01)")


def test_duplicate_ids_and_actor_names(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(), observation(), observation(tunnus="h1 ")],
                      [actor(), actor(tunnus="T2", nimi="kyläyhdistys RY")])
    problems = problems_of(path, themes)
    assert problems == [
        f"{path}, sheet 'Havainnot', row 3, column 'tunnus': duplicate id 'H1' (also in row 2)",
        f"{path}, sheet 'Havainnot', row 4, column 'tunnus': duplicate id 'h1' (also in row 2)",
        f"{path}, sheet 'Toimijat', row 3, column 'nimi': duplicate name 'kyläyhdistys RY' (also in row 2)",
    ]


def test_unknown_actor_in_an_action(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", actors=[actor()], actions=[action(toimijat="T1; Kyläyhdistys")])
    assert only_problem(path, themes) == (f"{path}, sheet 'Toimenpiteet', row 2, column 'toimijat': 'Kyläyhdistys' "
                                          f"is not an actor on the sheet 'Toimijat' (did you mean: Kyläyhdistys ry?)")


def test_a_resident_is_not_an_actor(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", actors=[actor(tyyppi="asukas")])
    assert "actors are organisations, never persons" in only_problem(path, themes)


def test_indicator_to_follow_must_be_one_indicator(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", actors=[actor()],
                      actions=[action(**{"seurattava mittari": "Elintavat"}),
                               action(tunnus="K2", **{"seurattava mittari": "smoking"})])
    problems = problems_of(path, themes)
    assert len(problems) == 2
    assert problems[0].endswith("column 'seurattava mittari': 'Elintavat' is an indicator group; name one indicator "
                                "of it")
    assert problems[1].endswith("'smoking' is not an indicator id (did you mean: daily_smoking?)")


def test_bad_choice_lists_the_allowed_words(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(lähde="palaveri")], [actor(toimintamuodot="tapahtumat; "
                                                                                                     "kahvit")])
    problems = problems_of(path, themes)
    assert problems == [
        f"{path}, sheet 'Havainnot', row 2, column 'lähde': 'palaveri' is not one of haastattelu, kumppanuuspöytä, "
        f"kysely, muu",
        f"{path}, sheet 'Toimijat', row 2, column 'toimintamuodot': 'kahvit' is not one of tapahtumat, neuvonta, "
        f"säännölliset ryhmät, tiedotus, palvelut, vapaaehtoistoiminta, muu",
    ]


def test_missing_required_values(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(alue=None, havainto="  ")])
    assert problems_of(path, themes) == [f"{path}, sheet 'Havainnot', row 2, column 'alue': missing value",
                                         f"{path}, sheet 'Havainnot', row 2, column 'havainto': missing value"]


def test_misspelt_and_missing_columns_and_sheets(tmp_path, themes):
    headers = [h if h != "julkaisu" else "julkasu" for h in OBSERVATION_HEADERS]
    path = write_book(tmp_path / "book.xlsx", [observation(julkasu="julkinen")], headers={"Havainnot": headers},
                      sheets=("Havainnot", "Toimijat"))
    assert problems_of(path, themes) == [
        f"{path}, sheet 'Havainnot': unknown column 'julkasu' (did you mean: julkaisu?)",
        f"{path}, sheet 'Havainnot': missing column 'julkaisu' (publication)",
        f"{path}: no sheet 'Toimenpiteet' (Actions); keep it, even when empty",
    ]


def test_all_problems_are_reported_at_once(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation(alue="419", julkaisu=None), observation(teema="x")],
                      [actor(tyyppi="asukas")], [action(toimijat="T9", alkaa="eilen")])
    problems = problems_of(path, themes)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "unknown area '419' (did you mean: 491?)",
        "missing publication flag (write julkinen, vain yhteenveto or ei)",
        "unknown theme 'x' (an indicator id or an indicator group)",
        "duplicate id 'H1' (also in row 2)",
        "actors are organisations, never persons; what residents say goes to the sheet 'Havainnot'",
        "'eilen' is not a date (write 1.5.2024 or 2024-05-01)",
        "'T9' is not an actor on the sheet 'Toimijat'",
    ]
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path, AREAS, themes, today=TODAY)
    assert isinstance(caught.value, AthError)
    assert str(caught.value).splitlines()[0] == "7 problem(s) in the local-knowledge workbook:"
    assert caught.value.problems == problems


def test_unreadable_files(tmp_path, themes):
    assert check_workbook(tmp_path / "none.xlsx", AREAS, themes) == [f"{tmp_path / 'none.xlsx'}: local-knowledge "
                                                                     f"workbook not found"]
    text = tmp_path / "book.txt"
    text.write_text("tunnus;alue\n")
    assert "expected an Excel workbook (.xlsx), a YAML file (.yaml) or a folder of CSV files" in \
        check_workbook(text, AREAS, themes)[0]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert check_workbook(broken, AREAS, themes)[0].startswith(f"{broken}: cannot read as an Excel workbook")
    bad_yaml = tmp_path / "book.yaml"
    bad_yaml.write_text("Havainnot: [unclosed\n")
    assert check_workbook(bad_yaml, AREAS, themes)[0].startswith(f"{bad_yaml}: not valid YAML")


def test_csv_folder_and_yaml_read_like_the_workbook(tmp_path, themes):
    rows = [observation(päivämäärä="12.3.2025"), observation(tunnus="H2", päivämäärä="12.3.2025", alue="046",
                                                             havainto="Päivä, jona kaikki tulivat.")]
    xlsx = read_workbook(write_book(tmp_path / "book.xlsx", rows, [actor()], [action(alkaa="15.1.2019")]), AREAS,
                         themes, today=TODAY)
    folder = tmp_path / "csv"
    folder.mkdir()

    def write_csv(name: str, headers: list[str], records: list[dict], encoding: str) -> None:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(headers)
        writer.writerows([[r.get(h) or "" for h in headers] for r in records])
        (folder / name).write_bytes(out.getvalue().encode(encoding))

    # Excel's "CSV (semicolon)" in Finnish Windows: cp1252 and ';'
    write_csv("Havainnot.csv", OBSERVATION_HEADERS, [{**r, "päivämäärä": "12.3.2025"} for r in rows], "cp1252")
    write_csv("toimijat.csv", list(actor()), [actor()], "utf-8-sig")
    write_csv("Toimenpiteet.csv", ACTION_HEADERS, [action(alkaa="15.1.2019")], "utf-8")
    from_csv = read_workbook(folder, AREAS, themes, today=TODAY)
    document = {"Havainnot": [{**r, "päivämäärä": "12.3.2025"} for r in rows], "Toimijat": [actor()],
                "Toimenpiteet": [{k: v for k, v in action(alkaa="15.1.2019").items() if v is not None}]}
    (tmp_path / "book.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    from_yaml = read_workbook(tmp_path / "book.yaml", AREAS, themes, today=TODAY)
    for other in (from_csv, from_yaml):
        for sheet in ("observations", "actors", "actions"):
            ours, theirs = getattr(xlsx, sheet).drop(columns="row"), getattr(other, sheet).drop(columns="row")
            assert ours.equals(theirs), (sheet, ours.compare(theirs))
    assert from_yaml.observations["row"].tolist() == [1, 2]  # YAML problems name the entry
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"Havainnot": [observation(alue="419")], "Toimijat": [],
                                                       "Toimenpiteet": []}, allow_unicode=True, default_style=None))
    assert check_workbook(tmp_path / "bad.yaml", AREAS, themes, today=TODAY) == [
        f"{tmp_path / 'bad.yaml'}, sheet 'Havainnot', entry 1, column 'alue': unknown area '419' (did you mean: 491?)"]


def test_english_sheet_and_column_names_are_read(tmp_path, themes):
    english = ["id", "date", "source", "area", "theme", "raised by", "observation", "publication"]
    path = tmp_path / "en.xlsx"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Observations"
    book.active.append(english)
    book.active.append(["O1", dt.datetime(2025, 1, 2), "partnership table", "Mikkeli", "loneliness", "resident",
                        "People meet at the village hall.", "public"])
    book.create_sheet("Actors").append(["id", "name", "type", "areas served", "themes"])
    book.create_sheet("Actions").append(["id", "title", "areas", "target indicators", "status"])
    book.save(path)
    knowledge = read_workbook(path, AREAS, themes, today=TODAY)
    assert knowledge.observations.iloc[0][["source", "areas", "publication"]].tolist() == [
        "partnership_table", ("491",), "public"]


def test_about_sheet_marks_an_example(tmp_path, themes):
    path = write_book(tmp_path / "book.xlsx", [observation()], about={"esimerkki": "kyllä", "alue": "Mikkeli"})
    knowledge = read_workbook(path, AREAS, themes, today=TODAY)
    assert knowledge.example and knowledge.area == "491"
    bad = write_book(tmp_path / "bad.xlsx", [observation()], about={"esimerkki": "ehkä", "alue": "Mikkel"})
    assert problems_of(bad, themes) == [f"{bad}, sheet 'Tiedot': 'esimerkki' must be kyllä or ei, got 'ehkä'",
                                        f"{bad}, sheet 'Tiedot': unknown area 'Mikkel' (did you mean: Mikkeli?)"]
