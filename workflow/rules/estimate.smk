rule indicators:
    input:
        analysis=rules.geography.output.analysis,
        indicators=config["indicators"],
        variables=config["variables"],
    output:
        table=PROCESSED / "{wave}" / "indicators.parquet",
        audit=PROCESSED / "{wave}" / "audit_indicators.json",
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/indicators/{wave}.log",
    script:
        "../scripts/indicators.py"


rule estimate:
    input:
        waves=expand(PROCESSED / "{wave}" / "indicators.parquet", wave=WAVES),
        indicators=config["indicators"],
        areas=AREA_TABLES,
    output:
        parquet=report(
            "reports/tables/estimates.parquet",
            caption="../report/estimates.rst",
            category="Tables",
        ),
        csv=report("reports/tables/estimates.csv", caption="../report/estimates.rst", category="Tables"),
    params:
        estimate=config["estimate"],
        disclosure=config["disclosure"],
        precision=config["precision"],
        language=config["report"]["language"],
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/estimate.log",
    script:
        "../scripts/estimate.py"
