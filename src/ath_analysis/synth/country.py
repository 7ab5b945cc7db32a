"""The rest of Finland as Terve Suomi samples it: 2,000 adults aged 20–74 and 800 aged 75+ per county.

Etelä-Savo is a materialised population (population.py). Every other wellbeing services county, and Helsinki,
is a super-population: its adults are described by the county's size (config/areas/hyvinvointialueet.csv) and
profile (parameters.COUNTIES), and only the people a sample — or the truth's Monte Carlo — needs are drawn. A
random sample of n from a county's N adults, each of whom is a draw from the county's distribution, is n
independent draws from that distribution, so the 4.4 million adults never need to exist.

Strata are county × age band (20–74, 75+). A stratum's N_h is the county's adult population (population 2022 ×
the profile's adult share, less the municipalities of the wave's Etelä-Savo frame when the frame reaches into
the county, as Heinävesi and Joroinen do before 2021) split by the county's age profile; it is the stratum's
FPC. Weights are made as Etelä-Savo's: inverse response propensity from a model on register variables, raked
to the strata and to county × sex × age totals, which the profile gives exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ath_analysis.areas import AreaTables
from ath_analysis.errors import ConfigError
from ath_analysis.register.model import AUTONOMOUS_MAAKUNTA, NationalRegister
from ath_analysis.synth import parameters as p
from ath_analysis.synth.health import AREA_EFFECT_SD, PLACE_TRAITS, add_health_items
from ath_analysis.synth.population import add_register_traits, draw_classes, female_share
from ath_analysis.synth.sampling import (
    CALIBRATION_AGE,
    SampleDesign,
    age_band,
    propensity_weights,
    rake,
    response_propensity,
    sex_age_cell,
)

# Terve Suomi's age strata: name, first age, last age (ages run to 99 as in the age profiles)
AGE_STRATA = (("20-74", 20, 74), ("75+", 75, 99))
COUNTY_COLUMNS = ("code", "name_fi", "maakunta", "population_2022")
STRATUM_COLUMNS = ["code", "name_fi", "maakunta", "stratum", "stratum_label", "age_band", "age_min", "age_max",
                   "population", "sample"]


@dataclass(frozen=True)
class NationalDesign:
    """Terve Suomi 2022's national sample: a fixed number per county and age band, and its response level."""

    sample_20_74: int = 2000
    sample_75: int = 800
    # logit shift on top of the wave's own (SampleDesign.response_shift): 46 % respond in 2022, more before
    response_shift: float = 0.24

    def sample_size(self, band: str) -> int:
        return self.sample_75 if band == "75+" else self.sample_20_74


def read_counties(path: str | Path) -> pd.DataFrame:
    """config/areas/hyvinvointialueet.csv: codes as two-digit text ("05", "90"), maakunta too, population as int."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: reference table not found")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    missing = [c for c in COUNTY_COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}")
    population = pd.to_numeric(table["population_2022"], errors="coerce")
    bad = population.isna() | (population < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ConfigError(f"{path}: row {row + 1}, column population_2022: {table['population_2022'].iloc[row]!r} "
                          "is not a population")
    if table["code"].duplicated().any():
        raise ConfigError(f"{path}: county code(s) {', '.join(table.loc[table['code'].duplicated(), 'code'])} "
                          "listed twice")
    return table.assign(population_2022=population.astype(int), maakunta=table["maakunta"].str.zfill(2))


def counties_of(areas: AreaTables, counties: pd.DataFrame | None) -> pd.DataFrame:
    """The county table given, else the one the area tables carry (`hyvinvointialueet`)."""
    return counties if counties is not None else areas.hyvinvointialueet


def _age_shares(profile: p.CountyProfile) -> np.ndarray:
    """Share of the county's adults in each 5-year band of parameters.AGE_BANDS."""
    mix = np.array(profile.age_mix, dtype=float)
    shares = (mix[0] * np.array(p.AGE_PROFILE_CITY) + mix[1] * np.array(p.AGE_PROFILE_URBAN)
              + mix[2] * np.array(p.AGE_PROFILE_RURAL))
    return shares / shares.sum()


def _in_stratum(low: int, high: int) -> np.ndarray:
    bands = np.array(p.AGE_BANDS)
    return (bands >= low) & (bands <= high)


