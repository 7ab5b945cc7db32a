"""Finnish and English words of the reports (headings, notes, figure labels), in one place.

Indicator names, interpretations and area names come from the config; this module holds only the report's own
words. `tr(key, lang, **values)` fills `{placeholders}`.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("fi", "en")

STRINGS: dict[str, dict[str, str | list[str]]] = {
    "synthetic_banner": {
        "fi": "SYNTEETTINEN AINEISTO – ei todellisia vastauksia",
        "en": "SYNTHETIC DATA – not real responses",
    },
    "synthetic_stamp": {"fi": "SYNTEETTINEN AINEISTO", "en": "SYNTHETIC DATA"},
    "synthetic_explained": {
        "fi": "Tämän raportin luvut on laskettu keinotekoisesta, satunnaisesti tuotetusta aineistosta, joka "
              "muistuttaa THL:n aikuisväestön kyselyjä. Ne eivät kerro alueen todellisesta tilanteesta, eikä "
              "niitä saa käyttää hyvinvointikertomuksessa tai päätöksenteossa.",
        "en": "The figures in this report are computed from artificial, randomly generated data that resemble "
              "THL's adult population surveys. They say nothing about the real situation in the area and must "
              "not be used in a well-being report or for decisions.",
    },
    "title": {"fi": "Aikuisväestön hyvinvointi ja terveys: {area}",
              "en": "Adult health and well-being: {area}"},
    "subtitle": {"fi": "Väestökyselyjen tulokset: {waves}", "en": "Population survey results: {waves}"},
    "made": {"fi": "Raportti tehty {time}", "en": "Report made {time}"},
    "contents": {"fi": "Sisällys", "en": "Contents"},
    "summary": {"fi": "Tiivistelmä", "en": "Summary"},
    "summary_intro": {
        "fi": "Tiivistelmässä on jokaisesta mittarista uusin tulos, alueet, jotka eroavat selvästi koko "
              "maakunnasta, kaupunki- ja maaseutualueiden ero sekä muutos edellisestä kyselystä.",
        "en": "For each indicator the summary gives the latest result, the areas that clearly differ from the "
              "whole region, the gap between urban and rural areas, and the change since the previous survey.",
    },
    "rule_title": {"fi": "Milloin ero on selvä?", "en": "When is a difference clear?"},
    "rule_area": {
        "fi": "Ero on selvä, kun eron 95 %:n luottamusväli ei sisällä nollaa. Sama sääntö koskee kaikkia "
              "vertailuja: alue verrattuna maakuntaan ({region}) tai koko maahan, muutos edellisestä kyselystä ja "
              "kaupunki- ja maaseutualueiden ero. Raportti näyttää eron ja sen luottamusvälin; alueen ja maakunnan "
              "ero on laskettu ottaen huomioon, että alue on osa maakuntaa.",
        "en": "A difference is clear when the 95% confidence interval of the difference does not include zero. The "
              "same rule applies to every comparison: an area against the region ({region}) or the whole country, "
              "a change since the previous survey, and the gap between urban and rural areas. The report shows the "
              "difference and its interval; the difference between an area and the region takes into account that "
              "the area is part of the region.",
    },
    "rule_diff": {
        "fi": "Muutos edellisestä kyselystä on selvä, kun muutoksen 95 %:n luottamusväli ei sisällä nollaa "
              "(kyselyjen otokset ovat toisistaan riippumattomia).",
        "en": "A change since the previous survey is clear when the 95% confidence interval of the change does not "
              "include zero (the surveys' samples are independent).",
    },
    "rule_rest": {
        "fi": "Muut erot voivat johtua sattumasta: ne eivät ole välttämättä todellisia.",
        "en": "Other differences may be due to chance: they are not necessarily real.",
    },
    "how_to_read": {"fi": "Näin luet tuloksia", "en": "How to read the results"},
    "how_to_read_long": {
        "fi": [
            "Luvut ovat arvioita: kyselyyn vastasi vain osa alueen aikuisista, ja vastaukset on painotettu "
            "vastaamaan koko väestöä. Siksi jokaisella luvulla on 95 %:n luottamusväli (suluissa luvun jäljessä "
            "ja kuvioissa vaakajanana). Todellinen arvo on hyvin todennäköisesti luottamusvälin sisällä.",
            "Ero on selvä, kun eron oma 95 %:n luottamusväli ei sisällä nollaa; raportti laskee sen jokaiselle "
            "vertailulle ja kertoo sen sulkeissa eron jäljessä. Kahden luvun luottamusvälit voivat mennä hieman "
            "päällekkäin, vaikka ero on selvä, joten älä päättele eroa välien päällekkäisyydestä.",
            "Pienistä kunnista ja kylistä vastaajia on vähän, joten niiden luottamusvälit ovat leveitä ja luvut "
            "vaihtelevat kyselystä toiseen. Alle {min_n} vastaajan lukuja ei julkaista lainkaan (merkitty "
            "viivalla –), ja epätarkat arviot on merkitty tähdellä (*).",
            "Kyselyjen tapa kerätä tietoa on muuttunut vuosien aikana (ATH, FinSote, Terve Suomi), joten pieniin "
            "muutoksiin ajassa kannattaa suhtautua varoen.",
        ],
        "en": [
            "The figures are estimates: only some of the area's adults answered the survey, and the answers are "
            "weighted to represent the whole population. Each figure therefore has a 95% confidence interval (in "
            "brackets after the figure, and as a horizontal line in the charts). The true value is very likely "
            "to lie within the confidence interval.",
            "A difference is clear when the difference's own 95% confidence interval does not include zero; the "
            "report computes it for every comparison and gives it in brackets after the difference. The intervals "
            "of two figures may overlap a little even when the difference is clear, so do not judge a difference "
            "from whether the intervals overlap.",
            "Small municipalities and villages have few respondents, so their confidence intervals are wide and "
            "their figures vary from one survey to the next. Figures from fewer than {min_n} respondents are not "
            "published at all (shown as a dash –), and imprecise estimates are marked with an asterisk (*).",
            "The way the surveys collect data has changed over the years (ATH, FinSote, Terve Suomi), so small "
            "changes over time should be read with care.",
        ],
    },
    "how_to_read_short": {
        "fi": "Näin luet: piste on arvio ja jana sen 95 %:n luottamusväli. Sarake ”Verrattuna” kertoo, onko ero "
              "selvä: silloin eron luottamusväli ei sisällä nollaa. Pienillä alueilla vastaajia on vähän, joten "
              "janat ovat leveitä.",
        "en": "How to read: the dot is the estimate and the line its 95% confidence interval. The “Compared” "
              "column tells whether a difference is clear: then the interval of the difference does not include "
              "zero. Small areas have few respondents, so their lines are wide.",
    },
    "meaning": {"fi": "Merkitys ja tulkinta", "en": "Meaning and interpretation"},
    "definition_source": {"fi": "Määritelmä", "en": "Definition (THL's wording, in Finnish)"},
    "definition_own": {"fi": "tämän raportin rajaus", "en": "this report's own definition"},
    "standardized_note": {
        "fi": "Luvut on ikävakioitu (Euroopan standardiväestö 2013), jotta alueita, joiden ikärakenne on erilainen, "
              "voi verrata.",
        "en": "The figures are age-standardized (European Standard Population 2013) so that areas with "
              "different age structures can be compared.",
    },
    # overview and cards
    "overview": {"fi": "Yleiskatsaus", "en": "Overview"},
    "overview_intro": {
        "fi": "Taulukossa on jokaisen mittarin uusin tulos, edellisen kyselyn tulos, muutos sekä vertailu "
              "{references}. Ero tai muutos on selvä, kun eron 95 %:n luottamusväli ei sisällä nollaa; sulkeissa "
              "on eron luottamusväli. Liikennevalo rivin alussa: punainen = jokin selvästi heikompi, vihreä = "
              "jokin selvästi parempi eikä mikään heikompi, harmaa = ei selviä eroja.",
        "en": "The table gives each indicator's latest result, the previous survey's result, the change, and the "
              "comparison with {references}. A difference or change is clear when the 95% confidence interval "
              "of the difference does not include zero; the interval is in brackets. The traffic light at the "
              "start of a row: red = something clearly worse, green = something clearly better and nothing worse, "
              "grey = no clear differences.",
    },
    "overview_references_region": {"fi": "maakuntaan ({region}) ja koko maahan",
                                    "en": "the region ({region}) and the whole country"},
    "overview_references_country": {"fi": "koko maahan", "en": "the whole country"},
    "overview_caption": {"fi": "Yleiskatsaus: {area}, {year}", "en": "Overview: {area}, {year}"},
    "col_indicator": {"fi": "Mittari", "en": "Indicator"},
    "col_latest": {"fi": "{year} (95 %:n lv.)", "en": "{year} (95% CI)"},
    "col_previous": {"fi": "Edellinen ({year})", "en": "Previous ({year})"},
    "col_change": {"fi": "Muutos", "en": "Change"},
    "col_change_units": {"fi": "Muutos (95 %:n lv.)", "en": "Change (95% CI)"},
    "card_units": {"fi": "Muutokset ja erot osuuksille prosenttiyksikköinä.",
                   "en": "Changes and differences of shares in percentage points."},
    "col_verdict": {"fi": "Arvio", "en": "Verdict"},
    "col_difference": {"fi": "ero", "en": "difference"},
    "country_name": {"fi": "koko maa", "en": "Finland"},
    "country_title": {"fi": "Koko maa", "en": "Finland"},
    "sex_plural_1": {"fi": "Miehet", "en": "Men"},
    "sex_plural_2": {"fi": "Naiset", "en": "Women"},
    "people_about": {"fi": "noin {n} aikuista", "en": "about {n} adults"},
    "chip_change_worse": {"fi": "▼ heikentynyt", "en": "▼ got worse"},
    "chip_change_better": {"fi": "▲ parantunut", "en": "▲ improved"},
    "chip_worse": {"fi": "▼ heikompi kuin {reference}", "en": "▼ worse than {reference}"},
    "chip_better": {"fi": "▲ parempi kuin {reference}", "en": "▲ better than {reference}"},
    "chip_none": {"fi": "● ei selvää eroa", "en": "● no clear difference"},
    "worsened_title": {"fi": "Mikä heikentyi ({prev} → {year})", "en": "What got worse ({prev} → {year})"},
    "improved_title": {"fi": "Mikä parani ({prev} → {year})", "en": "What improved ({prev} → {year})"},
    "changes_none": {"fi": "ei yhtään mittaria", "en": "no indicator"},
    "cards": {"fi": "Kuntakortit", "en": "Municipal cards"},
    "cards_intro": {
        "fi": "Jokaisesta maakunnan kunnasta on oma yhden sivun kortti (HTML ja PDF tulostamista varten).",
        "en": "Each municipality of the region has its own one-page card (HTML, and PDF for printing).",
    },
    "card_title": {"fi": "{area}: aikuisten hyvinvointi ja terveys {year}",
                   "en": "{area}: adult health and well-being {year}"},
    "card_intro": {
        "fi": "Selvästi heikommat tulokset ensin. Ero tai muutos on selvä, kun eron 95 %:n luottamusväli ei "
              "sisällä nollaa. – = ei julkaista (alle {min_n} vastaajaa tai tietosuoja).",
        "en": "Clearly worse results first. A difference or change is clear when the 95% confidence interval of "
              "the difference does not include zero. – = not published (fewer than {min_n} respondents or "
              "confidentiality).",
    },
    "card_pdf": {"fi": "Kaikki kortit yhtenä PDF-tiedostona (sivu kuntaa kohti)",
                 "en": "All cards as one PDF (one page per area)"},
    "breakdowns": {"fi": "Sukupuolen, iän ja koulutuksen mukaan", "en": "By sex, age and education"},
    "breakdowns_caption": {"fi": "Taulukko: {label}, {year} ryhmittäin", "en": "Table: {label}, {year} by group"},
    "breakdown_sex": {"fi": "Sukupuoli", "en": "Sex"},
    "breakdown_age_group": {"fi": "Ikäryhmä", "en": "Age group"},
    "breakdown_age_group2": {"fi": "Työikäiset ja 65 vuotta täyttäneet", "en": "Working age and 65+"},
    "breakdown_education": {"fi": "Koulutus", "en": "Education"},
    "breakdown_not_estimated": {"fi": "ei eritelty", "en": "not broken down"},
    "breakdowns_note": {
        "fi": "”ei eritelty” = ryhmittäisiä lukuja ei ole laskettu tälle alueelle; – = ei julkaista.",
        "en": "“not broken down” = no figures by group were computed for this area; – = not published.",
    },
    "skip_to_content": {"fi": "Siirry sisältöön", "en": "Skip to content"},
    "source_line": {"fi": "Lähde: THL, {survey}; laskenta: ath-analysis",
                    "en": "Source: THL, {survey}; computed with ath-analysis"},
    "figure_table": {"fi": "Kuvion luvut taulukkona", "en": "The figure's values as a table"},
    # tables
    "col_area": {"fi": "Alue", "en": "Area"},
    "col_value_proportion": {"fi": "Osuus", "en": "Share"},
    "col_value_mean": {"fi": "Keskiarvo", "en": "Mean"},
    "col_ci": {"fi": "95 %:n luottamusväli", "en": "95% confidence interval"},
    "col_n": {"fi": "Vastaajia (n)", "en": "Respondents (n)"},
    "col_vs_region": {"fi": "Verrattuna: {region}", "en": "Compared with {region}"},
    "table_caption": {"fi": "Taulukko: {label}, {year}", "en": "Table: {label}, {year}"},
    "verdict_better": {"fi": "selvästi parempi", "en": "clearly better"},
    "verdict_worse": {"fi": "selvästi heikompi", "en": "clearly worse"},
    "verdict_none": {"fi": "ei selvää eroa", "en": "no clear difference"},
    "verdict_reference": {"fi": "vertailukohta", "en": "reference"},
    "verdict_higher": {"fi": "selvästi suurempi", "en": "clearly higher"},
    "verdict_lower": {"fi": "selvästi pienempi", "en": "clearly lower"},
    "note_suppressed": {
        "fi": "– = lukua ei julkaista: alle {min_n} vastaajaa, tai luku on piilotettu, jotta pienen ryhmän luku "
              "ei olisi laskettavissa muista luvuista (tietosuoja).",
        "en": "– = not published: fewer than {min_n} respondents, or hidden so that a small group's figure cannot "
              "be worked out from the other figures (confidentiality).",
    },
    "note_imprecise_proportion": {
        "fi": "* = epätarkka arvio: luottamusväli on yli {width} prosenttiyksikköä leveä; tulkitse varoen.",
        "en": "* = imprecise estimate: the confidence interval is wider than {width} percentage points; read "
              "with care.",
    },
    "note_imprecise_mean": {
        "fi": "* = epätarkka arvio: keskivirhe on yli {cv} % keskiarvosta; tulkitse varoen.",
        "en": "* = imprecise estimate: the standard error is more than {cv}% of the mean; read with care.",
    },
    "suppressed_small": {"fi": "alle {min_n} vastaajaa", "en": "fewer than {min_n} respondents"},
    "suppressed_complementary": {"fi": "piilotettu tietosuojan vuoksi", "en": "hidden for confidentiality"},
    "suppressed_empty": {"fi": "ei vastaajia", "en": "no respondents"},
    # figures
    "fig_areas_caption": {
        "fi": "Kuvio: {label}, {year}. Pisteet ovat arvioita ja vaakajanat 95 %:n luottamusvälejä; pystyviiva on "
              "koko maakunnan ({region}) arvo. Alueet on järjestetty arvon mukaan.",
        "en": "Figure: {label}, {year}. Dots are estimates and horizontal lines 95% confidence intervals; the "
              "vertical line is the value of {region}. Areas are sorted by value.",
    },
    "fig_urban_caption": {
        "fi": "Kuvio: {label}. Korjaamaton arvo (ympyrä) ja mallilla korjattu arvo (neliö), jossa on otettu "
              "huomioon {adj}; 95 %:n luottamusvälit. {source}",
        "en": "Figure: {label}. Crude value (circle) and adjusted value (square) that takes {adj} into account; "
              "95% confidence intervals. {source}",
    },
    "fig_urban_caption_crude": {
        "fi": "Kuvio: {label}. Korjaamattomat arvot ja 95 %:n luottamusvälit ({year}); mallilla korjattuja arvoja "
              "ei ole saatavilla.",
        "en": "Figure: {label}. Crude values and 95% confidence intervals ({year}); adjusted values are not "
              "available.",
    },
    "fig_trend_caption": {
        "fi": "Kuvio: {label} kyselyittäin, 95 %:n luottamusvälein.",
        "en": "Figure: {label} by survey, with 95% confidence intervals.",
    },
    "fig_map_caption": {
        "fi": "Kartta: {label}, {year}. Väri kertoo arvon; {size}. Viivoitettu ympyrä tai alue = lukua ei julkaista.",
        "en": "Map: {label}, {year}. The colour shows the value; {size}. Hatched circle or area = not published.",
    },
    "published_value": {"fi": "julkaistu arvo:", "en": "published value:"},
    "fig_verdict_map_caption": {
        "fi": "Kartta: {label}, {year}. Väri kertoo, onko kunta selvästi parempi tai heikompi kuin vertailualue "
              "(erotuksen 95 %:n luottamusväli ei sisällä nollaa). Viivoitettu alue = lukua ei julkaista.",
        "en": "Map: {label}, {year}. The colour shows whether a municipality is clearly better or worse than the "
              "comparison area (the 95% confidence interval of the difference excludes zero). Hatched area = not "
              "published.",
    },
    "fig_subarea_map_caption": {
        "fi": "Kartta: {label}, {year}, alueittain (postinumeroalueet yhdistettyinä). Väri kertoo, onko alue "
              "selvästi parempi tai heikompi kuin vertailualue. Viivoitettu alue = lukua ei julkaista.",
        "en": "Map: {label}, {year}, by area (postal code areas grouped). The colour shows whether an area is "
              "clearly better or worse than the comparison area. Hatched area = not published.",
    },
    "fig_village_map_caption": {
        "fi": "Kartta: {label}, {year}, kylät ja kaupunginosat (pienaluemalli). Väri kertoo, poikkeaako alueen "
              "arvo selvästi kunnan omasta arvosta. Viivoitettu alue = lukua ei julkaista.",
        "en": "Map: {label}, {year}, villages and districts (small-area model). The colour shows whether an "
              "area's value differs clearly from the municipality's own. Hatched area = not published.",
    },
    "map_size_respondents": {"fi": "ympyrän pinta-ala kertoo vastaajien määrän",
                             "en": "the circle's area shows the number of respondents"},
    "pooled_source": {"fi": "Kaikki kyselyt yhdistettynä.", "en": "All surveys pooled."},
    "wave_source": {"fi": "Kysely {year}.", "en": "Survey {year}."},
    "legend_crude": {"fi": "Korjaamaton", "en": "Crude"},
    "legend_adjusted": {"fi": "Mallilla korjattu", "en": "Adjusted"},
    "legend_better": {"fi": "Selvästi parempi", "en": "Clearly better"},
    "legend_worse": {"fi": "Selvästi heikompi", "en": "Clearly worse"},
    "legend_none": {"fi": "Ei selvää eroa", "en": "No clear difference"},
    "legend_respondents": {"fi": "Vastaajia", "en": "Respondents"},
    "legend_not_published": {"fi": "Ei julkaista", "en": "Not published"},
    "axis_percent": {"fi": "Osuus (%)", "en": "Share (%)"},
    "axis_mean": {"fi": "Keskiarvo", "en": "Mean"},
    "axis_difference_pp": {"fi": "%-yks.", "en": "pp"},
    "reference": {"fi": "vertailuryhmä", "en": "reference"},
    "comparison_urban_rural": {"fi": "Kaupunki–maaseutu-luokka", "en": "Urban–rural class"},
    "comparison_urban_rural_group": {"fi": "Kaupunki- ja maaseutualueet", "en": "Urban and rural areas"},
    "comparison_municipality": {"fi": "Kunnat", "en": "Municipalities"},
    "comparison_subarea_group": {"fi": "Mikkelin osa-alueet", "en": "Mikkeli sub-areas"},
    "domain_municipality": {"fi": "Kunnat", "en": "Municipalities"},
    "domain_subarea_group": {"fi": "Osa-alueet", "en": "Sub-areas"},
    "domain_urban_rural": {"fi": "Kaupunki–maaseutu-luokat", "en": "Urban–rural classes"},
    "domain_urban_rural_group": {"fi": "Kaupunki- ja maaseutualueet", "en": "Urban and rural areas"},
    "domain_region": {"fi": "Maakunta", "en": "Region"},
    "domain_other": {"fi": "Alueet", "en": "Areas"},
    # summary sentences
    "sum_latest": {"fi": "{area} {year}: {value}.", "en": "{area} {year}: {value}."},
    "sum_focus_vs_region": {"fi": "{area} on {verdict} kuin {region} ({region_value}): ero {difference}.",
                            "en": "{area} is {verdict} than {region} ({region_value}): difference {difference}."},
    "sum_focus_same": {"fi": "{area} ei eroa selvästi koko maakunnasta ({region} {region_value}).",
                       "en": "{area} does not clearly differ from {region} ({region_value})."},
    "sum_better": {"fi": "Selvästi paremmat kuin {region}: {areas}.", "en": "Clearly better than {region}: {areas}."},
    "sum_worse": {"fi": "Selvästi heikommat kuin {region}: {areas}.", "en": "Clearly worse than {region}: {areas}."},
    "sum_no_diff": {"fi": "{what}: yksikään ei eroa selvästi koko maakunnan arvosta ({region}).",
                    "en": "{what}: none clearly differs from {region}."},
    "sum_gap": {
        "fi": "{level}, verrattuna vertailuryhmään {reference} ({source}): ero {crude}; kun {adj} otetaan "
              "huomioon, ero {adjusted} – {verdict}.",
        "en": "{level} compared with {reference} ({source}): difference {crude}; taking {adj} into account, "
              "{adjusted} – {verdict}.",
    },
    "sum_gap_levels": {
        "fi": "{what} ({source}), kun {adj} otetaan huomioon: selvä ero vertailuryhmään ({reference}): {levels}.",
        "en": "{what} ({source}), taking {adj} into account: a clear difference from the reference group "
              "({reference}): {levels}.",
    },
    "sum_gap_crude_only": {
        "fi": "{levels} ({year}; korjaamaton, mallia ei saatavilla).",
        "en": "{levels} ({year}; crude, model not available).",
    },
    "sum_gap_clear": {"fi": "selvä ero", "en": "a clear gap"},
    "sum_gap_none": {"fi": "ei selvää eroa", "en": "no clear gap"},
    "sum_gap_multi_none": {
        "fi": "{what} ({source}), kun {adj} otetaan huomioon: ei selviä eroja vertailuryhmään ({reference}).",
        "en": "{what} ({source}), taking {adj} into account: no clear differences from the reference group "
              "({reference}).",
    },
    "sum_change": {
        "fi": "{area}, muutos {prev} → {year}: {change} – {verdict}.",
        "en": "{area}, change {prev} → {year}: {change} – {verdict}.",
    },
    "change_up_good": {"fi": "selvä nousu, tilanne parantunut", "en": "a clear rise, the situation improved"},
    "change_up_bad": {"fi": "selvä nousu, tilanne heikentynyt", "en": "a clear rise, the situation worsened"},
    "change_down_good": {"fi": "selvä lasku, tilanne parantunut", "en": "a clear fall, the situation improved"},
    "change_down_bad": {"fi": "selvä lasku, tilanne heikentynyt", "en": "a clear fall, the situation worsened"},
    "change_none": {"fi": "ei selvää muutosta", "en": "no clear change"},
    "change_unavailable": {"fi": "Muutosta edellisestä kyselystä ei voi laskea.",
                           "en": "The change since the previous survey cannot be computed."},
    "adjusted_for": {"fi": "korjattu: {adj}", "en": "adjusted for {adj}"},
    "and": {"fi": "ja", "en": "and"},
    "pooled": {"fi": "kyselyt yhdistettynä", "en": "surveys pooled"},
    "not_published": {"fi": "ei julkaista", "en": "not published"},
    # methods
    "methods": {"fi": "Menetelmät ja aineisto", "en": "Methods and data"},
    "methods_data": {"fi": "Aineisto", "en": "Data"},
    "methods_data_text": {
        "fi": "Tulokset perustuvat THL:n aikuisväestön kyselyihin: {waves}. Mukana ovat vähintään {min_age}-vuotiaat "
              "vastaajat, jotka asuivat maakunnassa {region} (kuntajako {reference_date}).",
        "en": "The results are based on THL's adult population surveys: {waves}. They include respondents aged "
              "{min_age} or more living in {region} (municipalities as on {reference_date}).",
    },
    "methods_weighting": {"fi": "Painotus ja luottamusvälit", "en": "Weighting and confidence intervals"},
    "methods_weighting_text": {
        "fi": "Vastaukset on painotettu aineiston painoilla, jotka korjaavat otanta-asetelman ja vastaamattomuuden "
              "vaikutusta. Luottamusvälit on laskettu otanta-asetelman huomioon ottaen (Taylorin linearisointi; "
              "osajoukot estimoidaan koko aineistosta). Osuuksien {level} %:n luottamusvälit on laskettu "
              "{ci_method}menetelmällä ja keskiarvojen t-jakaumalla.",
        "en": "The answers are weighted with the survey weights, which correct for the sampling design and "
              "non-response. Confidence intervals take the sampling design into account (Taylor linearization; "
              "domains estimated from the whole sample). The {level}% confidence intervals of shares use the "
              "{ci_method} method, those of means the t distribution.",
    },
    "ci_method_logit": {"fi": "logit-", "en": "logit"},
    "ci_method_beta": {"fi": "Korn–Graubard- eli beta-", "en": "Korn–Graubard (beta)"},
    "ci_method_wald": {"fi": "Wald-", "en": "Wald"},
    "methods_standardization": {"fi": "Ikävakiointi", "en": "Age standardization"},
    "methods_standardization_text": {
        "fi": "Ikävakioiduiksi merkityt mittarit on vakioitu suoralla vakioinnilla Euroopan standardiväestöön 2013 "
              "(ESP2013) ikäryhmittäin ({groups}). Vakioitu luku kertoo, millainen arvo alueella olisi, jos sen "
              "ikärakenne olisi sama kuin standardiväestössä.",
        "en": "Indicators marked as age-standardized are directly standardized to the European Standard "
              "Population 2013 (ESP2013) by age group ({groups}). The standardized figure is the value the area "
              "would have if its age structure were that of the standard population.",
    },
    "methods_models": {"fi": "Kaupunki–maaseutu-vertailut", "en": "Urban–rural comparisons"},
    "methods_models_text": {
        "fi": "Kaupunki- ja maaseutualueiden sekä osa-alueiden mallilla korjatut arvot on laskettu "
              "otanta-asetelman huomioon ottavilla regressiomalleilla (logistinen malli osuuksille, lineaarinen "
              "keskiarvoille): korjattu arvo kertoo, millainen osuus ryhmässä olisi, jos sen väestön ikä, "
              "sukupuoli ja koulutus (mallin taustamuuttujat) jakautuisivat kuten koko aineistossa. Ero "
              "korjaamattomaan arvoon kertoo, kuinka paljon väestörakenne selittää alueiden eroa. (Ikävakiointi on "
              "eri asia: se koskee vain ikävakioiduiksi merkittyjä mittareita.)",
        "en": "Adjusted values for urban and rural areas and sub-areas come from survey-weighted "
              "regression models (logistic for shares, linear for means): the adjusted value is what the group's "
              "share would be if its population had the age, sex and education (the model's adjusters) of the "
              "whole sample. The difference from the crude value shows how much of the gap is due to population "
              "structure.",
    },
    "methods_change_text": {
        "fi": "Muutoksen luottamusväli on laskettu olettaen, että kyselyjen otokset ovat toisistaan riippumattomia "
              "(normaaliapproksimaatio).",
        "en": "The confidence interval of a change assumes independent samples in the two surveys (normal "
              "approximation).",
    },
    "methods_disclosure": {"fi": "Tietosuoja ja tarkkuus", "en": "Confidentiality and precision"},
    "methods_disclosure_text": {
        "fi": "Tarkkuus: osuus merkitään epätarkaksi (*), kun sen luottamusväli on yli {width} prosenttiyksikköä "
              "leveä, ja keskiarvo, kun sen variaatiokerroin on yli {cv} %; epätarkka luku julkaistaan, mutta sitä "
              "kannattaa tulkita varoen.",
        "en": "Precision: a share is marked imprecise (*) when its confidence interval is wider than {width} "
              "percentage points, and a mean when its coefficient of variation is above {cv}%; an imprecise "
              "figure is published, but read it with care.",
    },
    "methods_protection_text": {
        "fi": [
            "Raportin luvut ovat yhteenvetoja: yksittäisen vastaajan tietoja ei julkaista. Ennen julkaisua "
            "jokainen luku käy läpi julkaisutarkastuksen, jossa suojataan kolmella tavalla.",
            "1. Ensisijainen piilotus: lukua ei julkaista, jos se perustuu alle {min_n} vastaajaan (merkitty –).",
            "2. Taulukoiden yhteistarkastus (toissijainen piilotus): kaikki julkaistavat taulukot – alueet, "
            "ryhmät, vertailut ja pienalueet – tarkastetaan yhdessä. Jos piilotetun pienen ryhmän luvun voisi "
            "laskea vähentämällä julkaistuja lukuja toisistaan (esimerkiksi koko kunta miinus muut osa-alueet), "
            "myös jokin toinen luku piilotetaan. Tarkastus käy läpi kaikki pienimmät vastaajaryhmät (atomit), "
            "joista julkaistut luvut koostuvat.",
            "3. Pienalueet: kylät ja kaupunginosat, joissa on alle {min_n} vastaajaa, julkaistaan pelkkinä "
            "malliarvioina (ns. synteettinen arvio alueen väestörakenteesta). Niistä ei julkaista vastaajien "
            "määrää, mallin painokerrointa (kutistuskerroin) eikä alueiden välisen vaihtelun varianssia, koska "
            "niistä voisi päätellä pienen vastaajajoukon vastauksia.",
        ],
        "en": [
            "The report's figures are aggregates: no individual respondent's data are published. Before "
            "publication every figure passes the publication check, which protects in three ways.",
            "1. Primary suppression: a figure based on fewer than {min_n} respondents is not published (shown as –).",
            "2. All tables checked together (secondary suppression): every published table – areas, groups, "
            "comparisons and small areas – is checked together. If a hidden small group's figure could be worked "
            "out by subtracting published figures from each other (for example the whole municipality minus the "
            "other sub-areas), another figure is hidden as well. The check goes through every smallest group of "
            "respondents (atom) that the published figures are made of.",
            "3. Small areas: villages and districts with fewer than {min_n} respondents are published as model "
            "values only (a synthetic estimate from the area's population structure). Their number of "
            "respondents, the model's weight (shrinkage factor) and the between-area variance are not published, "
            "as they could reveal the answers of a small group of respondents.",
        ],
    },
    "methods_audit_caption": {"fi": "Julkaisutarkastuksen luvut kyselyittäin",
                              "en": "The publication check's figures by survey"},
    "audit_cells": {"fi": "Lukuja tarkastettu", "en": "Figures checked"},
    "audit_published": {"fi": "Julkaistu", "en": "Published"},
    "audit_primary": {"fi": "Piilotettu: alle vähimmäismäärän", "en": "Withheld: below the minimum"},
    "audit_secondary": {"fi": "Piilotettu: yhteistarkastus", "en": "Withheld: checked together"},
    "audit_atoms": {"fi": "Vastaajaryhmiä (atomeja) tarkastettu", "en": "Respondent groups (atoms) checked"},
    "methods_clopper_text": {
        "fi": "Kun osuus on 0 % tai 100 %, tavallista (logit-)luottamusväliä ei voi laskea; silloin käytetään "
              "Clopper–Pearson-väliä (tarkka binomiväli, THL:n ja NCHS:n käytäntö). Tällaisia lukuja on "
              "tulostaulukossa {n}.",
        "en": "When a share is 0% or 100%, the usual (logit) confidence interval cannot be computed; the "
              "Clopper–Pearson interval (an exact binomial interval, as THL and NCHS do) is used instead. The "
              "result table has {n} such figures.",
    },
    "methods_audit": {"fi": "Aineiston käsittely kyselyittäin", "en": "Data processing by survey"},
    "audit_wave": {"fi": "Kysely", "en": "Survey"},
    "audit_fieldwork": {"fi": "Tiedonkeruu", "en": "Fieldwork"},
    "audit_read": {"fi": "Rivejä luettu", "en": "Rows read"},
    "audit_excluded": {"fi": "Poistettu (syy)", "en": "Excluded (reason)"},
    "audit_used": {"fi": "Käytetty", "en": "Used"},
    "audit_in_region": {"fi": "Vastaajia maakunnassa", "en": "Respondents in region"},
    "audit_none": {"fi": "ei yhtään", "en": "none"},
    "audit_warnings": {"fi": "Varoitukset", "en": "Warnings"},
    "model_warnings": {"fi": "Malleja, joita ei voitu estimoida", "en": "Models that could not be estimated"},
    "model_warnings_none": {"fi": "Kaikki vertailumallit voitiin estimoida.",
                            "en": "All comparison models could be estimated."},
    "adjustment_crude": {"fi": "korjaamaton", "en": "crude"},
    "adjustment_adjusted": {"fi": "mallilla korjattu", "en": "adjusted"},
    "provenance": {"fi": "Alkuperä ja toistettavuus", "en": "Provenance and reproducibility"},
    "provenance_text": {
        "fi": "Näillä tiedoilla tutkija voi jäljittää jokaisen luvun: samat syötetiedostot, asetukset ja "
              "ohjelmaversiot tuottavat samat luvut.",
        "en": "With these details a researcher can trace every figure: the same input files, settings and "
              "software versions give the same figures.",
    },
    "prov_inputs": {"fi": "Syötetiedostot (SHA-256)", "en": "Input files (SHA-256)"},
    "prov_config": {"fi": "Asetustiedostot (SHA-256)", "en": "Configuration files (SHA-256)"},
    "prov_config_hash": {"fi": "Asetusten yhdistetty tiiviste", "en": "Combined configuration hash"},
    "prov_tables": {"fi": "Tulostaulukot (SHA-256)", "en": "Result tables (SHA-256)"},
    "prov_software": {"fi": "Ohjelmistot", "en": "Software"},
    "prov_git": {"fi": "Git-versio", "en": "Git commit"},
    "prov_git_none": {"fi": "ei saatavilla", "en": "not available"},
    "prov_git_dirty": {"fi": "(muutoksia, joita ei ole tallennettu versionhallintaan)",
                       "en": "(with uncommitted changes)"},
    "prov_time": {"fi": "Tehty", "en": "Made"},
    "prov_file": {"fi": "Tiedosto", "en": "File"},
    "prov_package": {"fi": "Paketti", "en": "Package"},
    "prov_version": {"fi": "Versio", "en": "Version"},
    "footer": {
        "fi": "Tehty ath-analysis-ohjelmalla. Taulukot uudelleenkäyttöä varten: {xlsx}, {excel_csv} (suomalaiselle "
              "Excelille) ja {csv} (koneluettava).",
        "en": "Made with ath-analysis. Tables for reuse: {xlsx}, {excel_csv} (for Excel with a decimal comma) and "
              "{csv} (machine-readable).",
    },
    # small areas (Fay–Herriot model)
    "sae_title": {"fi": "Kylät ja kaupunginosat (pienaluemalli)", "en": "Villages and districts (small-area model)"},
    "sae_intro": {
        "fi": [
            "Kylistä ja kaupunginosista (postinumeroalueista) on kyselyssä usein vain muutama vastaaja, joten "
            "niiden omat, suoraan vastauksista lasketut luvut ovat epätarkkoja tai niitä ei voi julkaista lainkaan. "
            "Siksi raportissa on niille myös pienaluemallin arviot.",
            "Malliarvio lainaa tietoa samankaltaisilta alueilta: se yhdistää alueen omat vastaukset ja sen, mitä "
            "alueen väestön rakenteen (esimerkiksi ikääntyneiden osuus) perusteella olisi odotettavissa. Mitä "
            "vähemmän alueella on vastaajia, sitä enemmän arvio nojaa malliin – ja sitä epävarmempi se on. "
            "Pienten kylien malliarviot kertovat siis lähinnä, millainen tilanne samankaltaisilla alueilla "
            "yleensä on, eivät välttämättä juuri tämän kylän erityispiirteistä.",
            "Suora arvio näytetään, kun alueella on riittävästi vastaajia (vähintään {min_n}) ja arvio on tarkka "
            "(variaatiokerroin enintään {cv} %); muuten näytetään malliarvio. Taulukoissa näytetty luku on "
            "merkitty sanalla ”suora” tai ”malli”, ja kuvioissa malliarviot on piirretty avoimella "
            "vinoneliöllä. Alle {min_n} vastaajan suoria lukuja ei julkaista (–).",
        ],
        "en": [
            "Villages and districts (postal code areas) often have only a few respondents, so their own figures, "
            "computed directly from the answers, are imprecise or cannot be published at all. The report "
            "therefore also gives estimates from a small-area model.",
            "A model-based estimate borrows strength from similar areas: it combines the area's own answers with "
            "what the structure of its population (for example the share of older people) would lead one to "
            "expect. The fewer respondents an area has, the more the estimate leans on the model – and the less "
            "certain it is. For small villages a model-based estimate mostly tells what similar areas are usually "
            "like, not necessarily what is special about that village.",
            "The direct estimate is shown where the area has enough respondents (at least {min_n}) and the "
            "estimate is precise (coefficient of variation at most {cv}%); otherwise the model-based estimate is "
            "shown. In the tables the value shown is marked “direct” or “model”, and in the charts model-based "
            "estimates are drawn as open diamonds. Direct figures from fewer than {min_n} respondents are not "
            "published (–).",
        ],
    },
    "sae_col_area": {"fi": "Kylä tai kaupunginosa", "en": "Village or district"},
    "sae_col_direct": {"fi": "Suora arvio (95 %:n lv.)", "en": "Direct estimate (95% CI)"},
    "sae_col_model": {"fi": "Malliarvio (95 %:n lv.)", "en": "Model estimate (95% CI)"},
    "sae_col_direct_cv": {"fi": "CV suora", "en": "CV direct"},
    "sae_col_model_cv": {"fi": "CV malli", "en": "CV model"},
    "sae_col_shown": {"fi": "Näytetty arvo", "en": "Value shown"},
    "sae_mark_direct": {"fi": "suora", "en": "direct"},
    "sae_mark_model": {"fi": "malli", "en": "model"},
    "sae_mark_model_only": {"fi": "vain malli", "en": "model only"},
    "sae_model_only": {"fi": "ei vastaajia: arvo pelkästä mallista", "en": "no respondents: model value only"},
    "sae_measured_title": {"fi": "Alueet, joilla on vastaajia (järjestetty näytetyn arvon mukaan)",
                           "en": "Areas with respondents (sorted by the value shown)"},
    "sae_model_only_title": {
        "fi": "Alueet ilman vastaajia tai alle vähimmäismäärän: vain malliarvio (aakkosjärjestyksessä, ei "
              "järjestetty arvon mukaan)",
        "en": "Areas without respondents or below the minimum: model value only (in name order, not ranked)"},
    "xlsx_col_shown_pct": {"fi": "Näytetty arvo (%)", "en": "Value shown (%)"},
    "xlsx_col_ci_low_pct": {"fi": "Alaraja (%)", "en": "CI lower (%)"},
    "xlsx_col_ci_high_pct": {"fi": "Yläraja (%)", "en": "CI upper (%)"},
    "xlsx_col_kind": {"fi": "Arvion tyyppi", "en": "Kind of estimate"},
    "sae_table_caption": {"fi": "Taulukko: {label}, {year} – kylät ja kaupunginosat",
                          "en": "Table: {label}, {year} – villages and districts"},
    "sae_table_note": {
        "fi": "suora = alueen omista vastauksista laskettu arvio (vähintään {min_n} vastaajaa ja variaatiokerroin "
              "enintään {cv} %); malli = pienaluemallin arvio. CV = variaatiokerroin (keskivirhe suhteessa "
              "arvioon): mitä pienempi, sitä tarkempi arvio. – = lukua ei julkaista. Alueet on järjestetty "
              "näytetyn arvon mukaan; alueet, joilla ei ole vastaajia, ovat lopussa omana ryhmänään. Malliarviot on "
              "pyöristetty kokonaisiksi prosenteiksi, koska mallin tarkkuus ei riitä desimaaliin.",
        "en": "direct = estimate from the area's own answers (at least {min_n} respondents and coefficient of "
              "variation at most {cv}%); model = small-area model estimate. CV = coefficient of variation (standard "
              "error relative to the estimate): the smaller, the more precise. – = not published. Areas are sorted "
              "by the value shown; areas without respondents come last as their own group. Model values are "
              "rounded to whole per cents, as the model's precision does not carry a decimal.",
    },
    "sae_fig_title": {"fi": "{title}: kylät ja kaupunginosat", "en": "{title}: villages and districts"},
    "sae_fig_caption": {
        "fi": "Kuvio: {label}, {year}, kylät ja kaupunginosat. Täytetty ympyrä on suora arvio, avoin vinoneliö "
              "pienaluemallin arvio; vaakajanat ovat 95 %:n luottamusvälejä. Pystyviiva on koko "
              "kunnan ({area}) suora arvio.",
        "en": "Figure: {label}, {year}, villages and districts. A filled circle is a direct estimate, an open "
              "diamond a small-area model estimate; horizontal lines are 95% confidence intervals. The vertical "
              "line is the direct estimate for the whole of {area}.",
    },
    "sae_crude_note": {"fi": "Pienalueiden luvut ja vertailuviiva eivät ole ikävakioituja.",
                       "en": "The small-area figures and the reference line are crude (not age-standardized)."},
    "sae_legend_reference": {"fi": "{area} (suora arvio) {value}", "en": "{area} (direct estimate) {value}"},
    "sae_legend_direct": {"fi": "Suora arvio (riittävästi vastaajia)", "en": "Direct estimate (enough respondents)"},
    "sae_legend_model": {"fi": "Malliarvio (pienaluemalli)", "en": "Model-based estimate (small-area model)"},
    "sae_cv_title": {"fi": "Arvioiden tarkkuus kylissä ja kaupunginosissa, {year}",
                     "en": "Precision of the estimates in villages and districts, {year}"},
    "sae_cv_xlabel": {"fi": "Vastaajia alueella (logaritminen asteikko)", "en": "Respondents in the area (log scale)"},
    "sae_cv_ylabel": {"fi": "Variaatiokerroin (CV)", "en": "Coefficient of variation (CV)"},
    "sae_cv_legend_direct": {"fi": "Suora arvio", "en": "Direct estimate"},
    "sae_cv_legend_model": {"fi": "Malliarvio", "en": "Model-based estimate"},
    "sae_cv_legend_threshold": {"fi": "Suora arvio näytetään, kun CV ≤ {cv} %",
                                "en": "Direct estimate shown when CV ≤ {cv}%"},
    "sae_cv_hidden_zone": {"fi": "alle {min_n} vastaajaa:\nsuoraa arviota\nei julkaista",
                           "en": "fewer than {min_n}\nrespondents: direct\nnot published"},
    "sae_cv_caption": {
        "fi": "Kuvio: suoran arvion (täytetty ympyrä) ja malliarvion (avoin vinoneliö) variaatiokerroin kylittäin ja "
              "kaupunginosittain vastaajamäärän mukaan, {year} (mittareiden mediaani; pienempi on tarkempi). Harmaa "
              "viiva yhdistää saman alueen arviot: mitä pidempi viiva, sitä enemmän malli parantaa tarkkuutta. "
              "Harmaalla alueella suoraa arviota ei julkaista, joten siellä on vain malliarvio.",
        "en": "Figure: coefficient of variation of the direct estimate (filled circle) and the model-based estimate "
              "(open diamond) for each village and district by number of respondents, {year} (median over the "
              "indicators; smaller is more precise). A grey line joins an area's two estimates: the longer the "
              "line, the more the model improves precision. In the grey zone the direct estimate is not published, "
              "so there is only the model-based estimate.",
    },
    "methods_sae": {"fi": "Pienaluemalli", "en": "Small-area model"},
    "methods_sae_text": {
        "fi": "Kylien ja kaupunginosien malliarviot on laskettu Fay–Herriot-mallilla: alueen suora arvio ja "
              "alueen väestöä kuvaavista tiedoista ({covariates}) ennustettu arvo yhdistetään painottaen sitä, "
              "kumpi on tarkempi. Malli on sovitettu {transform}; alueiden välisen vaihtelun varianssi on "
              "estimoitu {method}, {finite}. Suora arvio näytetään, kun vastaajia on vähintään {min_n} ja "
              "variaatiokerroin on enintään {cv} %. Alueilla, joilla ei ole vastaajia, arvio perustuu pelkkään "
              "malliin.",
        "en": "The model-based estimates for villages and districts come from a Fay–Herriot model: the area's "
              "direct estimate and the value predicted from data describing its population ({covariates}) are "
              "combined, weighting the more precise one more. The model is fitted {transform}; the variance "
              "between areas is estimated {method}, {finite}. The direct estimate is shown where there are at "
              "least {min_n} respondents and the coefficient of variation is at most {cv}%. In areas without "
              "respondents the estimate rests on the model alone.",
    },
    "sae_method_AREML_YL": {"fi": "Yoshimorin ja Lahirin korjatulla REML-menetelmällä",
                            "en": "by Yoshimori and Lahiri's adjusted REML"},
    "sae_method_AREML": {"fi": "Lin ja Lahirin korjatulla REML-menetelmällä", "en": "by Li and Lahiri's adjusted REML"},
    "sae_method_REML": {"fi": "REML-menetelmällä", "en": "by REML"},
    "sae_method_ML": {"fi": "suurimman uskottavuuden menetelmällä", "en": "by maximum likelihood"},
    "sae_transform_freeman_tukey": {"fi": "Freeman–Tukeyn kaksoisarkussinimuunnoksen asteikolla",
                                    "en": "on the Freeman–Tukey double arcsine scale"},
    "sae_transform_arcsine": {"fi": "arkussinimuunnoksen asteikolla", "en": "on the arcsine scale"},
    "sae_finite": {"fi": "ja alueen oma äärellisen perusjoukon vaihtelu on otettu huomioon",
                   "en": "and each area's own finite-population variation is taken into account"},
    "sae_infinite": {"fi": "ilman äärellisen perusjoukon korjausta", "en": "without a finite-population term"},
    "sae_covariate_aged_65_plus": {"fi": "65 vuotta täyttäneiden osuus", "en": "share aged 65 or over"},
    "sae_covariate_aged_75_plus": {"fi": "75 vuotta täyttäneiden osuus", "en": "share aged 75 or over"},
    "sae_covariate_low_education": {"fi": "vain perusasteen koulutuksen saaneiden osuus",
                                    "en": "share with basic education only"},
    "sae_covariate_high_education": {"fi": "korkeakoulutettujen osuus", "en": "share with higher education"},
    "sae_covariate_rural_m5_m7": {"fi": "maaseutualueilla asuvien osuus", "en": "share living in rural areas"},
    "sae_covariate_lives_alone": {"fi": "yksin asuvien osuus", "en": "share living alone"},
    "sae_covariate_men": {"fi": "miesten osuus", "en": "share of men"},
    # excel
    "xlsx_col_year": {"fi": "Vuosi", "en": "Year"},
    "xlsx_col_value": {"fi": "Arvo (% tai keskiarvo)", "en": "Value (% or mean)"},
    "xlsx_col_ci_low": {"fi": "Luottamusväli alaraja", "en": "CI lower"},
    "xlsx_col_ci_high": {"fi": "Luottamusväli yläraja", "en": "CI upper"},
    "xlsx_col_verdict": {"fi": "Verrattuna maakuntaan", "en": "Compared with the region"},
    "xlsx_col_published": {"fi": "Huomautus", "en": "Note"},
    "xlsx_col_text": {"fi": "Tulos tekstinä", "en": "Result as text"},
    "xlsx_col_code": {"fi": "Mittarin tunnus", "en": "Indicator code"},
    "xlsx_col_comparison": {"fi": "Vertailu", "en": "Comparison"},
    "xlsx_col_adjustment": {"fi": "Korjaus", "en": "Adjustment"},
    "xlsx_col_difference": {"fi": "Ero vertailuryhmään (95 %:n lv.)", "en": "Difference from the reference (95% CI)"},
    "xlsx_col_previous": {"fi": "Edellinen kysely", "en": "Previous survey"},
    "xlsx_col_change": {"fi": "Muutos (95 %:n lv.)", "en": "Change (95% CI)"},
    "xlsx_col_region": {"fi": "Maakunta", "en": "Region"},
    "xlsx_col_vs_region": {"fi": "Ero maakuntaan (95 %:n lv.)", "en": "Difference from the region (95% CI)"},
    "xlsx_col_country": {"fi": "Koko maa", "en": "Finland"},
    "xlsx_col_vs_country": {"fi": "Ero koko maahan (95 %:n lv.)", "en": "Difference from Finland (95% CI)"},
    "xlsx_col_people": {"fi": "Noin aikuista", "en": "About adults"},
    "xlsx_villages": {"fi": "Kylät ja kaupunginosat", "en": "Villages and districts"},
    "xlsx_hidden": {"fi": "ei julkaista", "en": "not published"},
    "xlsx_about": {"fi": "Tietoja", "en": "About"},
    "xlsx_models": {"fi": "Korjatut vertailut", "en": "Adjusted comparisons"},
    "xlsx_about_text": {
        "fi": "Teemojen välilehdillä on yksi rivi mittaria, kyselyä ja aluetta kohti. Osuudet ovat prosentteja "
              "yhden desimaalin tarkkuudella, keskiarvot yhden desimaalin tarkkuudella; ”Tulos tekstinä” on sama "
              "luku raportin tapaan. Julkaisematta jätetyt luvut ovat tyhjiä. Kuntien välilehdillä on kunkin "
              "kunnan kortin rivit. Koneluettava taulukko: tables/<alue>_report.csv.",
        "en": "The theme sheets have one row per indicator, survey and area. Shares are per cent with one decimal, "
              "means have one decimal; “Result as text” is the same figure as in the report. Figures not "
              "published are blank. The municipality sheets have each municipality's card rows. Machine-readable "
              "table: tables/<area>_report.csv.",
    },
}

ADJUSTER_NAMES: dict[str, dict[str, str]] = {
    "age_group": {"fi": "ikä", "en": "age"},
    "age_group2": {"fi": "ikä", "en": "age"},
    "age": {"fi": "ikä", "en": "age"},
    "sex": {"fi": "sukupuoli", "en": "sex"},
    "education": {"fi": "koulutus", "en": "education"},
}


def tr(key: str, lang: str, **values: Any) -> Any:
    """The `lang` text of `key`, with `{placeholders}` filled (lists of paragraphs are filled item by item)."""
    text = STRINGS[key][lang]
    if isinstance(text, list):
        return [part.format(**values) for part in text]
    return text.format(**values) if values else text


def tr_or(key: str, lang: str, default: str) -> str:
    """The text of `key` when there is one, else `default` (e.g. a domain name without a translation)."""
    return tr(key, lang) if key in STRINGS else default


def join_words(items: list[str], lang: str) -> str:
    """'a, b ja c' / 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {tr('and', lang)} " + items[-1]


def adjusters_text(adjusters: str | None, lang: str) -> str:
    """'age_group + sex + education' (or comma separated) → 'ikä, sukupuoli ja koulutus'."""
    import re

    names = [a for a in re.split(r"[\s,+;]+", str(adjusters or "")) if a]
    words = list(dict.fromkeys(ADJUSTER_NAMES.get(a, {}).get(lang, a) for a in names))
    return join_words(words, lang)
