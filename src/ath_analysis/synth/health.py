"""Latent health and well-being, and the questionnaire items drawn from it, in canonical codes.

A few correlated latent traits (general health, mental strain, social isolation, lifestyle, economy) carry
the structure that real survey data show: age and sex gradients, an education gradient, and urban–rural
differences (more obesity and poorer self-rated health in sparsely populated areas, more loneliness among
old people living alone). Items are ordinal cuts of a trait plus noise, so they correlate as real items do.
Levels are tuned to THL's published Etelä-Savo and national figures.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ath_analysis.synth.parameters import RURALITY


def _ordinal(latent: np.ndarray, cuts: list[float]) -> np.ndarray:
    """Codes 1…len(cuts)+1 by cutting a latent value (higher latent → higher code).

    The number of cuts at or below the value, as `np.digitize` with increasing cuts gives, but a few passes
    of comparisons instead of a binary search per value (several times faster for millions of values).
    """
    codes = np.ones(latent.shape, dtype=np.int64)
    for cut in cuts:
        codes += latent >= cut
    return codes


def _logistic(rng: np.random.Generator, size: int, scale: float = 1.0) -> np.ndarray:
    return rng.logistic(0.0, scale, size)


AREA_SEED = 2013  # places keep their character from wave to wave
AREA_EFFECT_SD = {"health": 0.22, "lifestyle": 0.22}  # between villages and districts, beyond their make-up
# Latent traits a place can shift: health (+ better), lifestyle (+ riskier: smoking, drinking, inactivity, poor
# diet), and three narrower ones: drink (alcohol use), strain (psychological distress), smoke (smoking).
PLACE_TRAITS = ("health", "lifestyle", "drink", "strain", "smoke")


def area_effects(people: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-person effects of the home area (Mikkeli postal area, else municipality) on latent traits.

    Villages and districts differ in ways their age, education and urban–rural make-up do not explain; these
    effects give the synthetic population that between-area variation, the same in every wave.
    """
    area = people["postal_code"].astype("string").fillna(people["municipality_code"].astype("string"))
    codes, uniques = pd.factorize(area, sort=True)
    effects = {}
    for trait, sd in AREA_EFFECT_SD.items():
        draws = np.array([np.random.default_rng([AREA_SEED, zlib.crc32(f"{trait}|{u}".encode())]).normal(0, sd)
                          for u in uniques])  # one draw per area (a few dozen), keyed by the area's code
        effects[trait] = draws[codes]
    return effects


