# ath-analysis workflow: THL adult-survey waves → harmonized, geography-aware respondent tables → estimates
# → reports. All logic lives in src/ath_analysis; each rule is a thin call into ath_analysis.stages, and its
# params are exactly the config values that stage reads.
import os

from snakemake.utils import min_version

from ath_analysis.workflow import workflow_settings

min_version("8.0")

# Each job gets its own core (threads: 1 unless a rule says otherwise): numerical libraries must not start a
# thread per core on top of that, which on a small machine makes small fits tens of times slower.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


# The config is read by ath-analysis's own safe reader (never by Snakemake's YAML templating), validated
# against its schema with defaults filled, and checked with the other configuration files, before any rule
# is defined. `--configfile FILE` replaces config/config.yaml (it is not merged into it); `--config k=v`
# overrides single keys.
SETTINGS = workflow_settings(workflow.config_settings.configfiles, workflow.config_settings.config)
config.clear()
config.update(SETTINGS.config)


include: "workflow/rules/common.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/estimate.smk"
include: "workflow/rules/small_areas.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/publish.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/local.smk"


rule all:
    input:
        "reports/tables/estimates.parquet",
        "reports/tables/differences.parquet",
        "reports/tables/small_areas.parquet",
        rules.small_areas.output.audit,
        "reports/tables/publication_audit.json",
        "reports/tables/comparisons.parquet",
        expand("reports/{area}.html", area=REPORT_AREAS),
        expand("reports/{area}.xlsx", area=REPORT_AREAS),
        SYNTHETIC_TRUTH,
        LOCAL_REPORTS,
