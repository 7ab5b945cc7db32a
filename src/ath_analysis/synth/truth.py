"""True population values of every indicator in the synthetic population, so CI coverage can be checked.

Etelä-Savo's population is materialised: it is passed through the same geography and indicator definitions as
the respondents, so truth and estimate differ only by sampling, non-response and weighting. Its domains are the
region, its municipalities, urban–rural classes, sex and age groups.

The rest of the country is not materialised (country.py): each county's national sample is n independent draws
from the county's distribution, so what its estimates estimate is that distribution's expectation μ. The truth
computes μ by Monte Carlo: `mc_adults` simulated adults per county (strata allocated proportionally, each
weighted N_h / m_h), made here and never stored. Two approximations, both small against a county estimate's
standard error SE ≈ σ √(deff / n) with n ≈ 1,300 respondents:

- Monte Carlo error σ / √m: with m = 50,000 it is √(n / (deff m)) ≈ 0.14 SE (≈ 0.002 for a 30 % prevalence), which
  lowers the coverage of a nominal 95 % interval by about 0.2 points.
- A county's finite-population mean (had its N adults been made) differs from μ by O(σ / √N) ≈ σ / 200 or less
  (N ≥ 45,000 adults): that is the difference the FPC (1 − n/N) leaves out of the variance, at most a few per cent
  of it (the 75+ strata of the smallest counties), against which μ is the right truth for these samples.

Domains: `country` ("FI"), `maakunta` (two digits) and `hyvinvointialue` (the county code) sum Etelä-Savo's
materialised people in the wave's frame (their maakunta as geography places them, by `membership`) and the
counties' simulated adults; a county partly inside the Etelä-Savo frame (Heinävesi's and Joroinen's before 2021)
combines both.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ath_analysis.areas import AreaTables
from ath_analysis.geography import GeographySettings, attach_geography
from ath_analysis.indicators.definitions import Indicator, compute_indicators
from ath_analysis.municipalities import Municipalities
from ath_analysis.synth.country import simulate_people

TRUTH_DOMAINS = {"region": [], "municipality": ["municipality"], "urban_rural": ["urban_rural"], "sex": ["sex"],
                 "age_group": ["age_group"]}
NATIONAL_DOMAINS = ("country", "maakunta", "hyvinvointialue")
COUNTRY = "FI"
MC_ADULTS = 50_000  # simulated adults per county for its expectation (see the module docstring)
COLUMNS = ["wave", "indicator", "domain", "domain_value", "value", "population"]


def population_truth(
    population: pd.DataFrame,
    areas: AreaTables,
    geography: GeographySettings,
    fieldwork_date: str,
    indicators: Sequence[Indicator],
    wave: str,
    national: pd.DataFrame | None = None,
    *,
    mc_adults: int = MC_ADULTS,
    municipalities: Municipalities | None = None,
) -> pd.DataFrame:
    """One row per indicator × domain cell: the population mean and the population size (adults who count).

    `national`: the wave's national strata (written by `generate_wave(national_path=...)`); with it the truth
    also has the country, maakunta and hyvinvointialue rows.
    """
    people = population.assign(municipality_code=population["municipality_code_at_survey"])
    people, _ = attach_geography(people, areas, geography, wave, fieldwork_date, municipalities)
    in_region = people["in_region"].to_numpy(bool)
    values = compute_indicators(people, indicators)
    parts = [_regional(people[in_region], values[in_region])]
    if national is not None:
        parts.append(_national(people, values, geography, national, indicators, mc_adults))
    truth = pd.concat(parts, ignore_index=True)
    truth.insert(0, "wave", wave)
    return truth[COLUMNS]


def _regional(people: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
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
    return pd.concat(parts, ignore_index=True)


def _sums(values: pd.DataFrame, weight: np.ndarray, keys: pd.DataFrame) -> pd.DataFrame:
    """Weighted totals of each indicator (`y:` columns) and of its denominator (`d:` columns) by the key columns."""
    answered = values.notna().to_numpy(float) * weight[:, None]
    totals = pd.DataFrame(np.hstack([values.fillna(0.0).to_numpy() * weight[:, None], answered]),
                          columns=[f"y:{c}" for c in values.columns] + [f"d:{c}" for c in values.columns])
    return totals.groupby([keys[c].to_numpy() for c in keys.columns]).sum().rename_axis(list(keys.columns))


def _national(people: pd.DataFrame, values: pd.DataFrame, geography: GeographySettings, national: pd.DataFrame,
              indicators: Sequence[Indicator], mc_adults: int) -> pd.DataFrame:
    in_frame = people["in_frame"].to_numpy(bool)
    region = people["region_at_reference" if geography.membership == "reference" else "region_at_survey"]
    regional_keys = pd.DataFrame({"county": people["wellbeing_area_code"].astype(str),
                                  "maakunta": region.astype(str)})[in_frame]
    parts = [_sums(values[in_frame], np.ones(int(in_frame.sum())), regional_keys), _county_sums(national, indicators,
                                                                                                  mc_adults)]
    sums = pd.concat(parts).groupby(level=["county", "maakunta"]).sum()
    rows = []
    for domain, level in (("country", None), ("maakunta", "maakunta"), ("hyvinvointialue", "county")):
        cells = sums.sum().to_frame(COUNTRY).T if level is None else sums.groupby(level=level).sum()
        for indicator in (i.id for i in indicators):
            denominator = cells[f"d:{indicator}"]
            rows.append(pd.DataFrame({
                "indicator": indicator, "domain": domain, "domain_value": cells.index.astype(str),
                "value": (cells[f"y:{indicator}"] / denominator.where(denominator > 0)).to_numpy(),
                "population": np.round(denominator.to_numpy()).astype(np.int64),
            }))
    return pd.concat(rows, ignore_index=True)


def _county_adults(strata: pd.DataFrame, mc_adults: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A county's simulated adults (proportional allocation to its strata, from the county's own seed) and their
    weights N_h / m_h."""
    share = strata["population"].to_numpy(float) / strata["population"].sum()
    sizes = np.maximum(np.round(mc_adults * share), 1).astype(np.int64)
    code = str(strata["code"].iloc[0])
    seed = np.random.SeedSequence([int(strata["truth_seed"].iloc[0]), *code.encode()]).generate_state(1, np.uint64)
    adults = simulate_people(strata, sizes, int(strata["wave_index"].iloc[0]), int(seed[0]) % 2**63)
    return adults, np.repeat(strata["population"].to_numpy(float) / sizes, sizes)


