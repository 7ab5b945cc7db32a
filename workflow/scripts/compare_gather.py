from ath_analysis.stages import run_from_snakemake
from ath_analysis.stages.gather import run_comparisons

run_from_snakemake(run_comparisons, snakemake)  # noqa: F821
