from ath_analysis.pipeline import geography, run_stage

run_stage(geography, config=snakemake.config, wave=snakemake.wildcards.wave,  # noqa: F821
          respondents=snakemake.input.respondents, ingest_audit=snakemake.input.ingest_audit,  # noqa: F821
          analysis=snakemake.output.analysis, audit=snakemake.output.audit)  # noqa: F821