def add_health_items(
    people: pd.DataFrame, wave_index: int, seed: int, place: Mapping[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """Return `people` with every canonical questionnaire item (no missing values: this is the truth).

    `wave_index` 0, 1, 2 … moves time trends (less smoking, more psychological distress lately). `place`:
    per-person shifts of the latent traits of PLACE_TRAITS (any subset) from where they live; by default the
    effects of their municipality or Mikkeli postal area (`area_effects`).
    """
    rng = np.random.default_rng(seed)
    n = len(people)
    age = people["age"].to_numpy(float)
    age_c = (age - 50.0) / 15.0
    male = (people["sex"].to_numpy() == 1).astype(float)
    female = 1.0 - male
    edu = people["education"].to_numpy()
    low, high = (edu == 1).astype(float), (edu == 3).astype(float)
    rural = people["urban_rural_code"].map(RURALITY).to_numpy(float)
    alone = people["lives_alone"].to_numpy(float)
    old = (age >= 75).astype(float)
    t = float(wave_index)

    place = area_effects(people) if place is None else place
    shift = {trait: place.get(trait, 0.0) for trait in PLACE_TRAITS}  # adding 0.0 leaves a value as it is
    health = rng.normal(size=n) + shift["health"]
    mental = 0.45 * health + rng.normal(scale=0.9, size=n)
    social = rng.normal(size=n)
    lifestyle = rng.normal(size=n) + shift["lifestyle"]
    economy = 0.3 * health + rng.normal(size=n)

    out = people.copy()
    srh_latent = 0.7 * age_c + 0.4 * low - 0.35 * high + 0.55 * rural - 1.1 * health + _logistic(rng, n, 0.5)
    out["srh"] = _ordinal(srh_latent, [-1.0, 0.8, 2.0, 3.0])

    strain = (
        -0.75 * mental + 0.2 * female - 0.2 * age_c + 0.1 * age_c**2 + 0.25 * alone + 0.2 * low + 0.28 * t
    ) + shift["strain"]
    for item, positive in [("mhi1", False), ("mhi2", False), ("mhi3", True), ("mhi4", False), ("mhi5", True)]:
        level = _ordinal(strain + rng.normal(scale=0.75, size=n), [0.1, 1.2, 1.8, 2.3, 2.9])  # 6 = most strain
        # codes run 1 = all of the time … 6 = none of the time: strain means nervous often, calm seldom
        out[item] = level if positive else 7 - level
    lonely_latent = 0.6 * strain + 1.1 * alone + 0.45 * old + 0.25 * rural + 0.8 * social
    out["loneliness"] = _ordinal(lonely_latent + _logistic(rng, n, 0.5), [-0.4, 1.0, 2.7, 3.6])

    height = np.where(male == 1, 179.5, 165.5) - 0.06 * np.clip(age - 45, 0, None)
    height = height + rng.normal(scale=np.where(male == 1, 6.8, 6.2))
    log_bmi = (
        np.log(24.7)
        + 0.02 * male
        + 0.045 * np.clip(age_c + 1.2, None, 1.5)
        + 0.055 * rural
        + 0.03 * low
        - 0.03 * high
        - 0.035 * health
        + 0.01 * t
        + rng.normal(scale=0.155, size=n)
    )
    weight = np.exp(log_bmi) * (height / 100) ** 2
    out["height_cm"] = np.round(height)
    out["weight_kg"] = np.round(weight)

    smoke = -2.05 + 0.35 * male + 0.75 * low - 0.65 * high - 1.0 * old - 0.55 * (age >= 65) + 0.25 * rural
    smoke = smoke - 0.28 * t + 0.5 * lifestyle + shift["smoke"]
    smoke_p = 1 / (1 + np.exp(-smoke))
    u = rng.random(n)
    out["smoking"] = np.where(u < smoke_p, 1, np.where(u < smoke_p + 0.04, 2, 3))

    drink = -0.75 + 0.85 * male - 0.35 * age_c - 0.35 * old + 0.25 * high + 0.4 * lifestyle + 0.1 * t
    drink = drink + shift["drink"]
    out["audit1"] = _ordinal(drink + rng.normal(scale=0.8, size=n), [-1.6, -0.5, 0.55, 1.7]) - 1
    out["audit2"] = _ordinal(drink + 0.2 * low + rng.normal(scale=0.9, size=n), [-0.15, 1.05, 1.9, 2.6]) - 1
    out["audit3"] = _ordinal(drink + rng.normal(scale=0.8, size=n), [-0.8, 0.15, 1.1, 2.3]) - 1

    inactive = 0.35 * age_c + 0.45 * low - 0.3 * high + 0.35 * rural - 0.5 * health + 0.45 * lifestyle
    out["ltpa"] = 4 - _ordinal(inactive + _logistic(rng, n, 0.5), [-0.85, 1.35])

    qol = 0.45 + 0.55 * health - 0.5 * strain + 0.3 * high - 0.25 * alone + 0.3 * economy - 0.1 * rural
    for i in range(1, 9):
        out[f"qol{i}"] = _ordinal(qol + rng.normal(scale=0.75, size=n), [-2.6, -1.7, -0.75, 1.05])

    limited = 0.7 * age_c + 0.3 * low + 0.15 * rural - 0.95 * health + _logistic(rng, n, 0.5)
    out["gali"] = 4 - _ordinal(limited, [0.75, 2.2])

    hardship = 0.6 * low - 0.55 * high + 0.45 * alone - 0.15 * age_c - 0.8 * economy + 0.1 * rural
    out["expenses"] = 7 - _ordinal(hardship + _logistic(rng, n, 0.4), [-2.0, -0.9, 0.2, 1.45, 2.3])

    need = 1 / (1 + np.exp(-(0.9 + 0.4 * age_c - 0.6 * health + 0.5 * female)))
    unmet = 1 / (1 + np.exp(-(-2.2 + 0.55 * rural + 0.35 * t - 0.3 * health + 0.3 * low - 0.2 * old)))
    needed = rng.random(n) < need
    out["unmet_need"] = np.where(~needed, 1, np.where(rng.random(n) < unmet, 3, 2))

    diet = 0.55 * female + 0.35 * high - 0.35 * low - 0.25 * rural - 0.3 * lifestyle + 0.1 * age_c
    out["vegetables"] = _ordinal(diet + rng.normal(scale=0.9, size=n), [-1.9, -1.0, -0.05, 1.2])
    out["fruit"] = _ordinal(diet + rng.normal(scale=0.9, size=n), [-1.7, -0.8, 0.05, 1.4])

    inner_urban = (people["urban_rural_code"] == "K1").to_numpy(float)
    unsafe = 0.5 * inner_urban + 0.2 * female - 0.15 * health
    out["area_safety"] = _ordinal(unsafe + _logistic(rng, n, 0.55), [-0.15, 1.4, 2.1, 2.9])
    return out
