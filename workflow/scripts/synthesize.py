from ath_analysis.pipeline import run_stage, synthesize

run_stage(synthesize, config=snakemake.config, wave=snakemake.wildcards.wave,  # noqa: F821
          sav=snakemake.output.sav, population=snakemake.output.population)  # noqa: F821
