"""Human-readable labels of domain values (areas, urban–rural classes, sex …), Finnish or English.

Labels come from the reference tables (and the national register's municipality names when it is used) and
config/variables.yaml, so the estimate table and the reports name areas and groups the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ath_analysis.areas import COUNTRY, AreaTables
from ath_analysis.subareas import Subareas

URBAN_RURAL_GROUPS = {"urban": {"fi": "Kaupunkialueet", "en": "Urban areas"},
                      "rural": {"fi": "Maaseutualueet", "en": "Rural areas"}}
COUNTRY_NAMES = {"fi": "Koko maa", "en": "Whole country"}


def domain_value_labels(areas: AreaTables, variables: Mapping[str, Any], language: str = "fi",
                        municipality_names: Mapping[str, str] | None = None, subareas: Subareas | None = None
                        ) -> dict[str, dict[str, str]]:
    """column → {value as text → label} for every column the estimate stage may use as a domain.

    municipality_names: the national register's names (default: the shipped tables'); subareas: the configured
    sub-areas (default: Mikkeli's shipped table).
    """
    en = language == "en"
    classes = areas.urban_rural_classes
    urban_rural = dict(zip(classes["code"], classes["name_en" if en else "name_fi"], strict=True))
    groups = areas.kuntaryhmitys_classes
    urban_rural.update({f"KR{c}": n for c, n in zip(groups["code"], groups["name_en" if en else "name_fi"],
                                                     strict=True)})
    regions = areas.maakunta_names(language)
    table = subareas.table if subareas is not None else areas.mikkeli_subareas
    labels: dict[str, dict[str, str]] = {
        "country": {COUNTRY: COUNTRY_NAMES.get(language, COUNTRY_NAMES["en"])},
        "region": regions,
        "maakunta": regions,
        "hyvinvointialue": areas.hyvinvointialue_names(language),
        "municipality": dict(municipality_names) if municipality_names is not None else areas.municipality_names(),
        "urban_rural": urban_rural,
        "urban_rural_group": {k: v[language] for k, v in URBAN_RURAL_GROUPS.items()},
        "subarea": {s: s for s in table["subarea"]},
        "subarea_group": {g: g for g in table["subarea_group"]},
    }
    for column in ("sex", "education"):
        values = variables.get(column, {}).get("values", {})
        labels[column] = {str(code): text[language] for code, text in values.items()}
    return labels
