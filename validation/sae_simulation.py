"""Fay–Herriot for the sub-areas of the configured municipality, validated on the project's synthetic population —
and what the publication rule for small areas costs.

Each replicate redraws a whole wave (FinSote 2018 by default) from one fixed synthetic population (stratified
sample, non-response, weighting: `regional_respondents`), computes direct estimates per sub-area of
`geography.subareas` (Mikkeli by default) with the project's survey estimator (full regional design, FPC as in
tests/test_coverage.py), fits Fay–Herriot with the sub-area covariates of `small_areas.covariates` computed from
the synthetic population (`synthetic_covariates`, as the small_areas stage does), and compares every estimate
with the true sub-area value (the mean over the sub-area's adults). Municipality, region, model settings,
disclosure.min_n and the interval settings all come from config/config.yaml (`--config`).

Model variants (VARIANTS): σ²_v by REML, by the adjusted REML of Li & Lahiri (2010, "AREML", with its
bias-corrected Li–Lahiri MSE or the plain Prasad–Rao one) or of Yoshimori & Lahiri (2014, "AREML_YL", Prasad–Rao
MSE); on the plain arcsine scale (ψ = deff/(4n)) or the Freeman–Tukey double arcsine (ψ = 1/(4 n_eff + 2), "FT");
with or without each sub-area's finite-population variance τ² = 1/(4N) ("+tau2"). `--no-variants` skips them.

The publication rule (issue 11, item 3; `small_areas` stage with `hide_below`, `disclosure.published`): an area
with fewer than disclosure.min_n respondents is published as the regression-synthetic estimate x'β̂ of a fit on
the other areas only (none of its own answers), with that estimate's interval; an area from min_n up shows its
direct estimate where the CV is at most small_areas.max_direct_cv, else the EBLUP of that same fit. Three
estimators, all with the config's model (`publication_rule`):
  "EBLUP"      the unrestricted EBLUP of every area (all answers used; what the internal table has),
  "shown"      what the internal table shows: direct where reliable, else the unrestricted EBLUP,
  "published"  what the publication rule publishes.
For each, by the area's respondents in the replicate (n = 0, 0 < n < min_n, n < min_n, n >= min_n, all): the
MSE against the truth and its ratio to the EBLUP's on the same area-replicates, the coverage of the 95 % interval,
the mean estimated / empirical MSE, median CV and mean interval width (sae_publication_rule.csv).

What the earlier study found (100 replicates, sae_summary.csv): with the old set-up (arcsine, REML) the estimated
MSE was about half the empirical one and 95 % intervals covered 85 %. Two causes, both fixed in
`ath_analysis.sae`: (1) 1/(4n) understates the variance of asin √p̂ by 20–80 % for 3–30 respondents (exact
binomial moments; the double arcsine does not); (2) the target is a village's own finite-population
proportion, which scatters around the model's smooth mean by binomial noise 1/(4N) — for villages of a few
hundred adults as large as the between-area variance, so a single σ²_v cannot describe both. The adjusted REML
matters less: Yoshimori–Lahiri is as calibrated as REML and never 0; Li–Lahiri's σ̂²_v is 2–3 times larger,
its bias-corrected MSE often needs its floor, and with the Prasad–Rao MSE it is conservative. The figures of
the publication rule are in validation/README.md.

Writes validation/results/sae_summary.csv (variants, by mean sample size), sae_areas.csv (per area),
sae_publication_rule.csv and PNG figures; prints the summaries. Nothing respondent-level is written.

    PYTHONPATH=src python validation/sae_simulation.py --replicates 100
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ath_analysis.analysis import domain_frame, wave_design
from ath_analysis.config import load_config
from ath_analysis.errors import AthError, ConfigError
from ath_analysis.geography import GeographySettings, attach_geography
from ath_analysis.indicators.definitions import Indicator, canonical_variables, compute_indicators, load_indicators
from ath_analysis.places import Places, SubareaSettings, load_places
from ath_analysis.results.small_areas import (
    POPULATION,
    SmallAreaSettings,
    population_adults,
    synthetic_covariates,
)
from ath_analysis.sae import fay_herriot
from ath_analysis.survey import CIMethod, LonelyPSU, estimate_domains
from ath_analysis.synth import WAVE_FORMATS, regional_respondents
from ath_analysis.synth.formats import WaveFormat
from ath_analysis.synth.generate import REGION as SYNTHETIC_REGION
from ath_analysis.synth.generate import build_wave_population

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "validation" / "results"
INDICATORS = ["obesity", "daily_smoking"]
WAVE = "finsote2018"
REPLICATE_SEED = 7000  # replicate r draws its sample with seed REPLICATE_SEED + r
AREA_SET = "subarea"
SMALL_N = 30  # the variants' "small" class: mean sample size below this (the study's original split)
# name -> fay_herriot keyword arguments (all get direct, variance, covariates, n, deff; "population": True passes
# the area's adults so that the finite-population term τ² = 1/(4N) enters the model)
VARIANTS: dict[str, dict[str, Any]] = {
    "REML/PR": {"transform": "arcsine", "method": "REML"},
    "AREML/LL": {"transform": "arcsine", "method": "AREML"},
    "AREML_YL/PR": {"transform": "arcsine", "method": "AREML_YL"},
    "REML/PR +tau2": {"transform": "arcsine", "method": "REML", "population": True},
    "REML/PR FT+tau2": {"transform": "freeman_tukey", "method": "REML", "population": True},
    "AREML/LL FT+tau2": {"transform": "freeman_tukey", "method": "AREML", "population": True},
    "AREML/PR FT+tau2": {"transform": "freeman_tukey", "method": "AREML", "mse": "prasad_rao", "population": True},
    "AREML_YL/PR FT+tau2": {"transform": "freeman_tukey", "method": "AREML_YL", "population": True},
    "AREML_YL/PR FT+tau2, bench.": {"transform": "freeman_tukey", "method": "AREML_YL", "population": True,
                                    "benchmark": "ratio"},
}
MAIN = "AREML_YL/PR FT+tau2"  # the pipeline's default (config small_areas), drawn in the variant figures
EBLUP, SHOWN, PUBLISHED = "EBLUP", "shown", "published"
PUBLICATION_ESTIMATORS = (EBLUP, SHOWN, PUBLISHED)
ESTIMATE_COLUMNS = ["estimate", "mse", "ci_low", "ci_high", "cv", "type"]


@dataclass(frozen=True)
class Study:
    """What the study reads from the config: places, geography, the small-area model and the publication rule."""

    places: Places
    geography: GeographySettings
    min_age: int
    settings: SmallAreaSettings
    min_n: int
    ci_method: CIMethod
    level: float
    lonely_psu: LonelyPSU
    seed: int
    indicators_file: Path
    variables_file: Path

    @property
    def municipality(self) -> str:
        assert self.places.subareas is not None
        return self.places.subareas.municipality


def _path(value: str | Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else ROOT / path


def load_study(config_path: str | Path) -> Study:
    """The study's settings from a config file (relative paths in it are read from the project root)."""
    config = load_config(config_path)
    geography = config["geography"]
    block = geography.get("subareas")
    if not block:
        raise ConfigError(f"{config_path}: geography.subareas is not configured, so there are no sub-areas to study")
    subareas = SubareaSettings(str(block["municipality"]), str(_path(block["table"])) if block.get("table") else None)
    register = str(_path(geography["register"])) if geography["register"] else None
    places = load_places(_path(config["areas_dir"]), register, subareas, geography["reference_date"],
                         geography.get("splits") or {})
    settings = SmallAreaSettings.from_config(config["small_areas"])
    settings = replace(settings, area_sets=(AREA_SET,))  # the study is of the sub-areas themselves
    estimate = config["estimate"]
    study = Study(places, GeographySettings.from_config(geography), int(geography["min_age"]), settings,
                  int(config["disclosure"]["min_n"]), estimate["ci_method"], float(estimate["level"]),
                  estimate["lonely_psu"], int(config["data"]["synthetic_seed"]), _path(config["indicators"]),
                  _path(config["variables"]))
    if study.geography.region_code != SYNTHETIC_REGION:
        raise ConfigError(f"{config_path}: geography.region_code is '{study.geography.region_code}' but the synthetic "
                          f"population (the study's truth) is materialised for region '{SYNTHETIC_REGION}' only")
    return study


