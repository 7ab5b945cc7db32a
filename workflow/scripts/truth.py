from ath_analysis.pipeline import run_stage, truth

populations = dict(zip(snakemake.config["waves"], snakemake.input.populations, strict=True))  # noqa: F821
run_stage(truth, config=snakemake.config, populations=populations, output=snakemake.output[0])  # noqa: F821
