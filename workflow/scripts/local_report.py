from ath_analysis.stages import run_from_snakemake
from ath_analysis.stages.local_report import run

run_from_snakemake(run, snakemake)  # noqa: F821
