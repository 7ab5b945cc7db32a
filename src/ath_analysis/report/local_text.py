"""Finnish and English words of the local-knowledge page and the partnership-table pack, in one place.

The words shared with the workbook and the join tables (finding names, statuses, reading notes, the EXAMPLE
stamp) stay in `ath_analysis.local.text`; `t(lang)` gives both as one mapping for the templates.
"""

from __future__ import annotations

from typing import Any

from ath_analysis.local.text import STRINGS as LOCAL_STRINGS
from ath_analysis.report.text import STRINGS as REPORT_STRINGS

STRINGS: dict[str, dict[str, str]] = {
    "page_title": {"fi": "Paikallistieto lukujen rinnalla: {area}", "en": "Local knowledge beside the numbers: {area}"},
    "page_subtitle": {"fi": "Väestökyselyn tulokset ja mitä alueella on kerrottu, kuka toimii ja mitä on käynnissä",
                      "en": "Survey results beside what was said locally, who is active and what is under way"},
    "pack_title": {"fi": "Kumppanuuspöytä: {area}", "en": "Partnership table: {area}"},
    "pack_subtitle": {"fi": "Aineisto pöydän keskustelun pohjaksi", "en": "A handout to start the table's discussion"},
    "synthetic_explained": {
        "fi": "Luvut on laskettu keinotekoisesta, satunnaisesti tuotetusta aineistosta. Ne eivät kerro alueen "
              "todellisesta tilanteesta.",
        "en": "The figures are computed from artificial, randomly generated data. They say nothing about the real "
              "situation in the area."},
    "example_explained": {
        "fi": "Tämän sivun paikallistieto (havainnot, toimijat ja toimenpiteet) on keksitty esimerkki, joka näyttää, "
              "miltä oma työkirja näyttäisi raportissa. Se ei kerro alueesta mitään.",
        "en": "The local knowledge on this page (observations, actors and actions) is a made-up example that shows "
              "how your own workbook would look in the report. It says nothing about the area."},
    "made_from": {"fi": "Lähteet: julkaistut taulukot {tables}; paikallistiedon työkirja {workbook}.",
                  "en": "Sources: the published tables {tables}; the local-knowledge workbook {workbook}."},
    "link_page": {"fi": "Paikallistieto lukujen rinnalla", "en": "Local knowledge beside the numbers"},
    "link_pack": {"fi": "Kumppanuuspöydän aineisto (PDF)", "en": "Partnership-table pack (PDF)"},
    "back_to_report": {"fi": "Alueen raportti", "en": "The area's report"},
    "how_to_read": {"fi": "Näin luet sivua", "en": "How to read this page"},
    "need_title": {"fi": "Missä tarve ei kohtaa toimijaa", "en": "Where need meets no one"},
    "need_intro": {
        "fi": "Taulukossa on jokainen mittari ja alue. Merkintä kertoo, onko mittari alueella selvästi heikompi "
              "kuin maakunta tai koko maa ja onko työkirjaan kirjattu toimija tai toimenpide tämän teeman parissa.",
        "en": "The table has every indicator and area. The mark tells whether the indicator is clearly worse in "
              "the area than in the region or the whole country, and whether the workbook registers an actor or "
              "an action working on the theme."},
    "need_legend": {"fi": "Merkinnät", "en": "Marks"},
    "need_blank": {"fi": "ei selvästi heikompi, eikä alueelle itselleen ole kirjattu toimintaa tällä teemalla (tai "
                         "luku on piilotettu)",
                   "en": "not clearly worse, and no activity registered for the area itself on this theme (or the "
                         "value is suppressed)"},
    "need_none_found": {"fi": "Yhdelläkään mittarilla ei ole tarvetta ilman toimijaa.",
                        "en": "No indicator has a need without an actor."},
    "need_list_title": {"fi": "Tarve – ei toimijaa eikä toimenpidettä", "en": "Need – no actor or action"},
    "need_list_intro": {"fi": "Mittari on alueella selvästi heikompi kuin suluissa mainittu vertailualue, eikä "
                              "työkirjaan ole kirjattu toimijaa tai toimenpidettä sen teemalla:",
                        "en": "The indicator is clearly worse in the area than the reference in brackets, and the "
                              "workbook registers no actor or action on its theme:"},
    "need_list_group": {"fi": "{indicator}: {areas}", "en": "{indicator}: {areas}"},
    "than": {"fi": "kuin", "en": "than"},
    "need_list_item": {"fi": "{indicator}: {area} on selvästi heikompi kuin {than}.",
                       "en": "{indicator}: {area} is clearly worse than {than}."},
    "short_need_no_one": {"fi": "tarve, ei ketään", "en": "need, no one"},
    "short_need_partly": {"fi": "tarve, osittain", "en": "need, partly"},
    "short_need_met": {"fi": "tarve, toimintaa", "en": "need, activity"},
    "short_active_not_flagged": {"fi": "toimintaa, ei eroa", "en": "activity, no gap"},
    "short_active_not_judged": {"fi": "toimintaa, ei vertailua", "en": "activity, not compared"},
    "col_value": {"fi": "Osuus tai keskiarvo (95 %:n luottamusväli)", "en": "Share or mean (95% confidence interval)"},
    "col_vs_region": {"fi": "Verrattuna maakuntaan", "en": "Compared with the region"},
    "col_vs_country": {"fi": "Verrattuna koko maahan", "en": "Compared with the whole country"},
    "col_change": {"fi": "Muutos edellisestä kyselystä", "en": "Change since the previous survey"},
    "col_local": {"fi": "Paikallistieto", "en": "Local knowledge"},
    "col_reason": {"fi": "Miksi listalla", "en": "Why it is listed"},
    "col_name": {"fi": "Toimija", "en": "Actor"},
    "col_type": {"fi": "Tyyppi", "en": "Type"},
    "col_themes": {"fi": "Teemat", "en": "Themes"},
    "col_activities": {"fi": "Toimintamuodot", "en": "Activities"},
    "col_where": {"fi": "Missä", "en": "Where"},
    "col_wishes": {"fi": "Toiveet", "en": "Wishes"},
    "col_action": {"fi": "Toimenpide", "en": "Action"},
    "col_status": {"fi": "Tila", "en": "Status"},
    "col_start": {"fi": "Alkaa", "en": "Starts"},
    "col_actors": {"fi": "Toimijat", "en": "Actors"},
    "col_survey": {"fi": "Kysely", "en": "Survey"},
    "col_period": {"fi": "Suhteessa alkuun", "en": "Relative to the start"},
    "col_wish": {"fi": "Toive", "en": "Wish"},
    "col_n_actors": {"fi": "Toimijoita", "en": "Actors"},
    "col_source": {"fi": "Lähde", "en": "Source"},
    "col_count": {"fi": "Havaintoja", "en": "Observations"},
    "indicators_title": {"fi": "Mittarit ja paikallistieto", "en": "Indicators and local knowledge"},
    "latest": {"fi": "Uusin kysely {year}", "en": "Latest survey {year}"},
    "standardized": {"fi": "ikävakioitu", "en": "age-standardized"},
    "suppressed": {"fi": "piilotettu tietosuojan vuoksi", "en": "suppressed"},
    "suppressed_explained": {
        "fi": "Piilotettu tietosuojan vuoksi: vastaajia on niin vähän, ettei lukua julkaista.",
        "en": "Suppressed: too few respondents for the value to be published."},
    "change_worse": {"fi": "heikentynyt selvästi vuodesta {year}", "en": "clearly worse than in {year}"},
    "change_better": {"fi": "parantunut selvästi vuodesta {year}", "en": "clearly better than in {year}"},
    "change_none": {"fi": "ei selvää muutosta vuodesta {year}", "en": "no clear change since {year}"},
    "role_reference": {"fi": "vertailu", "en": "reference"},
    "local_here": {"fi": "Paikallistieto: {area}", "en": "Local knowledge: {area}"},
    "said": {"fi": "Mitä on kerrottu", "en": "What people said"},
    "summary_only": {"fi": "Lisäksi yhteenvetona (ei lainauksina): {counts}.",
                     "en": "Also in summary (not quoted): {counts}."},
    "summary_only_title": {"fi": "Lisäksi yhteenvetona (ei lainauksina):", "en": "Also in summary (not quoted):"},
    "observations_by_source": {"fi": "Havaintoja lähteittäin: {counts}.", "en": "Observations by source: {counts}."},
    "who_is_active": {"fi": "Kuka toimii", "en": "Who is active"},
    "underway": {"fi": "Mitä on käynnissä", "en": "What is under way"},
    "nothing_registered": {"fi": "Tästä teemasta ei ole kirjattu paikallistietoa tällä alueella.",
                           "en": "No local knowledge is registered on this theme in this area."},
    "no_quotes": {"fi": "Ei julkisia havaintoja.", "en": "No public observations."},
    "no_actors": {"fi": "Ei kirjattuja toimijoita.", "en": "No actors registered."},
    "no_actions": {"fi": "Ei kirjattuja käynnissä olevia tai suunniteltuja toimenpiteitä.",
                   "en": "No actions under way or planned are registered."},
    "local_counts": {"fi": "havaintoja {said} · toimijoita {actors} · toimenpiteitä {actions}",
                     "en": "observations {said} · actors {actors} · actions {actions}"},
    "quote_meta": {"fi": "{source}, {raised_by}, {where}, {date}", "en": "{source}, {raised_by}, {where}, {date}"},
    "follow_title": {"fi": "Toimenpiteiden seuranta", "en": "Follow-up of actions"},
    "follow_none": {"fi": "Työkirjassa ei ole tämän alueen toimenpiteitä, joilla on seurattava mittari ja "
                          "alkamispäivä.",
                    "en": "The workbook has no actions in this area with an indicator to follow and a start date."},
    "follow_action": {"fi": "{title} ({status}, alkoi {start})", "en": "{title} ({status}, started {start})"},
    "follow_action_ended": {"fi": "{title} ({status}, {start}–{end})", "en": "{title} ({status}, {start} to {end})"},
    "follow_indicator": {"fi": "Seurattava mittari: {indicator}", "en": "Indicator followed: {indicator}"},
    "follow_through": {"fi": "{area} (toimenpide: {action_area}; pienemmästä alueesta ei ole lukuja)",
                       "en": "{area} (action in {action_area}, which has no numbers of its own)"},
    "evaluation": {"fi": "Toimenpiteen oma arviointi: {text}", "en": "The action's own evaluation: {text}"},
    "result": {"fi": "Tulos: {text}", "en": "Result: {text}"},
    "pack_flagged": {"fi": "Missä alue on heikompi tai tilanne heikentynyt",
                     "en": "Where the area is worse or has worsened"},
    "pack_no_flagged": {"fi": "Yhdelläkään mittarilla alue ei ole selvästi heikompi eikä tilanne ole "
                              "selvästi heikentynyt.",
                        "en": "On no indicator is the area clearly worse, nor has it clearly worsened."},
    "pack_said": {"fi": "Mitä paikalliset ovat kertoneet", "en": "What local people said"},
    "pack_active": {"fi": "Kuka alueella toimii", "en": "Who is active in the area"},
    "pack_underway": {"fi": "Mitä on käynnissä", "en": "What is under way"},
    "pack_gaps": {"fi": "Tarve, jonka parissa ei ole kirjattu ketään", "en": "Needs no one is registered for"},
    "pack_no_gaps": {"fi": "Jokaisen heikomman mittarin teemalla on kirjattu toimija tai toimenpide.",
                     "en": "Every worse indicator's theme has a registered actor or action."},
    "pack_wishes": {"fi": "Mitä toimijat toivovat", "en": "What the actors wish for"},
    "pack_proposals": {"fi": "Pöydän ehdotukset", "en": "The table's proposals"},
    "pack_proposals_intro": {"fi": "Kirjatkaa tähän, mitä pöytä ehdottaa: mitä tehdään, kuka tekee ja milloin.",
                             "en": "Write here what the table proposes: what is done, by whom and when."},
    "proposal_what": {"fi": "Mitä tehdään", "en": "What"},
    "proposal_who": {"fi": "Kuka", "en": "Who"},
    "proposal_when": {"fi": "Milloin", "en": "When"},
    "on_flagged": {"fi": "heikomman mittarin teemalla", "en": "on a worse indicator's theme"},
    "than_region": {"fi": "maakunta", "en": "the region"},
    "than_country": {"fi": "koko maa", "en": "the whole country"},
    "page_footer": {"fi": "Tehty ath-analysis-ohjelmalla julkaistuista, tietosuojatarkastetuista taulukoista.",
                    "en": "Made by ath-analysis from the published, disclosure-checked tables."},
}
# the words the main report says the same way
STRINGS.update({key: {lang: str(REPORT_STRINGS[key][lang]) for lang in ("fi", "en")}
                for key in ("synthetic_banner", "contents", "and", "col_indicator", "col_area", "verdict_worse",
                            "verdict_better", "verdict_none")})


def tr(key: str, lang: str = "fi", **values: Any) -> str:
    """The text of `key` in `lang` (Finnish when there is no English), with placeholders filled."""
    entry = STRINGS[key] if key in STRINGS else LOCAL_STRINGS[key]
    text = entry.get(lang, entry["fi"])
    return str(text).format(**values) if values else str(text)


def words(lang: str) -> dict[str, str]:
    """Every plain text of this module and of the local package in `lang`, for a template's `t.key`."""
    out = {k: str(v.get(lang, v["fi"])) for k, v in LOCAL_STRINGS.items() if isinstance(v.get("fi"), str)}
    out.update({k: v.get(lang, v["fi"]) for k, v in STRINGS.items()})
    return out