def study_indicators(study: Study, ids: Sequence[str]) -> list[Indicator]:
    """The indicator definitions of `ids` (proportions), in the order given."""
    definitions = {d.id: d for d in load_indicators(study.indicators_file,
                                                    variables=canonical_variables(study.variables_file))}
    unknown = [i for i in ids if i not in definitions]
    if unknown:
        raise ConfigError(f"{study.indicators_file}: unknown indicator(s) {', '.join(unknown)}")
    not_proportions = [i for i in ids if definitions[i].kind != "proportion"]
    if not_proportions:
        raise ConfigError(f"{study.indicators_file}: {', '.join(not_proportions)} not a proportion; the small-area "
                          "model is for proportions only")
    return [definitions[i] for i in ids]


# ---------------------------------------------------------------------------------------- truth and covariates
def sub_area_truth(population: pd.DataFrame, study: Study, fmt: WaveFormat, indicators: Sequence[Indicator]
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """True sub-area values (means over the area's adults; one column per indicator) and the area covariates
    with `population`, as the small_areas stage computes them from the synthetic population."""
    subareas = study.places.subareas
    assert subareas is not None
    covariates = synthetic_covariates(study.settings, study.places.areas, subareas, {fmt.wave: population},
                                      study.geography, study.min_age, {fmt.wave: fmt.fieldwork_date})
    covariates_table = covariates[(fmt.wave, AREA_SET)]
    if covariates_table.empty:
        raise ConfigError(f"geography.subareas: municipality {study.municipality} has no adults in the synthetic "
                          f"population of region {SYNTHETIC_REGION}; the study needs one of its municipalities")
    people = population_adults(population, study.places.areas, study.geography, study.min_age, fmt.wave,
                               fmt.fieldwork_date, subareas)
    values = compute_indicators(people, indicators)
    truth = values.groupby(people[AREA_SET].astype(str)).mean().reindex(covariates_table.index)
    return truth, covariates_table


# ------------------------------------------------------------------------------------------ one replicate
def simulate_wave(population: pd.DataFrame, study: Study, fmt: WaveFormat, indicators: Sequence[Indicator],
                  seed: int) -> pd.DataFrame:
    """The respondents' design, domain and indicator columns of one simulated wave (the indicator table's shape)."""
    respondents = regional_respondents(population, study.places.areas, fmt, seed=seed)
    respondents = respondents.assign(municipality_code=respondents["municipality_code_at_survey"])
    frame, _ = attach_geography(respondents, study.places.areas, study.geography, fmt.wave, fmt.fieldwork_date,
                                municipalities=study.places.municipalities, subareas=study.places.subareas)
    # drawn without replacement from known stratum sizes: the design has an FPC, as the synthetic files do
    design_columns = frame[["weight", "stratum", "in_region", AREA_SET, "municipality"]].assign(fpc=frame["N_h"])
    return pd.concat([design_columns, compute_indicators(frame, indicators)], axis=1)


def direct_estimates(frame: pd.DataFrame, study: Study, ids: Sequence[str]) -> pd.DataFrame:
    """Direct estimates per sub-area and for the municipality (the benchmark), on the wave's full design."""
    domains = {AREA_SET: [AREA_SET], "municipality": ["municipality"]}
    data = domain_frame(frame, domains, study.geography.region_code)
    return estimate_domains(data, wave_design(data, study.lonely_psu), list(ids), domains, kind="proportion",
                            ci=study.ci_method, level=study.level)


def direct_by_area(table: pd.DataFrame, indicator: str, areas: pd.Index) -> pd.DataFrame:
    """One row per area (index: area) with n, estimate, se, deff, ci_low, ci_high, cv; no estimate where n = 0."""
    rows = table[(table["variable"] == indicator) & (table["domain"] == AREA_SET)]
    direct = rows.set_index("domain_value").reindex(areas)[["n", "estimate", "se", "deff", "ci_low", "ci_high",
                                                            "cv"]].astype(float)
    direct.index.name = "area"
    direct["n"] = direct["n"].fillna(0)
    direct.loc[direct["n"] == 0, ["estimate", "se", "deff", "ci_low", "ci_high", "cv"]] = np.nan
    return direct


# --------------------------------------------------------------------------------------- the publication rule
def fit_model(direct: pd.DataFrame, covariates: pd.DataFrame, settings: SmallAreaSettings, level: float
              ) -> tuple[pd.DataFrame, float]:
    """The config's Fay–Herriot model, as the small_areas stage fits it; per-area table (index: area), σ̂²_v."""
    fit = fay_herriot(
        direct["estimate"], direct["se"] ** 2, covariates[list(settings.covariates)],
        n=direct["n"], deff=direct["deff"], transform=settings.transform, method=settings.method,
        population=covariates[POPULATION] if settings.finite_population else None,
        area=direct.index, level=level,
    )
    return fit.to_frame().set_index("area"), fit.sigma2_v


def _shown(direct: pd.DataFrame, model: pd.DataFrame, reliable: np.ndarray) -> pd.DataFrame:
    """Direct where `reliable`, else the model: estimate, mse, interval, CV and which one it is."""
    def pick(direct_values: Any, model_values: Any) -> np.ndarray:
        return np.where(reliable, np.asarray(direct_values, float), np.asarray(model_values, float))
    return pd.DataFrame({
        "estimate": pick(direct["estimate"], model["estimate"]),
        "mse": pick(direct["se"] ** 2, model["mse"]),
        "ci_low": pick(direct["ci_low"], model["ci_low"]),
        "ci_high": pick(direct["ci_high"], model["ci_high"]),
        "cv": pick(direct["se"] / direct["estimate"], model["cv"]),
        "type": np.where(reliable, "direct", model["estimate_type"].to_numpy(object)),
    }, index=direct.index)


def publication_rule(direct: pd.DataFrame, covariates: pd.DataFrame, settings: SmallAreaSettings, min_n: int,
                     level: float) -> dict[str, tuple[pd.DataFrame, float]]:
    """Per estimator (EBLUP, shown, published): per-area ESTIMATE_COLUMNS and the fit's σ̂²_v.

    "published" is what the publication rule publishes (small_areas stage, hide_below = min_n): areas with
    fewer than `min_n` respondents are fitted as if they had none — the regression-synthetic x'β̂ of a fit on
    the other areas, none of their own answers — and areas from `min_n` up show the direct estimate where its
    CV is at most `settings.max_direct_cv`, else that fit's EBLUP. "EBLUP" is the unrestricted EBLUP of every
    area, "shown" what the internal table shows (direct where reliable, else the unrestricted EBLUP).
    """
    n = direct["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        direct_cv = (direct["se"] / direct["estimate"]).to_numpy(float)
    reliable = (n >= min_n) & np.isfinite(direct_cv) & (direct_cv <= settings.max_direct_cv)
    full, sigma2_full = fit_model(direct, covariates, settings, level)
    hidden = direct.copy()
    hidden.loc[hidden["n"] < min_n, ["estimate", "se", "deff"]] = np.nan
    restricted, sigma2_restricted = fit_model(hidden, covariates, settings, level)
    eblup = full[["estimate", "mse", "ci_low", "ci_high", "cv", "estimate_type"]].rename(
        columns={"estimate_type": "type"})
    return {EBLUP: (eblup[ESTIMATE_COLUMNS], sigma2_full),
            SHOWN: (_shown(direct, full, reliable), sigma2_full),
            PUBLISHED: (_shown(direct, restricted, reliable), sigma2_restricted)}


# ----------------------------------------------------------------------------------------- the old variants
def fit_variants(direct: pd.DataFrame, covariates: pd.DataFrame, names: Sequence[str], benchmark: float,
                 level: float) -> dict[str, tuple[pd.DataFrame, float, int]]:
    """Every variant's per-area table, σ̂²_v and number of floored MSEs for one indicator × replicate."""
    x = covariates[list(names)]
    shares = (covariates[POPULATION] / covariates[POPULATION].sum()).to_numpy()
    out = {}
    for name, variant in VARIANTS.items():
        kwargs = dict(variant)
        if kwargs.pop("benchmark", None):
            kwargs["benchmark"] = (benchmark, shares)
        if kwargs.pop("population", None):
            kwargs["population"] = covariates[POPULATION]
        fit = fay_herriot(direct["estimate"], direct["se"] ** 2, x, n=direct["n"], deff=direct["deff"],
                          area=direct.index, level=level, **kwargs)
        out[name] = fit.to_frame().set_index("area"), fit.sigma2_v, fit.mse_floored
    return out


# -------------------------------------------------------------------------------------------------- records
def _records(replicate: int, indicator: str, estimator: str, n: np.ndarray, true: pd.Series,
             table: pd.DataFrame, sigma2_v: float = np.nan, floored: float = np.nan) -> pd.DataFrame:
    """One row per area: the estimate's error against the truth, its estimated MSE, interval and CV."""
    estimate = table["estimate"].to_numpy(float)
    low, high = table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float)
    value = true.to_numpy(float)
    has = np.isfinite(estimate)
    cv = table["cv"].to_numpy(float)
    return pd.DataFrame({
        "replicate": replicate, "indicator": indicator, "estimator": estimator, "area": table.index.astype(str),
        "n": n, "truth": value, "estimate": estimate, "sq_error": (estimate - value) ** 2,
        "mse": table["mse"].to_numpy(float),
        "covered": np.where(has, (low <= value) & (value <= high), np.nan),
        "ci_width": high - low,
        "cv": np.where(np.isfinite(cv) & (cv > 0), cv, np.nan),
        "type": table["type"].to_numpy(object) if "type" in table else estimator,
        "sigma2_v": sigma2_v, "floored": floored,
    })


def replicate_records(replicate: int, frame: pd.DataFrame, study: Study, ids: Sequence[str], truth: pd.DataFrame,
                      covariates: pd.DataFrame, variants: bool = True) -> pd.DataFrame:
    """Every estimator's records for one simulated wave (the indicator table `frame`)."""
    table = direct_estimates(frame, study, ids)
    areas = covariates.index
    parts = []
    for indicator in ids:
        direct = direct_by_area(table, indicator, areas)
        n = direct["n"].to_numpy(float)
        true = truth[indicator].reindex(areas)
        parts.append(_records(replicate, indicator, "direct", n, true,
                              direct.assign(mse=direct["se"] ** 2, type="direct")))
        for name, (estimates, sigma2_v) in publication_rule(direct, covariates, study.settings, study.min_n,
                                                            study.level).items():
            parts.append(_records(replicate, indicator, name, n, true, estimates, sigma2_v))
        if variants:
            rows = table[(table["variable"] == indicator) & (table["domain"] == "municipality")
                         & (table["domain_value"] == study.municipality)]
            for name, (fit, sigma2_v, floored) in fit_variants(direct, covariates, study.settings.covariates,
                                                               float(rows["estimate"].iloc[0]),
                                                               study.level).items():
                parts.append(_records(replicate, indicator, name, n, true,
                                      fit.rename(columns={"estimate_type": "type"}), sigma2_v,
                                      floored / len(areas)))
    return pd.concat(parts, ignore_index=True)


def simulate(study: Study, ids: Sequence[str], replicates: int, wave: str = WAVE, variants: bool = True,
             seed: int | None = None, progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All replicates' records and the area covariates (with `population`)."""
    fmt = WAVE_FORMATS[wave]
    indicators = study_indicators(study, ids)
    population = build_wave_population(study.places.areas, fmt, study.seed if seed is None else seed)
    truth, covariates = sub_area_truth(population, study, fmt, indicators)
    records = []
    started = time.time()
    for replicate in range(replicates):
        frame = simulate_wave(population, study, fmt, indicators, seed=REPLICATE_SEED + replicate)
        records.append(replicate_records(replicate, frame, study, ids, truth, covariates, variants))
        if progress and (replicate + 1) % 10 == 0:
            print(f"  {replicate + 1} replicates, {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    return pd.concat(records, ignore_index=True), covariates


# -------------------------------------------------------------------------------------------------- summaries
def size_classes(min_n: int) -> dict[str, Any]:
    """The area-replicate classes of the publication summary, by the area's respondents in the replicate."""
    return {"n = 0": lambda n: n == 0,
            f"0 < n < {min_n}": lambda n: (n > 0) & (n < min_n),
            f"n < {min_n}": lambda n: n < min_n,
            f"n >= {min_n}": lambda n: n >= min_n,
            "all": lambda n: n >= 0}


def summarize_publication(records: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Per indicator (and all pooled) × area class × estimator: what the publication rule costs.

    mse_ratio_to_eblup: empirical MSE of the estimator over that of the unrestricted EBLUP on the same
    area-replicates; coverage: share of 95 % intervals covering the truth; est_over_emp_mse: mean estimated
    over mean empirical MSE; share_synthetic / share_direct: which estimate the rows show.
    """
    chosen = records[records["estimator"].isin(PUBLICATION_ESTIMATORS)]
    eblup = chosen[chosen["estimator"] == EBLUP].set_index(["indicator", "replicate", "area"])["sq_error"]
    groups: list[tuple[str, pd.DataFrame]] = [(str(i), b) for i, b in chosen.groupby("indicator", sort=False)]
    groups.append(("all", chosen))
    rows = []
    for indicator, block in groups:
        for label, select in size_classes(min_n).items():
            in_class = block[select(block["n"])]
            for estimator in PUBLICATION_ESTIMATORS:
                b = in_class[in_class["estimator"] == estimator]
                reference = eblup.reindex(pd.MultiIndex.from_frame(b[["indicator", "replicate", "area"]]))
                rows.append({
                    "indicator": indicator, "areas": label, "estimator": estimator,
                    "area_replicates": len(b),
                    "mean_n": b["n"].mean(),
                    "rmse": float(np.sqrt(b["sq_error"].mean())),
                    "mse_ratio_to_eblup": b["sq_error"].mean() / reference.mean(),
                    "coverage": b["covered"].mean(),
                    "est_over_emp_mse": b["mse"].mean() / b["sq_error"].mean(),
                    "median_cv": b["cv"].median(),
                    "mean_ci_width": b["ci_width"].mean(),
                    "share_synthetic": (b["type"] == "synthetic").mean(),
                    "share_direct": (b["type"] == "direct").mean(),
                })
    return pd.DataFrame(rows)


def summarize(records: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Per indicator × estimator × area class: MSE ratio, estimated/empirical MSE, coverage, CVs, σ̂²_v = 0 share.

    Classes: small (mean n < 30), small with at least 100 residents (the population mean of a postal area of
    9 or 40 residents is itself a very noisy quantity that no area-level covariate predicts), and all areas.
    """
    per_area = records.groupby(["indicator", "estimator", "area"]).agg(
        mean_n=("n", "mean"), emp_mse=("sq_error", "mean"), est_mse=("mse", "mean"))
    per_area["population"] = per_area.index.get_level_values("area").map(population)
    classes = {"small (n<30)": lambda b: b["mean_n"] < SMALL_N,
               "small, pop>=100": lambda b: (b["mean_n"] < SMALL_N) & (b["population"] >= 100),
               "all": lambda b: b["mean_n"] >= 0}
    rows = []
    for (indicator, estimator), block in records.groupby(["indicator", "estimator"]):
        direct = records[(records["indicator"] == indicator) & (records["estimator"] == "direct")]
        areas_stats = per_area.loc[(indicator, estimator)]
        for size, chosen in classes.items():
            keep = areas_stats.index[chosen(areas_stats)]
            b = block[block["area"].isin(keep)]
            d = direct[direct["area"].isin(keep)]
            pairs = b.merge(d[["replicate", "area", "sq_error"]], on=["replicate", "area"], suffixes=("", "_direct"))
            pairs = pairs.dropna(subset=["sq_error_direct"])
            stats_ = areas_stats.loc[keep]
            ratio = (stats_["est_mse"] / stats_["emp_mse"]).replace(np.inf, np.nan)
            model = estimator != "direct"
            rows.append({
                "indicator": indicator, "estimator": estimator, "areas": size, "n_areas": len(keep),
                "mse_direct_over_model": pairs["sq_error_direct"].mean() / pairs["sq_error"].mean(),
                "rmse_model": np.sqrt(b["sq_error"].mean()),
                "est_over_emp_mse_pooled": stats_["est_mse"].mean() / stats_["emp_mse"].mean(),
                "est_over_emp_mse_median": ratio.median(),
                "coverage": b["covered"].mean(),
                "median_cv": b["cv"].median(),
                "sigma2_v_zero": (b.groupby("replicate")["sigma2_v"].first() == 0).mean() if model else np.nan,
                "mse_floored": b["floored"].mean() if model else np.nan,
            })
    return pd.DataFrame(rows)


def per_area_table(records: pd.DataFrame) -> pd.DataFrame:
    """Per indicator × estimator × area: mean n, empirical and estimated MSE, coverage, median CV."""
    return records.groupby(["indicator", "estimator", "area"]).agg(
        mean_n=("n", "mean"), emp_mse=("sq_error", "mean"), est_mse=("mse", "mean"), coverage=("covered", "mean"),
        median_cv=("cv", "median")).reset_index()


# ---------------------------------------------------------------------------------------------------- figures
def _indicators(records: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(records["indicator"]))


def plot_publication(records: pd.DataFrame, path: Path, min_n: int) -> None:
    """Per area: RMSE of the published estimate over the EBLUP's, and both intervals' coverage, against n."""
    indicators = _indicators(records)
    per_area = records.groupby(["indicator", "estimator", "area"]).agg(
        mean_n=("n", "mean"), emp=("sq_error", "mean"), coverage=("covered", "mean"))
    fig, axes = plt.subplots(2, len(indicators), figsize=(6 * len(indicators), 8), squeeze=False)
    for j, indicator in enumerate(indicators):
        eblup, published = per_area.loc[(indicator, EBLUP)], per_area.loc[(indicator, PUBLISHED)]
        axes[0, j].scatter(eblup["mean_n"], np.sqrt(published["emp"] / eblup["emp"]), marker="s")
        axes[0, j].axhline(1.0, color="grey", lw=0.8)
        axes[0, j].set_ylabel("RMSE published / RMSE EBLUP (per area)")
        for name, marker in ((EBLUP, "o"), (PUBLISHED, "s")):
            block = per_area.loc[(indicator, name)]
            axes[1, j].scatter(block["mean_n"], block["coverage"], marker=marker, label=name, alpha=0.8)
        axes[1, j].axhline(0.95, color="grey", lw=0.8)
        axes[1, j].set_ylabel("95 % interval coverage (per area)")
        axes[1, j].legend()
        axes[0, j].set_title(indicator)
        for ax in axes[:, j]:
            ax.axvline(min_n, color="grey", lw=0.8, ls="--")
            ax.set_xscale("symlog", linthresh=1)
            ax.set_xlim(left=0)
            ax.set_xlabel("mean respondents per sub-area (log scale from 1)")
    fig.suptitle(f"Sub-areas: what publishing the synthetic estimate below {min_n} respondents costs "
                 "(synthetic population)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_cv(records: pd.DataFrame, path: Path, estimator: str) -> None:
    indicators = _indicators(records)
    per_area = records.groupby(["indicator", "estimator", "area"]).agg(mean_n=("n", "mean"), cv=("cv", "median"))
    fig, axes = plt.subplots(1, len(indicators), figsize=(6 * len(indicators), 4.5), squeeze=False)
    for ax, indicator in zip(axes[0], indicators, strict=True):
        for name, marker in (("direct", "o"), (estimator, "s")):
            block = per_area.loc[(indicator, name)].sort_values("mean_n")
            ax.scatter(block["mean_n"], 100 * block["cv"], marker=marker, label=name, alpha=0.8)
        ax.axhline(30, color="grey", lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.set_xlabel("mean respondents per sub-area (log scale)")
        ax.set_ylabel("median CV over replicates (%)")
        ax.set_title(indicator)
        ax.legend()
    fig.suptitle("Sub-areas: CV of direct vs Fay–Herriot estimates (synthetic population)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_mse(records: pd.DataFrame, path: Path, estimator: str) -> None:
    indicators = _indicators(records)
    per_area = records.groupby(["indicator", "estimator", "area"]).agg(
        mean_n=("n", "mean"), emp=("sq_error", "mean"), est=("mse", "mean"))
    fig, axes = plt.subplots(1, len(indicators), figsize=(6 * len(indicators), 4.5), squeeze=False)
    for ax, indicator in zip(axes[0], indicators, strict=True):
        block = per_area.loc[(indicator, estimator)]
        direct = per_area.loc[(indicator, "direct")]
        ax.scatter(np.sqrt(block["emp"]), np.sqrt(block["est"]), label=f"{estimator}: estimated", marker="s")
        ax.scatter(np.sqrt(block["emp"]), np.sqrt(direct["emp"].reindex(block.index)), marker="o", alpha=0.6,
                   label="direct: empirical RMSE")
        top = float(np.nanmax([np.sqrt(block["emp"]).max(), np.sqrt(block["est"]).max()])) * 1.1
        ax.plot([0, top], [0, top], color="grey", lw=0.8)
        ax.set_xlabel("empirical RMSE of the model estimate")
        ax.set_ylabel("RMSE: model estimated / direct empirical")
        ax.set_title(indicator)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_calibration(records: pd.DataFrame, path: Path) -> None:
    """Per area: estimated / empirical MSE and coverage against the sample size, for every model variant."""
    indicators = _indicators(records)
    per_area = records[records["estimator"].isin(VARIANTS)].groupby(["indicator", "estimator", "area"]).agg(
        mean_n=("n", "mean"), emp=("sq_error", "mean"), est=("mse", "mean"), coverage=("covered", "mean"))
    names = [name for name in VARIANTS if "bench" not in name]
    fig, axes = plt.subplots(2, len(indicators), figsize=(6.5 * len(indicators), 8), squeeze=False)
    for j, indicator in enumerate(indicators):
        for name in names:
            block = per_area.loc[(indicator, name)].sort_values("mean_n")
            smooth = block.rolling(7, center=True, min_periods=3).mean()
            axes[0, j].plot(smooth["mean_n"], smooth["est"] / smooth["emp"], label=name)
            axes[1, j].plot(smooth["mean_n"], smooth["coverage"], label=name)
        axes[0, j].axhline(1.0, color="grey", lw=0.8)
        axes[1, j].axhline(0.95, color="grey", lw=0.8)
        for ax in axes[:, j]:
            ax.set_xscale("log")
            ax.set_xlabel("mean respondents per sub-area (log scale)")
        axes[0, j].set_ylabel("estimated / empirical MSE (running mean of 7 areas)")
        axes[1, j].set_ylabel("95 % interval coverage (running mean of 7 areas)")
        axes[0, j].set_title(indicator)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("Sub-areas: calibration of the Fay–Herriot variants (synthetic population)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ------------------------------------------------------------------------------------------------------- main
def write_results(records: pd.DataFrame, covariates: pd.DataFrame, study: Study, out: Path, variants: bool
                  ) -> dict[str, pd.DataFrame]:
    """The summary tables and figures (nothing respondent-level)."""
    out.mkdir(parents=True, exist_ok=True)
    publication = summarize_publication(records, study.min_n)
    publication.insert(0, "replicates", records["replicate"].nunique())
    publication.insert(1, "min_n", study.min_n)
    publication.to_csv(out / "sae_publication_rule.csv", index=False, float_format="%.6g")
    plot_publication(records, out / "sae_publication_rule.png", study.min_n)
    tables = {"publication": publication}
    if variants:
        summary = summarize(records, covariates[POPULATION])
        summary.to_csv(out / "sae_summary.csv", index=False, float_format="%.6g")
        per_area_table(records).to_csv(out / "sae_areas.csv", index=False, float_format="%.6g")
        plot_cv(records, out / "sae_cv_direct_vs_model.png", MAIN)
        plot_mse(records, out / "sae_rmse_estimated_vs_empirical.png", MAIN)
        plot_calibration(records, out / "sae_calibration_by_method.png")
        tables["variants"] = summary
    return tables


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "config.yaml")
    parser.add_argument("--seed", type=int, default=None, help="population seed (default: data.synthetic_seed)")
    parser.add_argument("--wave", default=WAVE, choices=sorted(WAVE_FORMATS))
    parser.add_argument("--indicators", nargs="+", default=INDICATORS)
    parser.add_argument("--no-variants", action="store_true", help="only the publication rule, not VARIANTS")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.replicates < 1:
        parser.error("--replicates must be at least 1")
    started = time.time()
    try:
        study = load_study(args.config)
        records, covariates = simulate(study, args.indicators, args.replicates, args.wave, not args.no_variants,
                                       args.seed, progress=True)
    except AthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    tables = write_results(records, covariates, study, args.out, not args.no_variants)
    pd.set_option("display.width", 200)
    print(f"{args.replicates} replicates of {args.wave}, {len(covariates)} sub-areas of municipality "
          f"{study.municipality}, min_n {study.min_n}, {time.time() - started:.0f} s")
    fmt = {"float_format": lambda v: f"{v:.3f}", "index": False}
    if "variants" in tables:
        print(tables["variants"].to_string(**fmt))
    print(tables["publication"].to_string(**fmt))
    print(f"figures and tables in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
