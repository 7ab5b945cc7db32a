from ath_analysis.pipeline import indicators, run_stage

run_stage(indicators, config=snakemake.config, wave=snakemake.wildcards.wave,  # noqa: F821
          analysis=snakemake.input.analysis, output=snakemake.output.table, audit=snakemake.output.audit)  # noqa: F821