def _county_sums(national: pd.DataFrame, indicators: Sequence[Indicator], mc_adults: int) -> pd.DataFrame:
    """Every county's simulated adults, summed by county and maakunta (the frame `_sums` gives, a row per county).

    One county at a time: memory stays small, and its arrays stay in the processor's cache (on all counties' adults
    at once, or a few counties together, the indicators took longer). A county's sums are `np.add.reduceat` over
    its rows, the call pandas 3's groupby makes for a key constant over sorted rows, so they are `_sums` of the
    county to the last bit without a frame of weighted values and a groupby per county (pandas 2 summed with
    Kahan compensation: there the last bits differ). The values and the denominators are reduced apart, each in
    place of its column of `_sums`' frame: joining them first copied every adult's row.
    """
    ids = [i.id for i in indicators]
    keys, totals = [], []
    for _, strata in national.groupby("code", sort=True):
        strata = strata.reset_index(drop=True)
        adults, weight = _county_adults(strata, mc_adults)
        values = compute_indicators(adults, indicators).to_numpy()
        answered = ~np.isnan(values)
        totals.append(np.concatenate([np.add.reduceat(np.where(answered, values, 0.0) * weight[:, None], [0])[0],
                                      np.add.reduceat(answered * weight[:, None], [0])[0]]))
        keys.append((str(strata["code"].iloc[0]), str(strata["maakunta"].iloc[0])))
    return pd.DataFrame(np.array(totals).reshape(len(keys), 2 * len(ids)),
                        index=pd.MultiIndex.from_tuples(keys, names=["county", "maakunta"]),
                        columns=[f"y:{c}" for c in ids] + [f"d:{c}" for c in ids])
