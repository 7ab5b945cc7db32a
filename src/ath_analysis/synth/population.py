"""A synthetic adult (20+) population of the 14 municipalities of Etelä-Savo 2013–2020.

Each person has the register variables a THL sample frame has (municipality, postal code, sex, age,
education) plus the SYKE urban–rural class of the home grid cell, whether they live alone, and the wellbeing
services county of the municipality (as it is now: THL adds it to harmonized trend data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ath_analysis.areas import AreaTables
from ath_analysis.errors import ConfigError
from ath_analysis.synth import parameters as p

MIKKELI = "491"
SAVONLINNA = "740"


def draw_classes(rng: np.random.Generator, mix: dict[str, float], size: int) -> np.ndarray:
    """`size` draws of the keys of `mix` (e.g. urban–rural classes) with its shares as probabilities."""
    keys = np.array(list(mix))
    probs = np.array(list(mix.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=probs / probs.sum())]


def _ages(rng: np.random.Generator, size: int, urbanity: float) -> np.ndarray:
    profile = urbanity * np.array(p.AGE_PROFILE_URBAN) + (1 - urbanity) * np.array(p.AGE_PROFILE_RURAL)
    bands = rng.choice(np.array(p.AGE_BANDS), size=size, p=profile / profile.sum())
    return bands + rng.integers(0, 5, size=size)


def _municipality_block(
    rng: np.random.Generator, areas: AreaTables, row: pd.Series, adults: int
) -> pd.DataFrame:
    code = row["code"]
    block = pd.DataFrame({"municipality_code": np.full(adults, code), "former_code": np.full(adults, code)})
    block["postal_code"] = pd.Series(pd.NA, index=block.index, dtype="string")
    if code == MIKKELI:
        postal = areas.mikkeli_subareas
        share = postal["population_2022"].to_numpy(float)
        pick = rng.choice(len(postal), size=adults, p=share / share.sum())
        block["postal_code"] = postal["postal_code"].to_numpy()[pick]
        groups = postal["subarea_group"].to_numpy()[pick]
        former_names = postal["former_municipality"].to_numpy()[pick]
        name_to_code = {v: k for k, v in areas.municipality_names().items()}
        block["former_code"] = pd.Series(former_names).map(name_to_code).fillna(MIKKELI).to_numpy()
        classes = np.empty(adults, dtype=object)
        for group, mix in p.MIKKELI_MIX.items():
            inside = groups == group
            classes[inside] = draw_classes(rng, mix, int(inside.sum()))
        block["urban_rural_code"] = classes
    else:
        if code == SAVONLINNA:
            mix = {**p.SAVONLINNA_FORMER, code: 1 - sum(p.SAVONLINNA_FORMER.values())}
            block["former_code"] = draw_classes(rng, mix, adults)
        mix = p.URBAN_RURAL_MIX.get(code, p.RURAL_DEFAULT_MIX)
        block["urban_rural_code"] = draw_classes(rng, mix, adults)
        if code == SAVONLINNA:  # the former municipalities are rural centres and countryside
            former = block["former_code"].to_numpy() != code
            countryside = {"M4": 0.5, "M6": 0.2, "M7": 0.3}
            block.loc[former, "urban_rural_code"] = draw_classes(rng, countryside, int(former.sum()))
    urbanity = {"1": 1.0, "2": 0.6, "3": 0.0}[row["kuntaryhmitys_2015"]]
    block["age"] = _ages(rng, adults, urbanity)
    return block


def build_population(areas: AreaTables, year: int, seed: int) -> pd.DataFrame:
    """Adults of the 14 municipalities at the population of `year`, with register and area variables."""
    rng = np.random.default_rng(seed)
    pop_year = p.POPULATION_YEAR.get(year, min(max(year, 2015), 2022))
    blocks = []
    for _, row in areas.municipalities.sort_values("code").iterrows():
        adults = round(row[f"pop_{pop_year}"] * p.ADULT_SHARE[row["kuntaryhmitys_2015"]])
        blocks.append(_municipality_block(rng, areas, row, adults))
    people = add_register_traits(pd.concat(blocks, ignore_index=True), rng)
    people["wellbeing_area_code"] = wellbeing_areas(people["municipality_code"], areas)
    people.insert(0, "person_id", np.arange(1, len(people) + 1))
    return people


def female_share(age: np.ndarray) -> np.ndarray:
    """Share of women by age (women live longer): also gives the sex × age totals weights are raked to."""
    return np.where(age >= 80, 0.64, np.where(age >= 70, 0.55, 0.48))


def add_register_traits(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Add sex, education and living alone to people who have an age and an urban–rural class.

    The same rules make Etelä-Savo's materialised population and the rest of the country's simulated adults.
    """
    n = len(people)
    age = people["age"].to_numpy()
    people["sex"] = np.where(rng.random(n) < female_share(age), 2, 1)
    rurality = people["urban_rural_code"].map(p.RURALITY).to_numpy(float)
    # education relative to the birth cohort: tertile-like, poorer in the countryside
    edu_latent = rng.normal(size=n) - 0.55 * rurality + 0.1 * (people["sex"].to_numpy() == 2)
    people["education"] = np.digitize(edu_latent, [-0.45, 0.45]) + 1
    alone_p = np.select(
        [age < 30, age < 65, age < 75], [0.32, 0.20, 0.30], default=np.where(people["sex"] == 2, 0.55, 0.32)
    )
    people["lives_alone"] = (rng.random(n) < alone_p).astype(int)
    return people


def wellbeing_areas(codes: pd.Series, areas: AreaTables) -> pd.Series:
    """The wellbeing services county (column `hyvinvointialue` of municipalities.csv) of each municipality."""
    table = areas.municipalities
    if "hyvinvointialue" not in table.columns:
        raise ConfigError("municipalities.csv: missing column hyvinvointialue (the municipality's wellbeing "
                          "services county, a code of hyvinvointialueet.csv), which the synthetic waves carry")
    lookup = table.set_index("code")["hyvinvointialue"]
    result = codes.map(lookup)
    if result.isna().any():
        missing = sorted(set(codes[result.isna()]))
        raise ConfigError(f"municipalities.csv: no hyvinvointialue for municipality {', '.join(missing)}")
    return result.astype(str)
