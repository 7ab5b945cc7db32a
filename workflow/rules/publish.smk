# The publication gate: every table that leaves for reports/ is audited here, all tables of a wave together,
# so that no published number lets anyone recover a group of fewer than disclosure.min_n respondents.
rule publish:
    input:
        waves=INDICATOR_TABLES,
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
        waves=WAVE_YEARS,
        min_n=config["disclosure"]["min_n"],
        certify=config["disclosure"]["certify"],
        region_code=config["geography"]["region_code"],
        estimate={key: config["estimate"][key] for key in ("domains", "standardize_by")},
        compare={key: config["compare"][key] for key in ("comparisons", "adjusters")},
        small_area_sets=config["small_areas"]["area_sets"],
        subarea_municipality=SUBAREAS["municipality"] if SUBAREAS else None,
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/publish.log",
    script:
        "../scripts/publish.py"
