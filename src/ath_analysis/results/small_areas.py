"""The small-area table: Fay–Herriot estimates for one municipality's sub-areas, next to their direct estimates.

Per configured indicator × wave × area set (`subarea`, `subarea_group`): the direct estimate and its design
variance come from the survey module on the wave's full design (the domain is a sub-area cell; everybody else
belongs to no cell), and `ath_analysis.sae.fay_herriot` combines them with area covariates — from the
synthetic population when the data are synthetic, else from the user's table
`config/areas/mikkeli_subarea_covariates.csv` (see config/areas/README.md). The model is the one
validation/sae_simulation.py found calibrated: Freeman–Tukey double arcsine with design effects, the adjusted
REML of Yoshimori & Lahiri (σ̂²_v > 0) and the finite-population term τ² = 1/(4N) of each area's adults.

Each row says which estimate to show: the direct one where it is reliable (n ≥ disclosure.min_n and
CV ≤ small_areas.max_direct_cv), else the model's. `disclosure.small_areas` blanks direct estimates from
fewer than disclosure.min_n respondents (`direct_suppressed`); the model estimate is still given, as it leans
on the covariates in proportion to how noisy the direct estimate is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.analysis import domain_frame, wave_design
from ath_analysis.areas import AreaTables
from ath_analysis.disclosure.small_areas import disclose_small_area_rows
from ath_analysis.errors import ConfigError, DataError, close_matches
from ath_analysis.geography import GeographySettings, attach_geography
from ath_analysis.results.gather import order_small_areas
from ath_analysis.sae import SAEDataError, fay_herriot
from ath_analysis.subareas import UNKNOWN_SUBAREA, Subareas
from ath_analysis.survey import CIMethod, LonelyPSU, estimate_domains

SMALL_AREA_COLUMNS = [
    "indicator", "wave", "year", "area_set", "area", "area_label", "n", "direct", "direct_se", "direct_ci_low",
    "direct_ci_high", "direct_suppressed", "model", "model_mse", "model_rmse", "model_cv", "model_ci_low",
    "model_ci_high", "shrinkage", "estimate_type", "smoothed_variance", "shown", "shown_estimate", "shown_ci_low",
    "shown_ci_high", "sigma2_v", "method", "synthetic",
]
AREA_SETS = ("subarea", "subarea_group")
POPULATION = "population"  # adults (aged >= geography.min_age) per area: weights and the finite-population term
RURAL_CLASSES = ("M5", "M6", "M7")

# covariates the stage can compute from the synthetic population: name -> indicator of each person
POPULATION_COVARIATES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "aged_65_plus": lambda people: people["age"] >= 65,
    "aged_75_plus": lambda people: people["age"] >= 75,
    "low_education": lambda people: people["education"] == 1,
    "high_education": lambda people: people["education"] == 3,
    "rural_m5_m7": lambda people: people["urban_rural_code"].astype("string").isin(RURAL_CLASSES),
    "lives_alone": lambda people: people["lives_alone"] == 1,
    "men": lambda people: people["sex"] == 1,
}


@dataclass(frozen=True)
class SmallAreaSettings:
    """The config's `small_areas` block (see the schema for each field)."""

    indicators: tuple[str, ...]
    area_sets: tuple[str, ...]
    method: str
    transform: str
    finite_population: bool
    max_direct_cv: float
    covariates: tuple[str, ...]
    covariate_file: str

    @classmethod
    def from_config(cls, block: Mapping[str, Any]) -> SmallAreaSettings:
        return cls(tuple(block["indicators"]), tuple(block["area_sets"]), block["method"],
                   block["transform"], bool(block["finite_population"]), float(block["max_direct_cv"]),
                   tuple(block["covariates"]), str(block["covariate_file"]))


@dataclass(frozen=True)
class DirectSettings:
    """How the direct estimates are made (the config's `estimate` block, in part)."""

    ci_method: CIMethod
    level: float
    lonely_psu: LonelyPSU


# ------------------------------------------------------------------------------------------------ covariates
def population_adults(population: pd.DataFrame, areas: AreaTables, geography: GeographySettings, min_age: int,
                      wave: str, fieldwork_date: str, subareas: Subareas) -> pd.DataFrame:
    """The synthetic population's adults living in the sub-area municipality, with sub-area columns as
    respondents get."""
    people = population.assign(municipality_code=population["municipality_code_at_survey"])
    people, _ = attach_geography(people, areas, geography, wave, fieldwork_date, subareas=subareas)
    keep = (people["municipality"] == subareas.municipality) & (people["age"] >= min_age)
    return people[keep]


