"""The words on the maps, in Finnish and English (kept beside the maps until report/text.py takes them in).

A coordinator reads a map as "where are we better or worse than the comparison area", so the legend speaks of
better and worse, never of high and low values, and says in one line when a difference counts as clear and
which direction is better for the indicator.
"""

from __future__ import annotations

from collections.abc import Mapping

from ath_analysis.report.text import STRINGS as REPORT_STRINGS

MAP_TEXT: Mapping[str, Mapping[str, str | list[str]]] = {
    # the verdicts in the words of the report's legends
    "better": REPORT_STRINGS["legend_better"],
    "same": REPORT_STRINGS["legend_none"],
    "worse": REPORT_STRINGS["legend_worse"],
    "hidden": {"fi": "Piilotettu: alle {min_n} vastaajaa", "en": "Hidden: fewer than {min_n} respondents"},
    "no_comparison": {"fi": "Ei vertailua", "en": "No comparison"},
    "hidden_label": {"fi": "piilotettu", "en": "hidden"},
    "legend_title": {"fi": "Vertailualue: {reference}", "en": "Compared with {reference}"},
    "rule_difference": {"fi": "Ero on selvä, kun eron {level} %:n luottamusväli ei sisällä nollaa.",
                        "en": "A difference is clear when its {level}% confidence interval excludes zero."},
    "rule_interval": {"fi": "Ero on selvä, kun alueen {level} %:n luottamusväli ei sisällä vertailualueen arvoa.",
                      "en": "A difference is clear when the area's {level}% confidence interval excludes the "
                            "comparison area's value."},
    "direction_proportion_lower": {"fi": "Tässä mittarissa pienempi osuus on parempi.",
                                   "en": "For this indicator a lower share is better."},
    "direction_proportion_higher": {"fi": "Tässä mittarissa suurempi osuus on parempi.",
                                    "en": "For this indicator a higher share is better."},
    "direction_mean_lower": {"fi": "Tässä mittarissa pienempi arvo on parempi.",
                             "en": "For this indicator a lower value is better."},
    "direction_mean_higher": {"fi": "Tässä mittarissa suurempi arvo on parempi.",
                              "en": "For this indicator a higher value is better."},
    "attribution": {"fi": "Rajat: Tilastokeskus / Maanmittauslaitos, CC BY 4.0",
                    "en": "Boundaries: Statistics Finland / National Land Survey of Finland, CC BY 4.0"},
    "country": {"fi": "koko maa", "en": "whole country"},
    "small_area_note": {"fi": "Kylien ja alueiden arvot ovat pienaluemallin arvioita, kun vastaajia on vähän.",
                        "en": "Where villages and districts have few respondents, their values are small-area "
                              "model estimates."},
}


def map_text(key: str, lang: str, **values: object) -> str:
    """A map string in the report language (Finnish when the language has none), with its fields filled."""
    entry = MAP_TEXT[key]
    text = str(entry.get(lang) or entry["fi"])
    return text.format(**values) if values else text
