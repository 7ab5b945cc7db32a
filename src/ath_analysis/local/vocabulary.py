"""What the local-knowledge workbook contains: its sheets, their columns and the words allowed in coded cells.

One table describes the workbook for everything that touches it (the template writer, the reader, the
checks), so a column added here appears in the template, is read and is checked. Coordinators write Finnish
(or English) words; the code works with the English identifiers (`code`). Matching is forgiving about case,
surrounding space and missing diacritics ("kumppanuuspoyta"), because a misspelt choice would otherwise cost
a round trip for no good reason.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Language = Literal["fi", "en"]
LANGUAGES: tuple[str, ...] = ("fi", "en")


def fold(text: str) -> str:
    """Case-, space- and diacritic-insensitive key of a word ('Kumppanuuspöytä ' → 'kumppanuuspoyta')."""
    decomposed = unicodedata.normalize("NFKD", " ".join(str(text).split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Choice:
    """One allowed value of a coded column: its identifier, its Finnish and English words and other spellings."""

    code: str
    fi: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "fi") -> str:
        return self.en if lang == "en" else self.fi


@dataclass(frozen=True)
class Vocabulary:
    """The closed list of choices of a coded column."""

    name: str
    choices: tuple[Choice, ...]
    _index: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for choice in self.choices:
            for word in (choice.code, choice.fi, choice.en, *choice.aliases):
                index.setdefault(fold(word), choice.code)
        object.__setattr__(self, "_index", index)

    def resolve(self, text: str) -> str | None:
        """The code of a word as written in a workbook, or None when it is not one of the choices."""
        return self._index.get(fold(text))

    def words(self, lang: str = "fi") -> list[str]:
        """The words a coordinator picks from (the template's drop-down list)."""
        return [c.label(lang) for c in self.choices]

    def label(self, code: str, lang: str = "fi") -> str:
        for choice in self.choices:
            if choice.code == code:
                return choice.label(lang)
        return code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)


SOURCES = Vocabulary("source", (
    Choice("interview", "haastattelu", "interview", ("avainhenkilöhaastattelu", "key-informant interview")),
    Choice("partnership_table", "kumppanuuspöytä", "partnership table", ("kumppanuuspöydät", "kumppanuuspoyta")),
    Choice("survey", "kysely", "survey", ("kyselytutkimus", "questionnaire")),
    Choice("other", "muu", "other"),
))

_ORGANISATIONS = (
    Choice("association", "järjestö", "association", ("yhdistys", "ry", "NGO")),
    Choice("business", "yritys", "business", ("company", "firm")),
    Choice("municipality", "kunta", "municipality", ("kaupunki", "town")),
    Choice("wellbeing_county", "hyvinvointialue", "wellbeing services county", ("hva", "wellbeing county")),
    Choice("parish", "seurakunta", "parish", ("church",)),
    Choice("other", "muu", "other"),
)
# Who raised an observation: residents speak for themselves; actors are organisations (never persons).
RAISED_BY = Vocabulary("raised_by", (Choice("resident", "asukas", "resident", ("asukkaat", "residents")),
                                      *_ORGANISATIONS))
ORGANISATION_TYPES = Vocabulary("organisation_type", _ORGANISATIONS)

ACTIVITIES = Vocabulary("activity", (
    Choice("events", "tapahtumat", "events", ("tapahtuma", "event")),
    Choice("counselling", "neuvonta", "counselling", ("ohjaus", "neuvonta ja ohjaus", "advice")),
    Choice("groups", "säännölliset ryhmät", "regular groups", ("ryhmätoiminta", "ryhmät", "groups")),
    Choice("information", "tiedotus", "information", ("viestintä", "tiedottaminen")),
    Choice("services", "palvelut", "services", ("palvelu", "service")),
    Choice("volunteering", "vapaaehtoistoiminta", "volunteering", ("vapaaehtoiset", "volunteers")),
    Choice("other", "muu", "other"),
))

STATUSES = Vocabulary("status", (
    Choice("planned", "suunnitteilla", "planned"),
    Choice("ongoing", "käynnissä", "ongoing", ("kaynnissa", "underway")),
    Choice("ended", "päättynyt", "ended", ("päättyi", "valmis", "finished")),
))

PUBLICATION = Vocabulary("publication", (
    Choice("public", "julkinen", "public"),  # never guessed from "kyllä": publishing is explicit
    Choice("summary_only", "vain yhteenveto", "summary only", ("yhteenveto", "vain yhteenvetona")),
    Choice("no", "ei", "no", ("ei julkinen", "not public", "salainen")),
))

