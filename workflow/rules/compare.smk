rule compare:
    input:
        waves=expand(PROCESSED / "{wave}" / "indicators.parquet", wave=WAVES),
        indicators=config["indicators"],
        variables=config["variables"],
        areas=AREA_TABLES,
    output:
        parquet=report(
            "reports/tables/models.parquet",
            caption="../report/models.rst",
            category="Tables",
        ),
        csv=report("reports/tables/models.csv", caption="../report/models.rst", category="Tables"),
    params:
        compare=config["compare"],
        estimate=config["estimate"],
        disclosure=config["disclosure"],
        precision=config["precision"],
        language=config["report"]["language"],
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/compare.log",
    script:
        "../scripts/compare.py"
