from ath_analysis.stages import run_from_snakemake
from ath_analysis.stages.publish import run_part

run_from_snakemake(run_part, snakemake)  # noqa: F821
