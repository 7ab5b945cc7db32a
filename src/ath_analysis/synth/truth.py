"""True population values of every indicator in the synthetic population, so CI coverage can be checked.

The population is passed through the same geography and indicator definitions as the respondents, so
truth and estimate differ only by sampling, non-response and weighting.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ath_analysis.areas import AreaTables
from ath_analysis.geography import GeographySettings, attach_geography
from ath_analysis.indicators.definitions import Indicator, compute_indicators
from ath_analysis.municipalities import Municipalities

TRUTH_DOMAINS = {"region": [], "municipality": ["municipality"], "urban_rural": ["urban_rural"], "sex": ["sex"],
                 "age_group": ["age_group"]}


def population_truth(
    population: pd.DataFrame,
    areas: AreaTables,
    geography: GeographySettings,
    fieldwork_date: str,
    indicators: Sequence[Indicator],
    wave: str,
    municipalities: Municipalities | None = None,
) -> pd.DataFrame:
    """One row per indicator × domain cell: the population mean within the region, and the population size."""
    people = population.assign(municipality_code=population["municipality_code_at_survey"])
    people, _ = attach_geography(people, areas, geography, wave, fieldwork_date, municipalities)
    people = people[people["in_region"]]
    values = compute_indicators(people, indicators)
    parts = []
    for domain, columns in TRUTH_DOMAINS.items():
        keys = [people[c].astype("string") for c in columns] if columns else [pd.Series("all", index=people.index)]
        grouped = values.groupby(keys)
        means = grouped.mean().stack().rename("value")
        counts = grouped.count().stack().rename("population")
        cells = pd.concat([means, counts], axis=1).reset_index()
        value_columns = cells.columns[: len(keys)]
        cells["domain_value"] = cells[value_columns].astype(str).agg(" × ".join, axis=1)
        cells = cells.rename(columns={cells.columns[len(keys)]: "indicator"})
        parts.append(cells[["indicator", "domain_value", "value", "population"]].assign(domain=domain))
    truth = pd.concat(parts, ignore_index=True)
    truth.insert(0, "wave", wave)
    return truth[["wave", "indicator", "domain", "domain_value", "value", "population"]]
