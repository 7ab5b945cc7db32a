from ath_analysis.stages import run_from_snakemake
from ath_analysis.stages.gather import run_small_areas

run_from_snakemake(run_small_areas, snakemake)  # noqa: F821
