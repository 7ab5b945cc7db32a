"""Fay–Herriot for Mikkeli's postal-area sub-areas, validated on the project's synthetic population.

Each replicate redraws a whole FinSote-2018-style wave from one fixed synthetic population (stratified sample,
non-response, weighting: `regional_respondents`), computes direct estimates per Mikkeli sub-area with the
project's survey estimator (full regional design, FPC as in tests/test_coverage.py), fits Fay–Herriot with
sub-area covariates taken from the population register (share aged 65+, share with low education, share living
in rural classes M5–M7), and compares every estimate with the true sub-area value (the population mean).

Variants (VARIANTS): σ²_v by REML, by the adjusted REML of Li & Lahiri (2010, "AREML", with its bias-corrected
Li–Lahiri MSE or the plain Prasad–Rao one) or of Yoshimori & Lahiri (2014, "AREML_YL", Prasad–Rao MSE); on the
plain arcsine scale (ψ = deff/(4n)) or the Freeman–Tukey double arcsine (ψ = 1/(4 n_eff + 2), "FT"); with or
without each sub-area's finite-population variance τ² = 1/(4N) ("+tau2"). MAIN is the pipeline's default.

What the study found (100 replicates; see sae_summary.csv): with the old set-up (arcsine, REML) the estimated
MSE was about half the empirical one and 95 % intervals covered 85 %. Two causes, both fixed in
`ath_analysis.sae`: (1) 1/(4n) understates the variance of asin √p̂ by 20–80 % for 3–30 respondents (exact
binomial moments; the double arcsine does not); (2) the target is a village's own finite-population
proportion, which scatters around the model's smooth mean by binomial noise 1/(4N) — for villages of a few
hundred adults as large as the between-area variance, so a single σ²_v cannot describe both. The adjusted REML
matters less: Yoshimori–Lahiri is as calibrated as REML and never 0; Li–Lahiri's σ̂²_v is 2–3 times larger,
its bias-corrected MSE often needs its floor, and with the Prasad–Rao MSE it is conservative.

Reported per indicator and estimator, for "small" sub-areas (mean sample size < 30) and for all sub-areas:
MSE of the direct estimator / MSE of the model (on the area-replicates where a direct estimate exists),
estimated / empirical MSE of the model (pooled over areas, and the median of the per-area ratios), 95 %
interval coverage, median CVs, the share of fits with σ̂²_v = 0 and of Li–Lahiri MSEs raised to their floor.
Writes validation/results/sae_summary.csv, sae_areas.csv and PNG figures; prints the summary.

    /tmp/venv/bin/python validation/sae_simulation.py --replicates 100
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ath_analysis.analysis import domain_frame, wave_design
from ath_analysis.areas import load_area_tables
from ath_analysis.geography import UNKNOWN_SUBAREA, GeographySettings, attach_geography
from ath_analysis.indicators.definitions import canonical_variables, compute_indicators, load_indicators
from ath_analysis.sae import fay_herriot
from ath_analysis.survey import estimate_domains
from ath_analysis.synth import WAVE_FORMATS, regional_respondents
from ath_analysis.synth.generate import build_wave_population

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "validation" / "results"
SEED = 20261123
MIKKELI = "491"
INDICATORS = ["obesity", "daily_smoking"]
GEO = GeographySettings(region_code="10", reference_date="2025-01-01", membership="reference",
                        urban_rural_source="auto")
MIN_AGE = 20
SMALL_N = 30
# name -> fay_herriot keyword arguments (all get direct, variance, covariates, n; "population": True passes the
# register population so that the finite-population term τ² = 1/(4N) enters the model)
VARIANTS = {
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
MAIN = "AREML_YL/PR FT+tau2"  # the pipeline's default (config small_areas), drawn in the figures


def sub_area_population(population: pd.DataFrame, areas, fmt, indicators) -> tuple[pd.DataFrame, pd.DataFrame]:
    """True sub-area values (population means) and register covariates, one row per Mikkeli sub-area."""
    people = population.assign(municipality_code=population["municipality_code_at_survey"])
    people, _ = attach_geography(people, areas, GEO, fmt.wave, fmt.fieldwork_date)
    people = people[people["in_region"] & (people["municipality"] == MIKKELI)
                    & people["subarea"].notna() & (people["subarea"] != UNKNOWN_SUBAREA)]
    people = people[people["age"] >= MIN_AGE]
    values = compute_indicators(people, indicators)
    grouped = values.groupby(people["subarea"].astype(str))
    truth = grouped.mean()
    register = pd.DataFrame({
        "aged_65_plus": (people["age"] >= 65).astype(float),
        "low_education": (people["education"] == 1).astype(float),
        "rural_m5_m7": people["urban_rural_code"].astype(str).isin(["M5", "M6", "M7"]).astype(float),
    }).groupby(people["subarea"].astype(str))
    covariates = register.mean().assign(population=register.size())
    return truth, covariates


def one_replicate(population, areas, fmt, indicators, seed: int) -> pd.DataFrame:
    """Direct estimates per sub-area (and for Mikkeli as a whole) from one simulated wave."""
    respondents = regional_respondents(population, areas, fmt, seed=seed)  # Etelä-Savo's sample
    respondents = respondents.assign(municipality_code=respondents["municipality_code_at_survey"])
    frame, _ = attach_geography(respondents, areas, GEO, fmt.wave, fmt.fieldwork_date)
    design_columns = frame[["weight", "stratum", "in_region", "subarea", "municipality"]].assign(fpc=frame["N_h"])
    frame = pd.concat([design_columns, compute_indicators(frame, indicators)], axis=1)
    domains = {"subarea": ["subarea"], "municipality": ["municipality"]}
    data = domain_frame(frame, domains, GEO["region_code"])
    table = estimate_domains(data, wave_design(data, "adjust"), INDICATORS, domains)
    return table


def fit_variants(direct: pd.DataFrame, covariates: pd.DataFrame, mikkeli: pd.Series
                 ) -> dict[str, tuple[pd.DataFrame, float, int]]:
    """Every variant's per-area table, σ̂²_v and number of floored MSEs for one indicator × replicate."""
    x = covariates[["aged_65_plus", "low_education", "rural_m5_m7"]]
    shares = (covariates["population"] / covariates["population"].sum()).to_numpy()
    out = {}
    for name, kwargs in VARIANTS.items():
        kwargs = dict(kwargs)
        if kwargs.pop("benchmark", None):
            kwargs["benchmark"] = (float(mikkeli["estimate"]), shares)
        if kwargs.pop("population", None):
            kwargs["population"] = covariates["population"]
        fit = fay_herriot(direct["estimate"], direct["se"] ** 2, x, n=direct["n"], **kwargs)
        out[name] = fit.to_frame().set_index("area"), fit.sigma2_v, fit.mse_floored
    return out


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
            rows.append({
                "indicator": indicator, "estimator": estimator, "areas": size, "n_areas": len(keep),
                "mse_direct_over_model": pairs["sq_error_direct"].mean() / pairs["sq_error"].mean(),
                "rmse_model": np.sqrt(b["sq_error"].mean()),
                "est_over_emp_mse_pooled": stats_["est_mse"].mean() / stats_["emp_mse"].mean(),
                "est_over_emp_mse_median": ratio.median(),
                "coverage": b["covered"].mean(),
                "median_cv": b["cv"].median(),
                "sigma2_v_zero": (b.groupby("replicate")["sigma2_v"].first() == 0).mean()
                if estimator != "direct" else np.nan,
                "mse_floored": b["floored"].mean() if estimator != "direct" else np.nan,
            })
    return pd.DataFrame(rows)


