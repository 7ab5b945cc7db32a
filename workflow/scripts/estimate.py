from ath_analysis.pipeline import estimate, run_stage

waves = dict(zip(snakemake.config["waves"], snakemake.input.waves, strict=True))  # noqa: F821
run_stage(estimate, config=snakemake.config, inputs=waves,  # noqa: F821
          parquet=snakemake.output.parquet, csv=snakemake.output.csv)  # noqa: F821
