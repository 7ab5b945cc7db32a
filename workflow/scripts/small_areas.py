from ath_analysis.pipeline import run_stage, small_areas

config, inputs, outputs = snakemake.config, snakemake.input, snakemake.output  # noqa: F821
waves = dict(zip(config["waves"], inputs.waves, strict=True))
# synthetic data: the covariates input is one population file per wave; real data: the user's covariate file
populations = dict(zip(config["waves"], inputs.covariates, strict=True)) if config["data"]["synthetic"] else None
run_stage(small_areas, config=config, inputs=waves, populations=populations, parquet=outputs.parquet,
          csv=outputs.csv)