def national_strata(areas: AreaTables, counties: pd.DataFrame, frame_municipalities: pd.Series,
                    design: NationalDesign) -> pd.DataFrame:
    """One row per county × age stratum outside the Etelä-Savo frame, with its population and sample size.

    Åland (the autonomous maakunta) is not surveyed; a county wholly inside the frame (Etelä-Savo) has no rows.
    """
    municipalities = areas.municipalities
    inside = municipalities["code"].isin(frame_municipalities)
    if "hyvinvointialue" not in municipalities.columns:
        raise ConfigError("municipalities.csv: missing column hyvinvointialue (the municipality's wellbeing "
                          "services county), which the synthetic national waves need")
    framed = municipalities.loc[inside].groupby("hyvinvointialue")["pop_2022"].sum()
    rows = []
    for county in counties.itertuples(index=False):  # two dozen counties
        if county.maakunta == AUTONOMOUS_MAAKUNTA:
            continue
        residents = int(county.population_2022) - int(framed.get(county.code, 0))
        if residents <= 0:
            continue
        profile = p.COUNTIES.get(county.code, p.DEFAULT_COUNTY)
        adults = round(residents * profile.adult_share)
        shares = _age_shares(profile)
        for band, low, high in AGE_STRATA:
            population = round(adults * shares[_in_stratum(low, high)].sum())
            rows.append({
                "code": county.code, "name_fi": county.name_fi, "maakunta": county.maakunta,
                "stratum": f"HVA{county.code:0>2}_{band}", "stratum_label": f"{county.name_fi} {band}",
                "age_band": band, "age_min": low, "age_max": high, "population": population,
                "sample": min(design.sample_size(band), population),
            })
    return pd.DataFrame(rows, columns=STRATUM_COLUMNS)


