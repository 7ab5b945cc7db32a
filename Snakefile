# ath-analysis workflow: THL adult-survey waves → harmonized, geography-aware respondent tables → estimates
# → reports. All logic lives in src/ath_analysis; each rule is a thin call into it (workflow/scripts/).
from snakemake.utils import min_version

from ath_analysis.config import check_config

min_version("8.0")


configfile: "config/config.yaml"


# every problem in the config at once, then defaults from the packaged schema (ath_analysis/schemas)
check_config(config, "config/config.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/estimate.smk"
include: "workflow/rules/small_areas.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        "reports/tables/estimates.parquet",
        "reports/tables/small_areas.parquet",
        "reports/tables/models.parquet",
        expand("reports/{area}.html", area=REPORT_AREAS),
        expand("reports/{area}.xlsx", area=REPORT_AREAS),
        SYNTHETIC_TRUTH,