YES_NO = Vocabulary("yes_no", (
    Choice("yes", "kyllä", "yes", ("true", "1", "x", "on")),
    Choice("no", "ei", "no", ("false", "0", "off")),
))

ColumnKind = Literal["id", "text", "date", "areas", "themes", "indicator", "choice", "choices", "list", "actors"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet. `kind` says how a cell is read and checked; `many` columns take a list."""

    field: str
    fi: str
    en: str
    kind: ColumnKind
    required: bool
    help_fi: str
    help_en: str
    vocabulary: Vocabulary | None = None
    width: int = 18

    def header(self, lang: str = "fi") -> str:
        return self.en if lang == "en" else self.fi

    def help(self, lang: str = "fi") -> str:
        return self.help_en if lang == "en" else self.help_fi

    @property
    def many(self) -> bool:
        """Does a cell hold a list (separated by ';', ',' or line breaks)?"""
        return self.kind in ("areas", "themes", "choices", "list", "actors")


@dataclass(frozen=True)
class Sheet:
    """One data sheet; `published` are the text columns that can appear in a report (the privacy screen's)."""

    key: str
    fi: str
    en: str
    columns: tuple[Column, ...]
    published: tuple[str, ...]

    def name(self, lang: str = "fi") -> str:
        return self.en if lang == "en" else self.fi

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


_LIST_HELP_FI = "Useita: erota puolipisteellä (;)."
_LIST_HELP_EN = "Several: separate with semicolons (;)."

OBSERVATIONS = Sheet("observations", "Havainnot", "Observations", (
    Column("id", "tunnus", "id", "id", True, "Havainnon yksilöivä tunnus, esim. H1.", "A unique id, e.g. H1.",
           width=10),
    Column("date", "päivämäärä", "date", "date", True, "Milloin havainto tehtiin (pp.kk.vvvv).",
           "When it was observed (dd.mm.yyyy or yyyy-mm-dd).", width=13),
    Column("source", "lähde", "source", "choice", True, "Haastattelu, kumppanuuspöytä, kysely tai muu.",
           "Interview, partnership table, survey or other.", SOURCES, width=17),
    Column("areas", "alue", "area", "areas", True,
           f"Alueen koodi tai nimi (kunta, osa-alue, alueryhmä, maakunta; ks. Koodit). {_LIST_HELP_FI}",
           f"Area code or name (municipality, sub-area, group, region; see Codes). {_LIST_HELP_EN}", width=22),
    Column("themes", "teema", "theme", "themes", True,
           f"Mittarin tunnus tai mittariryhmä (ks. Koodit). {_LIST_HELP_FI}",
           f"Indicator id or indicator group (see Codes). {_LIST_HELP_EN}", width=26),
    Column("raised_by", "kuka toi esiin", "raised by", "choice", True,
           "Toimijan tyyppi: asukas, järjestö, yritys, kunta, hyvinvointialue, seurakunta tai muu. Ei nimiä.",
           "Type of actor: resident, association, business, municipality, wellbeing services county, parish or "
           "other. No names.", RAISED_BY, width=17),
    Column("text", "havainto", "observation", "text", True,
           "Havainto lauseella tai kahdella. Ei nimiä, yhteystietoja eikä tunnistettavia henkilöitä.",
           "The observation in a sentence or two. No names, contact details or identifiable persons.", width=60),
    Column("publication", "julkaisu", "publication", "choice", True,
           "julkinen (lainauksena raporttiin), vain yhteenveto (vain lukumäärinä) tai ei (ei raporttiin).",
           "public (quoted in reports), summary only (counted only) or no (never in reports).", PUBLICATION,
           width=16),
), published=("text",))

ACTORS = Sheet("actors", "Toimijat", "Actors", (
    Column("id", "tunnus", "id", "id", True, "Toimijan yksilöivä tunnus, esim. T1.", "A unique id, e.g. T1.", width=10),
    Column("name", "nimi", "name", "text", True, "Organisaation nimi. Vain organisaatioita, ei henkilöitä.",
           "Name of the organisation. Organisations only, never persons.", width=34),
    Column("type", "tyyppi", "type", "choice", True,
           "järjestö, yritys, kunta, hyvinvointialue, seurakunta tai muu.",
           "association, business, municipality, wellbeing services county, parish or other.",
           ORGANISATION_TYPES, width=17),
    Column("areas", "toiminta-alue", "areas served", "areas", True, f"Alueet, joilla toimii. {_LIST_HELP_FI}",
           f"Areas it serves. {_LIST_HELP_EN}", width=24),
    Column("target_groups", "kohderyhmät", "target groups", "list", False,
           f"Esim. ikäihmiset; lapsiperheet. {_LIST_HELP_FI}", f"E.g. older people; families. {_LIST_HELP_EN}",
           width=24),
    Column("activities", "toimintamuodot", "activity types", "choices", False,
           "tapahtumat, neuvonta, säännölliset ryhmät, tiedotus, palvelut, vapaaehtoistoiminta, muu. "
           + _LIST_HELP_FI,
           "events, counselling, regular groups, information, services, volunteering, other. " + _LIST_HELP_EN,
           ACTIVITIES, width=26),
    Column("themes", "teemat", "themes", "themes", True, f"Mittarit tai mittariryhmät, joihin toiminta liittyy. "
           f"{_LIST_HELP_FI}", f"Indicators or indicator groups the work is about. {_LIST_HELP_EN}", width=26),
    Column("resources", "resurssit", "resources", "text", False, "Tilat, vapaaehtoiset, rahoitus, osaaminen…",
           "Premises, volunteers, funding, skills…", width=30),
    Column("challenges", "haasteet", "challenges", "text", False, "Mikä vaikeuttaa toimintaa.",
           "What makes the work hard.", width=30),
    Column("wishes", "toiveet", "wishes", "list", False,
           f"Esim. rahoitusinfo; hyvinvointidatan käyttö. {_LIST_HELP_FI}",
           f"E.g. funding information; use of well-being data. {_LIST_HELP_EN}", width=30),
), published=("name", "target_groups", "resources", "challenges", "wishes"))

ACTIONS = Sheet("actions", "Toimenpiteet", "Actions", (
    Column("id", "tunnus", "id", "id", True, "Toimenpiteen yksilöivä tunnus, esim. K1.", "A unique id, e.g. K1.",
           width=10),
    Column("title", "nimi", "title", "text", True, "Toimenpiteen tai kokeilun nimi.", "Title of the action or trial.",
           width=34),
    Column("areas", "alueet", "areas", "areas", True, f"Alueet, joita se koskee. {_LIST_HELP_FI}",
           f"Areas it covers. {_LIST_HELP_EN}", width=22),
    Column("themes", "kohdemittarit", "target indicators", "themes", True,
           f"Mittarit tai mittariryhmät, joihin pyritään vaikuttamaan. {_LIST_HELP_FI}",
           f"Indicators or groups it aims to change. {_LIST_HELP_EN}", width=26),
    Column("actors", "toimijat", "actors involved", "actors", False,
           f"Toimijoiden tunnukset tai nimet Toimijat-välilehdeltä. {_LIST_HELP_FI}",
           f"Ids or names of actors on the Actors sheet. {_LIST_HELP_EN}", width=22),
    Column("start", "alkaa", "start", "date", False, "Alkupäivä (tarvitaan, kun tila on käynnissä tai päättynyt).",
           "Start date (needed when ongoing or ended).", width=13),
    Column("end", "päättyy", "end", "date", False, "Loppupäivä (tarvitaan, kun tila on päättynyt).",
           "End date (needed when ended).", width=13),
    Column("status", "tila", "status", "choice", True, "suunnitteilla, käynnissä tai päättynyt.",
           "planned, ongoing or ended.", STATUSES, width=15),
    Column("evaluation", "arviointi", "how evaluated", "text", False, "Miten toimenpidettä arvioidaan.",
           "How the action is evaluated.", width=30),
    Column("result", "tulos", "result", "text", False, "Arvioinnin tulos, kun se on tiedossa.",
           "The result of the evaluation, when known.", width=30),
    Column("follow_indicator", "seurattava mittari", "indicator to follow", "indicator", False,
           "Yksi mittarin tunnus, jonka kehitystä seurataan (ks. Koodit).",
           "One indicator id whose values are followed (see Codes).", width=24),
), published=("title", "evaluation", "result"))

SHEETS: tuple[Sheet, ...] = (OBSERVATIONS, ACTORS, ACTIONS)

# The "Tiedot" (About) sheet: key–value rows describing the workbook itself.
ABOUT_SHEET = {"fi": "Tiedot", "en": "About"}
ABOUT_KEYS = {
    "example": ("esimerkki", "example"),
    "area": ("alue", "area"),
    "language": ("kieli", "language"),
    "made": ("laadittu", "made"),
}
INSTRUCTIONS_SHEET = {"fi": "Ohje", "en": "Instructions"}
CODES_SHEET = {"fi": "Koodit", "en": "Codes"}

# Cells of a list column are split on these.
LIST_SEPARATORS = r"[;,\n]"