def plot_cv(records: pd.DataFrame, path: Path, estimator: str) -> None:
    per_area = records.groupby(["indicator", "estimator", "area"]).agg(mean_n=("n", "mean"), cv=("cv", "median"))
    fig, axes = plt.subplots(1, len(INDICATORS), figsize=(6 * len(INDICATORS), 4.5), squeeze=False)
    for ax, indicator in zip(axes[0], INDICATORS, strict=True):
        for name, marker in (("direct", "o"), (estimator, "s")):
            block = per_area.loc[(indicator, name)].sort_values("mean_n")
            ax.scatter(block["mean_n"], 100 * block["cv"], marker=marker, label=name, alpha=0.8)
        ax.axhline(30, color="grey", lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.set_xlabel("mean respondents per sub-area (log scale)")
        ax.set_ylabel("median CV over replicates (%)")
        ax.set_title(indicator)
        ax.legend()
    fig.suptitle("Mikkeli sub-areas: CV of direct vs Fay–Herriot estimates (synthetic population)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_mse(records: pd.DataFrame, path: Path, estimator: str) -> None:
    per_area = records.groupby(["indicator", "estimator", "area"]).agg(
        mean_n=("n", "mean"), emp=("sq_error", "mean"), est=("mse", "mean"))
    fig, axes = plt.subplots(1, len(INDICATORS), figsize=(6 * len(INDICATORS), 4.5), squeeze=False)
    for ax, indicator in zip(axes[0], INDICATORS, strict=True):
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
    per_area = records[records["estimator"] != "direct"].groupby(["indicator", "estimator", "area"]).agg(
        mean_n=("n", "mean"), emp=("sq_error", "mean"), est=("mse", "mean"), coverage=("covered", "mean"))
    names = [name for name in VARIANTS if "bench" not in name]
    fig, axes = plt.subplots(2, len(INDICATORS), figsize=(6.5 * len(INDICATORS), 8), squeeze=False)
    for j, indicator in enumerate(INDICATORS):
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
    fig.suptitle("Mikkeli sub-areas: calibration of the Fay–Herriot variants (synthetic population)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    started = time.time()
    areas = load_area_tables(ROOT / "config" / "areas")
    fmt = WAVE_FORMATS["finsote2018"]
    indicators = [i for i in load_indicators(ROOT / "config" / "indicators.yaml",
                                             variables=canonical_variables(ROOT / "config" / "variables.yaml"))
                  if i.id in INDICATORS]
    population = build_wave_population(areas, fmt, args.seed)
    truth, covariates = sub_area_population(population, areas, fmt, indicators)
    subareas = truth.index
    records = []
    for replicate in range(args.replicates):
        table = one_replicate(population, areas, fmt, indicators, seed=7000 + replicate)
        for indicator in INDICATORS:
            rows = table[table["variable"] == indicator]
            direct = (rows[rows["domain"] == "subarea"].set_index("domain_value")
                      .reindex(subareas)[["n", "estimate", "se", "ci_low", "ci_high", "cv"]])
            direct["n"] = direct["n"].fillna(0)
            direct.loc[direct["n"] == 0, ["estimate", "se"]] = np.nan
            mikkeli = rows[(rows["domain"] == "municipality") & (rows["domain_value"] == MIKKELI)].iloc[0]
            true = truth[indicator].reindex(subareas)
            has = direct["estimate"].notna()
            records.append(pd.DataFrame({
                "replicate": replicate, "indicator": indicator, "estimator": "direct", "area": subareas,
                "n": direct["n"].to_numpy(), "sq_error": ((direct["estimate"] - true) ** 2).to_numpy(),
                "mse": (direct["se"] ** 2).to_numpy(),
                "covered": ((direct["ci_low"] <= true) & (true <= direct["ci_high"])).where(has).to_numpy(float),
                "cv": direct["cv"].where(direct["se"] > 0).to_numpy(), "sigma2_v": np.nan, "floored": np.nan}))
            for name, (fit, sigma2_v, floored) in fit_variants(direct, covariates.reindex(subareas),
                                                               mikkeli).items():
                records.append(pd.DataFrame({
                    "replicate": replicate, "indicator": indicator, "estimator": name, "area": subareas,
                    "n": direct["n"].to_numpy(), "sq_error": ((fit["estimate"] - true) ** 2).to_numpy(),
                    "mse": fit["mse"].to_numpy(),
                    "covered": ((fit["ci_low"] <= true) & (true <= fit["ci_high"])).to_numpy(float),
                    "cv": fit["cv"].to_numpy(), "sigma2_v": sigma2_v, "floored": floored / len(subareas)}))
    records = pd.concat(records, ignore_index=True)
    summary = summarize(records, covariates["population"])
    args.out.mkdir(parents=True, exist_ok=True)
    summary.to_csv(args.out / "sae_summary.csv", index=False)
    records.groupby(["indicator", "estimator", "area"]).agg(
        mean_n=("n", "mean"), emp_mse=("sq_error", "mean"), est_mse=("mse", "mean"), coverage=("covered", "mean"),
        median_cv=("cv", "median")).reset_index().to_csv(args.out / "sae_areas.csv", index=False)
    plot_cv(records, args.out / "sae_cv_direct_vs_model.png", MAIN)
    plot_mse(records, args.out / "sae_rmse_estimated_vs_empirical.png", MAIN)
    plot_calibration(records, args.out / "sae_calibration_by_method.png")
    pd.set_option("display.width", 200)
    print(f"{args.replicates} replicates, {len(subareas)} Mikkeli sub-areas "
          f"({int((covariates['population'] > 0).sum())} populated), {time.time() - started:.0f} s")
    print(truth.describe().round(3).to_string())
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"figures and tables in {args.out}")


if __name__ == "__main__":
    main()
