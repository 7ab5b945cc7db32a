"""Finnish and English words of the local-knowledge outputs: the template's instructions, labels, reading notes.

Everything a coordinator or a report reader sees from this package is here, so a translation is one edit.
`tr(key, lang, **values)` fills `{placeholders}`; Finnish is the default.
"""

from __future__ import annotations

from typing import Any

STRINGS: dict[str, dict[str, Any]] = {
    "example_stamp": {"fi": "ESIMERKKI – keksitty paikallistieto, ei todellisia havaintoja",
                      "en": "EXAMPLE – made-up local knowledge, not real observations"},
    "example_short": {"fi": "ESIMERKKI", "en": "EXAMPLE"},
    "template_title": {"fi": "Paikallistiedon työkirja: {area}", "en": "Local-knowledge workbook: {area}"},
    "instructions": {
        "fi": [
            "Tähän työkirjaan kootaan paikallinen tieto lukujen rinnalle: mitä avainhenkilöiden haastatteluissa ja "
            "kumppanuuspöydissä (asukkaat, yritykset, järjestöt ja julkinen sektori) on tuotu esiin, mitkä toimijat "
            "alueella toimivat ja mitä toimenpiteitä ja kokeiluja on käynnissä.",
            "Havainnot: yksi rivi kutakin havaintoa kohden. Teema on mittarin tunnus tai mittariryhmä ja alue "
            "alueen koodi tai nimi (välilehti Koodit). Julkaisu kertoo, saako havainnon näyttää: julkinen = "
            "lainauksena raportissa, vain yhteenveto = vain lukumääränä, ei = ei lainkaan raportissa.",
            "Toimijat: vain organisaatioita (yhdistykset, yritykset, kunta, hyvinvointialue, seurakunta), ei "
            "koskaan yksittäisiä henkilöitä. Toimijoiden tiedot voivat näkyä raporteissa.",
            "Toimenpiteet: toimenpiteet ja kokeilut, niiden tila ja arviointi. Seurattava mittari on yksi mittari, "
            "jonka arvot ennen ja jälkeen toimenpiteen aloituksen näytetään. Kyselyn muutos ei yksin kerro, "
            "vaikuttiko toimenpide.",
            "Useita arvoja yhteen soluun: erota puolipisteellä (;). Päivämäärät muodossa 1.5.2024.",
            "Älä kirjoita nimiä, puhelinnumeroita, sähköpostiosoitteita, henkilötunnuksia tai muuta, mistä henkilön "
            "voi tunnistaa. Tarkistus (ath-analysis local check) hylkää julkaistavat tekstit, joissa niitä on.",
        ],
        "en": [
            "This workbook collects local knowledge beside the numbers: what key-informant interviews and "
            "partnership tables (residents, local firms, associations and the public sector) brought up, which "
            "actors work in the area, and which actions and trials are under way.",
            "Observations: one row per observation. The theme is an indicator id or an indicator group and the "
            "area an area code or name (sheet Codes). Publication says whether it may be shown: public = quoted in "
            "reports, summary only = counted only, no = never in reports.",
            "Actors: organisations only (associations, firms, the municipality, the wellbeing services county, "
            "parishes), never individual persons. What is written about actors may appear in reports.",
            "Actions: actions and trials, their status and evaluation. The indicator to follow is one indicator "
            "whose values before and after the start are shown. A survey difference alone does not tell whether "
            "the action worked.",
            "Several values in one cell: separate them with semicolons (;). Dates as 1.5.2024 or 2024-05-01.",
            "Do not write names, phone numbers, e-mail addresses, identity codes or anything else that identifies "
            "a person. The check (ath-analysis local check) refuses texts for publication that contain them.",
        ],
    },
    "codes_areas": {"fi": "Alue", "en": "Area"},
    "codes_area_name": {"fi": "Nimi", "en": "Name"},
    "codes_level": {"fi": "Taso", "en": "Level"},
    "codes_themes": {"fi": "Teema", "en": "Theme"},
    "codes_theme_name": {"fi": "Nimi", "en": "Name"},
    "codes_group": {"fi": "Ryhmä", "en": "Group"},
    "level_region": {"fi": "maakunta", "en": "region"},
    "level_municipality": {"fi": "kunta", "en": "municipality"},
    "level_subarea_group": {"fi": "alueryhmä", "en": "area group"},
    "level_subarea": {"fi": "osa-alue", "en": "sub-area"},
    "level_group": {"fi": "mittariryhmä", "en": "indicator group"},
    "level_indicator": {"fi": "mittari", "en": "indicator"},
    "scope_here": {"fi": "tällä alueella", "en": "in this area"},
    "scope_wider": {"fi": "laajemmalla alueella", "en": "in a wider area"},
    "scope_within": {"fi": "osassa aluetta", "en": "in part of the area"},
    "quote_count": {"fi": "{n} julkista havaintoa", "en": "{n} public observations"},
    "summary_count": {"fi": "yhteenvetoon: {counts}", "en": "in summary: {counts}"},
    "none": {"fi": "ei kirjattu", "en": "none registered"},
    "finding_need_no_one": {"fi": "tarve – ei toimijaa eikä toimenpidettä",
                            "en": "need – no actor or action"},
    "finding_need_partly": {"fi": "tarve – toimintaa vain osassa aluetta",
                            "en": "need – activity in part of the area only"},
    "finding_need_met": {"fi": "tarve – toimintaa on", "en": "need – activity registered"},
    "finding_active_not_flagged": {"fi": "toimintaa – luvut eivät osoita eroa",
                                   "en": "activity – the numbers show no gap"},
    "finding_active_not_judged": {"fi": "toimintaa – ei vertailutulosta", "en": "activity – no comparison"},
    "finding_": {"fi": "", "en": ""},
    "period_before": {"fi": "ennen", "en": "before"},
    "period_start_year": {"fi": "aloitusvuosi", "en": "start year"},
    "period_after": {"fi": "jälkeen", "en": "after"},
    "reason_worse": {"fi": "selvästi heikompi", "en": "clearly worse"},
    "reason_worsened": {"fi": "heikentynyt", "en": "worsened"},
    "note_joint": {
        "fi": "Luvut kertovat, kuinka yleistä jokin on alueen aikuisväestössä; paikallinen tieto kertoo, miltä "
              "asia näyttää alueella ja kuka sen parissa toimii. Lainaukset ovat yksittäisten ihmisten tai "
              "toimijoiden näkemyksiä, eivät edustavia tuloksia. Raportissa näkyvät vain havainnot, jotka on "
              "merkitty julkisiksi; muut on laskettu mukaan lukumäärinä, jos niin on sovittu.",
        "en": "The numbers tell how common something is among the area's adults; local knowledge tells how it "
              "looks locally and who works on it. Quotes are the views of individual people or organisations, "
              "not representative results. Only observations marked public are quoted; the others are counted "
              "when that was agreed.",
    },
    "note_need": {
        "fi": "Taulukko yhdistää luvut ja paikallisen tiedon. ”Tarve – ei toimijaa” tarkoittaa, että mittari on "
              "alueella selvästi heikompi kuin vertailualueella (koko alueen 95 %:n luottamusväli on "
              "vertailuarvon huonommalla puolella), mutta työkirjaan ei ole kirjattu toimijaa tai toimenpidettä, "
              "joka toimisi tämän teeman parissa alueella tai sen sisältävällä laajemmalla alueella. Se on kysymys "
              "kumppanuuspöytään, ei todiste siitä, ettei kukaan tee mitään: työkirja on vain niin kattava kuin "
              "siihen on kirjattu. ”Toimintaa – luvut eivät osoita eroa” tarkoittaa, että toimintaa on, vaikka "
              "kyselyn luvut eivät erota aluetta vertailualueesta; ero voi silti olla olemassa, ja toiminta voi "
              "olla syy, ettei eroa näy.",
        "en": "The table joins the numbers with local knowledge. “Need – no actor or action” means the indicator "
              "is clearly worse in the area than in the reference area (its whole 95% confidence interval lies on "
              "the worse side of the reference value) while the workbook registers no actor or action working on "
              "this theme in the area or in a wider area that contains it. It is a question for the partnership "
              "table, not proof that nobody does anything: the workbook is only as complete as what was entered. "
              "“Activity – the numbers show no gap” means there is activity although the survey does not set the "
              "area apart from the reference; a gap may still exist, and the activity may be why none shows.",
    },
    "note_pack": {
        "fi": "Kumppanuuspöydän aineisto: mittarit, joissa alue on selvästi heikompi kuin vertailualue tai "
              "joissa tilanne on heikentynyt edellisestä kyselystä, mitä paikalliset ovat kertoneet, ketkä "
              "toimivat alueella ja mitä on käynnissä. Luvut ovat kyselyarvioita luottamusväleineen; "
              "paikallinen tieto on koottu haastatteluista ja kumppanuuspöydistä.",
        "en": "Pack for a partnership table: the indicators on which the area is clearly worse than the "
              "reference or has worsened since the previous survey, what local people said, who is active in "
              "the area and what is under way. The numbers are survey estimates with confidence intervals; the "
              "local knowledge was gathered in interviews and partnership tables.",
    },
    "note_follow_up": {
        "fi": "Mittarin arvot ennen toimenpiteen alkua ja sen jälkeen alueilla, joita toimenpide koskee. Ero "
              "kyselyjen välillä ei ole toimenpiteen arviointi: siihen vaikuttavat monet muut asiat (väestön "
              "muutos, talous, palvelut, kyselyn muutokset) ja otantavaihtelu, ja toimenpide tavoittaa yleensä vain "
              "pienen osan alueen aikuisista. Toimenpiteen vaikutusta arvioidaan sen omalla arvioinnilla; luvut "
              "kertovat, mihin suuntaan alueen tilanne on kehittynyt.",
        "en": "The indicator's values before and after the action started, in the areas it covers. A difference "
              "between surveys is not an evaluation of the action: many other things change it (population, "
              "economy, services, survey changes) as does sampling error, and an action usually reaches only a "
              "small share of the area's adults. The action's own evaluation says whether it worked; the numbers "
              "show which way the area has moved.",
    },
}


def tr(key: str, lang: str = "fi", **values: Any) -> Any:
    """The text of `key` in `lang` (Finnish when there is no English), with placeholders filled."""
    entry = STRINGS[key]
    text = entry.get(lang, entry["fi"])
    return text.format(**values) if values and isinstance(text, str) else text


def reading_note(topic: str, lang: str = "fi", *, example: bool = False) -> str:
    """The plain-language reading note of an output: 'joint', 'need', 'pack' or 'follow_up'.

    With `example`, the note starts with the example stamp, so a made-up workbook is never read as real.
    """
    note = tr(f"note_{topic}", lang)
    return f"{tr('example_stamp', lang)}. {note}" if example else note