def covariates_from_population(people: pd.DataFrame, area_set: str, names: Sequence[str]) -> pd.DataFrame:
    """Per area of `area_set`: the share of adults with each covariate, and their number (`population`)."""
    unknown = [name for name in names if name not in POPULATION_COVARIATES]
    if unknown:
        raise ConfigError(
            f"small_areas.covariates: {', '.join(repr(u) for u in unknown)} cannot be computed from the synthetic "
            f"population{close_matches(unknown[0], POPULATION_COVARIATES)}; available: "
            f"{', '.join(POPULATION_COVARIATES)}")
    placed = people[people[area_set].notna() & (people[area_set] != UNKNOWN_SUBAREA)]
    values = pd.DataFrame({name: POPULATION_COVARIATES[name](placed).astype(float) for name in names},
                          index=placed.index)
    grouped = values.groupby(placed[area_set].astype(str))
    table = grouped.mean()
    table[POPULATION] = grouped.size().astype(float)
    table.index.name = "area"
    return table


def read_covariate_file(path: str | Path, names: Sequence[str]) -> pd.DataFrame:
    """The user's covariate table, checked: a key column (subarea or postal_code), population, the covariates."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"{path}: small-area covariate file not found. With data.synthetic: false the small_areas stage needs "
            f"one row per Mikkeli sub-area with columns subarea (or postal_code), {POPULATION}, "
            f"{', '.join(names)} — see config/areas/README.md")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], comment="#")
    table.columns = [c.strip() for c in table.columns]
    key = "subarea" if "subarea" in table.columns else "postal_code" if "postal_code" in table.columns else None
    missing = ([] if key else ["subarea (or postal_code)"]) + [c for c in (POPULATION, *names)
                                                                 if c not in table.columns]
    if missing:
        hint = close_matches(missing[-1], table.columns) if missing[-1] != "subarea (or postal_code)" else ""
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}{hint} (small_areas.covariates lists "
                          "the covariates; see config/areas/README.md)")
    if table.empty:
        raise ConfigError(f"{path}: the file has no rows; fill in one row per Mikkeli sub-area "
                          "(see config/areas/README.md)")
    table[key] = table[key].str.strip()
    duplicated = table[key][table[key].duplicated()].unique()
    if len(duplicated):
        raise ConfigError(f"{path}: {key} {', '.join(map(str, duplicated[:5]))} appear(s) more than once")
    out = table[[key]].copy()
    for column in (POPULATION, *names):
        values = pd.to_numeric(table[column].str.strip(), errors="coerce")
        bad = values.isna() | ~np.isfinite(values)
        if bad.any():
            shown = ", ".join(table.loc[bad, key].astype(str).head(5))
            raise ConfigError(f"{path}: column {column} is missing or not a number for {key} {shown}")
        out[column] = values.astype(float)
    nonpositive = out[POPULATION] <= 0
    if nonpositive.any():
        raise ConfigError(f"{path}: column {POPULATION} must be positive (adults living in the area); not for "
                          f"{key} {', '.join(out.loc[nonpositive, key].astype(str).head(5))}")
    return out.set_index(key)


def covariates_from_file(table: pd.DataFrame, path: str | Path, subareas: Subareas, area_set: str,
                         names: Sequence[str]) -> pd.DataFrame:
    """Covariates per area of `area_set` from the checked user table (population-weighted where rows merge)."""
    lookup = subareas.table
    key = table.index.name
    known = set(lookup[key].astype(str))
    unknown = [k for k in table.index if k not in known]
    if unknown:
        raise ConfigError(f"{path}: unknown {key}(s) {', '.join(unknown[:5])}{close_matches(unknown[0], known)}; "
                          f"they must be those of the sub-area table (geography.subareas)")
    absent = sorted(known - set(table.index))
    if absent:
        raise ConfigError(f"{path}: no row for {key}(s) {', '.join(absent[:8])}"
                          + (", …" if len(absent) > 8 else "") + "; every Mikkeli sub-area needs covariates")
    target = dict(zip(lookup[key].astype(str), lookup[area_set].astype(str), strict=True))
    groups = pd.Series([target[k] for k in table.index], index=table.index)
    weights = table[POPULATION]
    weighted = table[list(names)].mul(weights, axis=0).groupby(groups).sum()
    out = weighted.div(weights.groupby(groups).sum(), axis=0)
    out[POPULATION] = weights.groupby(groups).sum()
    out.index.name = "area"
    return out


# ------------------------------------------------------------------------------------------------ estimation
def select_indicators(definitions: Sequence[Any], wanted: Sequence[str]) -> list[str]:
    """The configured indicator ids (default: every proportion indicator), checked."""
    kinds = {d.id: d.kind for d in definitions}
    if not wanted:
        return [d.id for d in definitions if d.kind == "proportion"]
    for indicator in wanted:
        if indicator not in kinds:
            raise ConfigError(f"small_areas.indicators: unknown indicator '{indicator}'"
                              f"{close_matches(indicator, kinds)}")
        if kinds[indicator] != "proportion":
            raise ConfigError(f"small_areas.indicators: '{indicator}' is a {kinds[indicator]}; the small-area "
                              "model (arcsine scale) is for proportions only")
    return list(dict.fromkeys(wanted))


def _direct_table(frame: pd.DataFrame, ids: Sequence[str], area_sets: Sequence[str], municipality: str,
                  estimate: DirectSettings, region_code: str, wave: str) -> pd.DataFrame:
    """Direct estimates per sub-area cell on the wave's full design (the survey module's domain estimates)."""
    domain_sets = {area_set: [area_set] for area_set in area_sets}
    data = domain_frame(frame, domain_sets, region_code, wave, "small_areas.area_sets")
    outside = (frame["municipality"].astype("string") != municipality).fillna(True).to_numpy()
    for area_set in area_sets:
        data[area_set] = data[area_set].mask(outside)
    present = [i for i in ids if i in data]
    return estimate_domains(data, wave_design(data, estimate.lonely_psu), present, domain_sets,
                            kind="proportion", ci=estimate.ci_method, level=estimate.level)


def _fit_one(direct: pd.DataFrame, covariates: pd.DataFrame, names: Sequence[str], settings: SmallAreaSettings,
             level: float) -> tuple[pd.DataFrame, float]:
    fit = fay_herriot(
        direct["estimate"], direct["se"] ** 2, covariates[list(names)],
        n=direct["n"], deff=direct["deff"], transform=settings.transform, method=settings.method,
        population=covariates[POPULATION] if settings.finite_population else None,
        area=direct.index, level=level,
    )
    return fit.to_frame().set_index("area"), fit.sigma2_v


def estimate_small_areas(
    waves: Mapping[str, pd.DataFrame],
    years: Mapping[str, int],
    indicator_ids: Sequence[str],
    covariates: Mapping[tuple[str, str], pd.DataFrame],
    settings: SmallAreaSettings,
    estimate: DirectSettings,
    min_n: int,
    region_code: str,
    labels: Mapping[str, Mapping[str, str]],
    synthetic: bool,
    municipality: str,
    hide_below: int | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The tidy small-area table (SMALL_AREA_COLUMNS) and warnings, for every indicator × wave × area set.

    `covariates[(wave, area_set)]`: one row per area (index: area label) with the configured covariates and
    `population`; its areas are the ones estimated (an area without respondents gets the synthetic estimate).

    hide_below: the table to publish. Areas with fewer respondents are fitted as if they had none, so their
    estimate is the regression-synthetic x'β̂ of a model fitted on the other areas only: nothing published
    then depends on those respondents' answers (an EBLUP does, and with its known shrinkage it can be solved
    back to the hidden direct estimate). None: every area's answers are used (the internal table).
    """
    names = list(settings.covariates)
    level = estimate.level
    warnings: list[str] = []
    parts = []
    for wave, frame in waves.items():
        if frame.empty:
            raise DataError(f"wave '{wave}': the indicator table has no respondents; no small-area estimates")
        table = _direct_table(frame, indicator_ids, settings.area_sets, municipality, estimate,
                              region_code, wave)
        # e.g. a sub-area municipality outside the synthetic population (Etelä-Savo): nothing to model on
        warnings += [f"wave '{wave}', {area_set}: no area of municipality {municipality} has covariates; no "
                     "small-area rows" for area_set in settings.area_sets if covariates[(wave, area_set)].empty]
        for indicator in indicator_ids:
            if indicator not in frame or frame[indicator].notna().sum() == 0:
                warnings.append(f"wave '{wave}': indicator '{indicator}' has no answers; no small-area rows")
                continue
            for area_set in settings.area_sets:
                cov = covariates[(wave, area_set)]
                if cov.empty:
                    continue
                rows = table[(table["variable"] == indicator) & (table["domain"] == area_set)]
                direct = rows.set_index("domain_value").reindex(cov.index)
                left_out = rows[~rows["domain_value"].isin(cov.index) & (rows["n"] > 0)]
                if len(left_out):
                    warnings.append(f"wave '{wave}', {area_set}: {int(left_out['n'].sum())} respondent(s) in "
                                    f"{', '.join(left_out['domain_value'])} (no covariates) are left out of the "
                                    f"small-area model for '{indicator}'")
                direct["n"] = direct["n"].fillna(0)
                direct.loc[direct["n"] == 0, ["estimate", "se", "deff"]] = np.nan
                if hide_below is not None:
                    direct.loc[direct["n"] < hide_below, ["estimate", "se", "deff"]] = np.nan
                try:
                    fit, sigma2 = _fit_one(direct, cov, names, settings, level)
                except SAEDataError as exc:
                    raise DataError(f"small_areas: indicator '{indicator}', wave '{wave}', area set '{area_set}': "
                                    f"{exc}") from None
                parts.append(_rows(indicator, wave, int(years[wave]), area_set, direct, fit, sigma2, settings,
                                   min_n, labels.get(area_set, {})))
    if not parts:
        return pd.DataFrame(columns=SMALL_AREA_COLUMNS), warnings
    out = order_small_areas(pd.concat(parts, ignore_index=True), indicator_ids, settings.area_sets)
    out["n"] = out["n"].astype("Int64")
    out["synthetic"] = synthetic
    return disclose_small_area_rows(out[SMALL_AREA_COLUMNS].reset_index(drop=True)), warnings


