import logging

from ath_analysis.pipeline import compare, run_stage

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, force=True,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
waves = dict(zip(snakemake.config["waves"], snakemake.input.waves, strict=True))  # noqa: F821
run_stage(compare, config=snakemake.config, inputs=waves,  # noqa: F821
          parquet=snakemake.output.parquet, csv=snakemake.output.csv)  # noqa: F821
