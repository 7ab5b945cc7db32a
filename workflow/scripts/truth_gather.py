from ath_analysis.stages import run_from_snakemake
from ath_analysis.stages.gather import run_truth

run_from_snakemake(run_truth, snakemake)  # noqa: F821