def _rows(indicator: str, wave: str, year: int, area_set: str, direct: pd.DataFrame, fit: pd.DataFrame,
          sigma2: float, settings: SmallAreaSettings, min_n: int, labels: Mapping[str, str]) -> pd.DataFrame:
    n = direct["n"].to_numpy(float)
    suppressed = n < min_n
    with np.errstate(invalid="ignore", divide="ignore"):
        direct_cv = (direct["se"] / direct["estimate"]).to_numpy(float)
    reliable = ~suppressed & np.isfinite(direct_cv) & (direct_cv <= settings.max_direct_cv)

    model = fit["estimate"].to_numpy(float)
    out = pd.DataFrame({
        "indicator": indicator,
        "wave": wave,
        "year": year,
        "area_set": area_set,
        "area": direct.index.astype(str),
        "area_label": [labels.get(a, a) for a in direct.index.astype(str)],
        "n": n,
        "direct": direct["estimate"].to_numpy(float),
        "direct_se": direct["se"].to_numpy(float),
        "direct_ci_low": direct["ci_low"].to_numpy(float),
        "direct_ci_high": direct["ci_high"].to_numpy(float),
        "direct_suppressed": suppressed,
        "model": model,
        "model_mse": fit["mse"].to_numpy(float),
        "model_rmse": fit["rmse"].to_numpy(float),
        "model_cv": fit["cv"].to_numpy(float),
        "model_ci_low": fit["ci_low"].to_numpy(float),
        "model_ci_high": fit["ci_high"].to_numpy(float),
        "shrinkage": fit["gamma"].to_numpy(float),
        "estimate_type": fit["estimate_type"].to_numpy(object),
        "smoothed_variance": fit["smoothed_variance"].to_numpy(bool),
        "shown": np.where(reliable, "direct", "model"),
        "sigma2_v": sigma2,
        "method": settings.method,
    })
    out["shown_estimate"] = np.where(reliable, out["direct"], out["model"])
    out["shown_ci_low"] = np.where(reliable, out["direct_ci_low"], out["model_ci_low"])
    out["shown_ci_high"] = np.where(reliable, out["direct_ci_high"], out["model_ci_high"])
    return out


