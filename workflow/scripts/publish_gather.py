from ath_analysis.stages import run_from_snakemake
from ath_analysis.stages.publish import run_gather

run_from_snakemake(run_gather, snakemake)  # noqa: F821