def county_effects(codes: np.ndarray, wave_index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-person latent shifts: the country's and the county's own, plus a person's share of local variation.

    People live in different municipalities and villages of their county; without materialising those places each
    person gets an independent draw of the spread Etelä-Savo's places have (health.AREA_EFFECT_SD).
    """
    unique, index = np.unique(codes, return_inverse=True)
    effects = {}
    for trait in PLACE_TRAITS:
        national = p.NATIONAL_EFFECTS.get(trait, 0.0) + wave_index * p.NATIONAL_TRENDS.get(trait, 0.0)
        per_county = np.array([national + p.COUNTIES.get(code, p.DEFAULT_COUNTY).effects.get(trait, 0.0)
                               for code in unique])
        effects[trait] = per_county[index]
    for trait, sd in AREA_EFFECT_SD.items():
        effects[trait] = effects[trait] + rng.normal(0.0, sd, size=len(codes))
    return effects


def simulate_people(strata: pd.DataFrame, sizes: np.ndarray, wave_index: int, seed: int) -> pd.DataFrame:
    """`sizes[i]` adults of stratum row i, drawn from their county's distribution, with every item answered."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes, dtype=np.int64)
    row = np.repeat(np.arange(len(strata)), sizes)
    ages = np.empty(len(row), dtype=np.int64)
    classes = np.empty(len(row), dtype=object)
    bands = np.array(p.AGE_BANDS)
    start = 0
    for stratum, size in zip(strata.itertuples(index=False), sizes, strict=True):  # per stratum, not per person
        profile = p.COUNTIES.get(stratum.code, p.DEFAULT_COUNTY)
        inside = _in_stratum(stratum.age_min, stratum.age_max)
        shares = _age_shares(profile)[inside]
        where = slice(start, start + size)
        ages[where] = rng.choice(bands[inside], size=size, p=shares / shares.sum()) + rng.integers(0, 5, size=size)
        classes[where] = draw_classes(rng, profile.urban_rural, int(size))
        start += size
    codes = strata["code"].to_numpy()[row]
    people = pd.DataFrame({"wellbeing_area_code": codes, "urban_rural_code": classes, "age": ages})
    people = add_register_traits(people, rng)
    place = county_effects(codes, wave_index, rng)
    return add_health_items(people, wave_index, int(rng.integers(2**63)), place=place)


def expected_sex_age(strata: pd.DataFrame) -> pd.Series:
    """Expected adults per county × sex × calibration age group (the raking totals), from the profiles."""
    bands = np.array(p.AGE_BANDS)
    # the calibration groups and the share of women are constant within a 5-year band
    group = age_band(bands, CALIBRATION_AGE)
    women = female_share(bands)
    totals: dict[str, float] = {}
    for stratum in strata.itertuples(index=False):
        inside = _in_stratum(stratum.age_min, stratum.age_max)
        shares = _age_shares(p.COUNTIES.get(stratum.code, p.DEFAULT_COUNTY)) * inside
        shares = shares / shares.sum() * stratum.population
        for sex, sex_share in ((1, 1 - women), (2, women)):
            cells = pd.Series(shares * sex_share).groupby(10 * group + sex).sum()
            for cell, total in cells.items():
                key = f"{stratum.code}_{cell}"
                totals[key] = totals.get(key, 0.0) + float(total)
    return pd.Series(totals)


def national_respondents(strata: pd.DataFrame, sample_design: SampleDesign, design: NationalDesign,
                         wave_index: int, seed: int, response_seed: int) -> pd.DataFrame:
    """The national sample, its response, and weights for those who answered (canonical variables)."""
    sample = simulate_people(strata, strata["sample"].to_numpy(), wave_index, seed)
    row = np.repeat(np.arange(len(strata)), strata["sample"].to_numpy())
    for column, source in (("stratum", "stratum"), ("stratum_label", "stratum_label"), ("N_h", "population"),
                           ("n_h", "sample")):
        sample[column] = strata[source].to_numpy()[row]
    rng = np.random.default_rng(response_seed)
    town = (sample["urban_rural_code"] == "K1").to_numpy(float)  # inner urban areas respond less
    responded = rng.random(len(sample)) < response_propensity(sample, sample_design, town=town,
                                                              shift=design.response_shift)
    base = propensity_weights(sample, responded)
    respondents = sample.loc[responded]
    county_cells = respondents["wellbeing_area_code"].astype(str) + "_" + sex_age_cell(respondents).astype(str)
    margins = [
        (respondents["stratum"].to_numpy(), strata.set_index("stratum")["population"].astype(float)),
        (county_cells.to_numpy(), expected_sex_age(strata)),
    ]
    return respondents.assign(weight=rake(base, margins))


def municipality_pool(register: NationalRegister, fieldwork_date: str, frame: pd.Series) -> pd.DataFrame:
    """Municipalities in force at fieldwork outside the Etelä-Savo `frame`: code, county, population.

    The register's lists start in 2013: an earlier survey gets the first list, plus the municipalities whose merger
    the register dates after fieldwork and by that list's first day (they were in force at fieldwork; undated
    mergers cannot be placed in time). Populations are Sotkanet's, published in a later municipal division;
    municipalities merged by then share their successor's population equally.
    """
    listed = register.municipality_list(fieldwork_date, nearest=True)
    first_day = f"{int(listed['year'].iloc[0])}-01-01"
    successors = register.successors
    effective = pd.to_datetime(successors["effective"].replace("", None))
    merged_since = (effective > pd.Timestamp(fieldwork_date)) & (effective <= pd.Timestamp(first_day))
    codes = pd.Series(sorted(set(listed["code"]) | set(successors.loc[merged_since, "old_code"])), dtype="string")
    in_frame = codes.isin(frame) | register.municipality_at(codes, fieldwork_date, first_day).isin(frame)
    codes = codes[~in_frame.to_numpy()].reset_index(drop=True)
    latest = f"{register.years[-1]}-01-01"
    now = register.municipality_at(codes, fieldwork_date, latest)
    pool = pd.DataFrame({"code": codes, "county": register.hyvinvointialue_on(now, latest),
                         "maakunta": register.maakunta_on(now, latest)})
    populations = register.populations
    year = min(max(pd.Timestamp(fieldwork_date).year, int(populations["year"].min())), int(populations["year"].max()))
    published = populations[populations["year"] == year]
    division = register.municipality_at(codes, fieldwork_date, f"{int(published['division_year'].iloc[0])}-01-01")
    pool["population"] = (division.map(published.set_index("code")["population"]).astype(float)
                          / division.map(division.value_counts()).astype(float))
    keep = (pool["maakunta"] != AUTONOMOUS_MAAKUNTA) & pool["county"].notna() & (pool["population"] > 0)
    return pool[keep.fillna(False).to_numpy(bool)].reset_index(drop=True)


def draw_municipalities(pool: pd.DataFrame, counties: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A municipality of each person's county, proportional to population (`pool` from `municipality_pool`)."""
    result = np.full(len(counties), None, dtype=object)
    for county, members in pool.groupby("county"):  # per county, not per person
        people = np.flatnonzero(counties == county)
        if len(people):
            weights = members["population"].to_numpy(float)
            result[people] = members["code"].to_numpy(object)[rng.choice(len(members), size=len(people),
                                                                          p=weights / weights.sum())]
    missing = sorted(set(counties[pd.isna(result)]))
    if missing:
        raise ConfigError(f"the national register has no municipalities of wellbeing services count(y/ies) "
                          f"{', '.join(missing)} at fieldwork")
    return result


def county_names(counties: pd.DataFrame) -> Mapping[str, str]:
    """Code → Finnish name of the counties THL surveys."""
    surveyed = counties[counties["maakunta"] != AUTONOMOUS_MAAKUNTA]
    return dict(zip(surveyed["code"], surveyed["name_fi"], strict=True))


def draw_postal_codes(register: NationalRegister, municipalities: pd.Series, fieldwork_date: str,
                      rng: np.random.Generator) -> pd.Series:
    """A postal code area of each national respondent's municipality, proportional to the areas' populations
    (the register's postal areas, as in its latest municipal list); missing where the register has none.

    Without it a national respondent has no postal code, so a sub-area municipality outside Etelä-Savo (the
    Keski-Suomi test's Jyväskylä) would have no sub-areas to estimate.
    """
    result = pd.Series(pd.NA, index=municipalities.index, dtype="string")
    postal = register.postal_areas
    if postal is None or postal.empty or municipalities.isna().all():
        return result
    latest = f"{register.years[-1]}-01-01"
    home = register.municipality_at(postal["municipality_code"].replace("", pd.NA), latest, latest)
    people = register.municipality_at(municipalities, fieldwork_date, latest)
    population = pd.to_numeric(postal["population"], errors="coerce").fillna(0).to_numpy(float)
    codes = postal["postal_code"].to_numpy(object)
    for municipality, rows in people.groupby(people, sort=True):  # per municipality, not per person
        mine = np.flatnonzero((home == municipality).fillna(False).to_numpy(bool))
        if not len(mine):
            continue
        weights = population[mine] + 1.0  # an area without a published population still gets a few
        result.loc[rows.index] = codes[mine][rng.choice(len(mine), size=len(rows), p=weights / weights.sum())]
    return result