# ----------------------------------------------------------------------------------------------- the stage
def covariate_name_problems(names: Sequence[str]) -> list[str]:
    """Problems with the configured covariate names that hold for synthetic and real data alike."""
    if not names:
        return ["small_areas.covariates is empty: the model needs at least one area covariate"]
    if POPULATION in names:
        return [f"small_areas.covariates: '{POPULATION}' is the area's number of adults, not a covariate"]
    return []


def synthetic_covariates(settings: SmallAreaSettings, areas: AreaTables, subareas: Subareas,
                         populations: Mapping[str, pd.DataFrame], geography: GeographySettings, min_age: int,
                         fieldwork_dates: Mapping[str, str]) -> dict[tuple[str, str], pd.DataFrame]:
    """Covariates per (wave, area set) computed from each wave's synthetic population."""
    names = list(settings.covariates)
    problems = covariate_name_problems(names)
    if problems:
        raise ConfigError(problems[0])
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for wave, population in populations.items():
        people = population_adults(population, areas, geography, min_age, wave, fieldwork_dates[wave], subareas)
        for area_set in settings.area_sets:
            out[(wave, area_set)] = covariates_from_population(people, area_set, names)
    return out


def file_covariates(settings: SmallAreaSettings, subareas: Subareas, path: str | Path, waves: Sequence[str]
                    ) -> dict[tuple[str, str], pd.DataFrame]:
    """Covariates per (wave, area set) from the user's covariate file (the same for every wave)."""
    names = list(settings.covariates)
    problems = covariate_name_problems(names)
    if problems:
        raise ConfigError(problems[0])
    out: dict[tuple[str, str], pd.DataFrame] = {}
    table = read_covariate_file(path, names)
    for area_set in settings.area_sets:
        cov = covariates_from_file(table, path, subareas, area_set, names)
        for wave in waves:
            out[(wave, area_set)] = cov
    return out
