from ath_analysis.pipeline import ingest, run_stage

out = snakemake.output  # noqa: F821
run_stage(ingest, config=snakemake.config, wave=snakemake.wildcards.wave, sav=snakemake.input.sav,  # noqa: F821
          respondents=out.respondents, labels=out.labels, audit=out.audit)
