"""The privacy screen: personal data planted in text meant for publication is refused, and said where it is."""

from __future__ import annotations

import pytest

from ath_analysis.local.catalogue import ThemeCatalogue
from ath_analysis.local.privacy import NameLists, is_organisation_name, screen_text
from ath_analysis.local.workbook import check_workbook, read_workbook
from tests.localbooks import AREAS, TODAY, action, actor, observation, write_book

THEMES = ThemeCatalogue.flat({"loneliness": "Hyvinvointi ja osallisuus", "daily_smoking": "Elintavat"})

# 131052-308T is the Digital and Population Data Services Agency's published example code (valid check
# character T); 010594Y9032 is valid with a century sign of the 2023 reform.
VALID_CODES = ["131052-308T", "010594Y9032", "280264-051U"]


def kinds(text: str, **kwargs) -> list[str]:
    return [f.kind for f in screen_text(text, **kwargs)]


@pytest.mark.parametrize("code", VALID_CODES)
def test_identity_code_with_valid_check_character(code):
    found = screen_text(f"Asiakas {code} kertoi")
    assert [(f.kind, f.start, f.end) for f in found] == [("identity_code", 8, 19)]
    assert code[7:] not in found[0].describe()  # the individual number and check character are masked


def test_identity_code_with_wrong_check_character_is_still_refused():
    assert kinds("tunnus 131052-308U") == ["identity_code_like"]
    assert kinds("tunnus 131052-308t") == ["identity_code"]  # lower-case is the same code
    assert kinds("koodi 991399-1234") == []  # not a date: not a code


@pytest.mark.parametrize("text", [
    "Ota yhteyttä: liisa.korhonen@example.fi.",
    "Sähköposti matti(at)kunta.fi",
    "etunimi.sukunimi [at] mikkeli.fi",
])
def test_email_addresses(text):
    found = screen_text(text)
    assert [f.kind for f in found] == ["email"]
    assert "korhonen" not in found[0].describe() and "matti" not in found[0].describe()


@pytest.mark.parametrize("text", ["Soita 040 123 4567", "puh. 044-1234567", "+358 15 194 1234", "(015) 123 4567",
                                  "0401234567 illalla"])
def test_phone_numbers(text):
    assert kinds(text) == ["phone"]


@pytest.mark.parametrize("text", [
    "Vuosina 2018–2022 kylällä 50100 Mikkeli oli 12 osallistujaa, 1 500 euroa, klo 17–19, 1.5.2024.",
    "Kyläyhdistys järjesti tapahtuman Ristiinan kirkonkylällä; paikalla oli 40 asukasta.",
    "Mikkelin kaupunki ja Etelä-Savon hyvinvointialue järjestävät neuvontaa.",
    "Toivo on, että ryhmä jatkuu. Onni oli, että sää suosi.",  # first names as ordinary words
])
def test_ordinary_text_passes(text):
    assert screen_text(text) == []


def test_person_names():
    assert kinds("Liisa Korhonen kertoi") == ["person_name"]
    assert kinds("Korhonen Liisa kertoi") == ["person_name"]
    assert kinds("tapasimme Anna-Liisa Virtasen") == ["person_name"]
    found = screen_text("Paikalla oli Matti Virtanen.")
    assert found[0].describe() == "a person's name at characters 14–27 (M**** V*******)"
    # a name inside an organisation's name that is allowed (an actor on the Actors sheet) passes
    assert kinds("Aino Acktén seura ry järjesti", allowed=["Aino Acktén seura ry"]) == []
    # the lists can be given (e.g. to add local surnames)
    names = NameLists(frozenset({"Ukko"}), frozenset({"Pekka"}))
    assert kinds("Ukko Pekka", names=names) == ["person_name"]


def test_organisation_names():
    assert is_organisation_name("Ristiinan kyläyhdistys ry")
    assert is_organisation_name("Mikkelin seurakunta") and is_organisation_name("Esimerkkiyritys Oy")
    assert not is_organisation_name("Matti Mäkitalo")
    assert not is_organisation_name("Tmi Matti Virtanen")  # a sole trader's name is a person's


def test_workbook_refuses_planted_personal_data_in_published_text(tmp_path):
    path = write_book(
        tmp_path / "book.xlsx",
        [observation(havainto="Asukas (131052-308T) toivoi kerhoa."),
         observation(tunnus="H2", havainto="Lisätietoja liisa.korhonen@example.fi"),
         observation(tunnus="H3", havainto="Soita 040 123 4567"),
         observation(tunnus="H4", havainto="Liisa Korhonen kertoi kahvilasta.")],
        [actor(nimi="Matti Virtanen"),
         actor(tunnus="T2", nimi="Ikäihmisten kerho", resurssit="Yhteyshenkilö Liisa Korhonen, p. 050 1234 567"),
         actor(tunnus="T3", nimi="Aino Acktén seura ry")],
        [action(toimijat="T3", tulos="Kysy lisää: info(at)kerho.fi")],
    )
    problems = check_workbook(path, AREAS, THEMES, today=TODAY)
    where = [p.split(": ", 1)[0].split(", sheet ")[1] for p in problems]
    assert where == [
        "'Havainnot', row 2, column 'havainto'", "'Havainnot', row 3, column 'havainto'",
        "'Havainnot', row 4, column 'havainto'", "'Havainnot', row 5, column 'havainto'",
        "'Toimijat', row 2, column 'nimi'", "'Toimijat', row 3, column 'resurssit'",
        "'Toimijat', row 3, column 'resurssit'", "'Toimenpiteet', row 2, column 'tulos'",
    ]
    assert problems[0].endswith("a personal identity code (henkilötunnus) at characters 9–19 (131052-****) in text "
                                "that may be published")
    assert "an e-mail address" in problems[1] and "a phone number" in problems[2]
    assert "a person's name at characters 1–14" in problems[3]
    assert problems[4].endswith("a person's name at characters 1–14 (M**** V*******) in text that may be published;"
                                " actors are organisations, never persons")
    assert "a person's name" in problems[5] and "a phone number" in problems[6]
    assert "an e-mail address" in problems[7]
    message = "\n".join(problems)
    for secret in ("308T", "korhonen@", "123 4567", "Liisa Korhonen", "Matti Virtanen", "1234 567", "info(at)"):
        assert secret not in message  # the messages do not repeat the personal data


def test_text_that_is_not_published_is_not_screened_except_for_identity_codes(tmp_path):
    path = write_book(tmp_path / "book.xlsx",
                      [observation(havainto="Liisa Korhonen, 040 123 4567", julkaisu="ei"),
                       observation(tunnus="H2", havainto="liisa@example.fi", julkaisu="vain yhteenveto")])
    knowledge = read_workbook(path, AREAS, THEMES, today=TODAY)  # the coordinator's own notes may hold them
    assert len(knowledge.observations) == 2
    path = write_book(tmp_path / "code.xlsx", [observation(havainto="tunnus 131052-308T", julkaisu="ei")])
    assert check_workbook(path, AREAS, THEMES, today=TODAY) == [
        f"{path}, sheet 'Havainnot', row 2, column 'havainto': a personal identity code (henkilötunnus) at "
        f"characters 8–18 (131052-****); never write identity codes in the workbook"]


def test_area_names_and_organisations_are_not_taken_for_persons(tmp_path):
    path = write_book(tmp_path / "book.xlsx",
                      [observation(havainto="Aino Acktén seura ry ja Ristiina tekevät yhteistyötä.")],
                      [actor(tunnus="T3", nimi="Aino Acktén seura ry")])
    assert check_workbook(path, AREAS, THEMES, today=TODAY) == []
