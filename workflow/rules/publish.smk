# The publication gate: every table that leaves for reports/ is audited here, all tables of a wave together,
# so that no published number lets anyone recover a group of fewer than disclosure.min_n respondents.
# Scattered by wave (publish_part: a wave's linked audit is its own; it writes which rows of each table it
# withholds), gathered by `publish` into the published tables and audit, byte-identical to the one-job stage's.
import re

PUBLISH_PARTS = RESULTS / "parts" / "publication_{wave}.json"


rule publish_part:
    input:
        waves=[PROCESSED / "{wave}" / "indicators.parquet"],  # a list, as the stage reads all it is given
        estimates=rules.estimate.output.table,
        comparisons=rules.compare.output.table,
        small_areas=rules.small_areas.output.publishable,
    output:
        decision=PUBLISH_PARTS,
    wildcard_constraints:
        wave="|".join(re.escape(w) for w in WAVES),
    params:
        wave=lambda wildcards: wildcards.wave,
        min_n=config["disclosure"]["min_n"],
        certify=config["disclosure"]["certify"],
        region_code=config["geography"]["region_code"],
        estimate={key: config["estimate"][key] for key in ("domains", "standardize_by")},
        compare={key: config["compare"][key] for key in ("comparisons", "adjusters")},
        small_area_sets=config["small_areas"]["area_sets"],
        subarea_municipality=SUBAREAS["municipality"] if SUBAREAS else None,
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/publish/{wave}.log",
    script:
        "../scripts/publish_part.py"


rule publish:
    input:
        parts=expand(PUBLISH_PARTS, wave=WAVES),
        estimates=rules.estimate.output.table,
        comparisons=rules.compare.output.table,
        small_areas=rules.small_areas.output.publishable,
    output:
        estimates_parquet=report(
            "reports/tables/estimates.parquet",
            caption="../report/estimates.rst",
            category="Tables",
        ),
        estimates_csv=report("reports/tables/estimates.csv", caption="../report/estimates.rst", category="Tables"),
        comparisons_parquet=report(
            "reports/tables/comparisons.parquet",
            caption="../report/comparisons.rst",
            category="Tables",
        ),
        comparisons_csv=report(
            "reports/tables/comparisons.csv", caption="../report/comparisons.rst", category="Tables"
        ),
        small_areas_parquet=report(
            "reports/tables/small_areas.parquet",
            caption="../report/small_areas.rst",
            category="Tables",
        ),
        small_areas_csv=report(
            "reports/tables/small_areas.csv", caption="../report/small_areas.rst", category="Tables"
        ),
        audit="reports/tables/publication_audit.json",
    params:
        waves=WAVES,
        min_n=config["disclosure"]["min_n"],
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/publish.log",
    script:
        "../scripts/publish_gather.py"
