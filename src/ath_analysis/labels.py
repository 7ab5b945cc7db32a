"""Human-readable labels of domain values (municipality names, urban–rural classes, sex …), Finnish or English.

Labels come from the reference tables and config/variables.yaml, so the estimate table and the reports name
areas and groups the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ath_analysis.areas import AreaTables

URBAN_RURAL_GROUPS = {"urban": {"fi": "Kaupunkialueet", "en": "Urban areas"},
                      "rural": {"fi": "Maaseutualueet", "en": "Rural areas"}}
REGION_NAMES = {"10": {"fi": "Etelä-Savo", "en": "South Savo"}}


def domain_value_labels(areas: AreaTables, variables: Mapping[str, Any], language: str = "fi"
                        ) -> dict[str, dict[str, str]]:
    """column → {value as text → label} for every column the estimate stage may use as a domain."""
    en = language == "en"
    classes = areas.urban_rural_classes
    urban_rural = dict(zip(classes["code"], classes["name_en" if en else "name_fi"], strict=True))
    groups = areas.kuntaryhmitys_classes
    urban_rural.update({f"KR{c}": n for c, n in zip(groups["code"], groups["name_en" if en else "name_fi"],
                                                     strict=True)})
    labels: dict[str, dict[str, str]] = {
        "region": {code: names[language] for code, names in REGION_NAMES.items()},
        "municipality": {code: name for code, name in areas.municipality_names().items()},
        "urban_rural": urban_rural,
        "urban_rural_group": {k: v[language] for k, v in URBAN_RURAL_GROUPS.items()},
        "subarea": dict(zip(areas.mikkeli_subareas["subarea"], areas.mikkeli_subareas["subarea"], strict=True)),
        "subarea_group": {g: g for g in areas.mikkeli_subareas["subarea_group"]},
    }
    for column in ("sex", "education"):
        values = variables.get(column, {}).get("values", {})
        labels[column] = {str(code): text[language] for code, text in values.items()}
    return labels
