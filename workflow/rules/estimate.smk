rule indicators:
    input:
        analysis=rules.geography.output.analysis,
        variables=config["variables"],
    output:
        table=PROCESSED / "{wave}" / "indicators.parquet",
        audit=PROCESSED / "{wave}" / "audit_indicators.json",
    params:
        wave=lambda wildcards: wildcards.wave,
        indicators=INDICATOR_RULES,
        source=config["indicators"],
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/indicators/{wave}.log",
    script:
        "../scripts/indicators.py"


rule estimate:
    input:
        waves=INDICATOR_TABLES,
        areas=AREA_TABLES,
        register=REGISTER,
        subarea_table=SUBAREA_TABLE,
        variables=config["variables"],
    output:
        table=RESULTS / "estimates.parquet",
    params:
        waves=WAVE_YEARS,
        indicators=INDICATOR_RULES,
        estimate=config["estimate"],
        disclosure=config["disclosure"],
        precision=config["precision"],
        region_code=config["geography"]["region_code"],
        language=config["report"]["language"],
        synthetic=SYNTHETIC,
        places=PLACES,
    threads: 1
    resources:
        mem_mb=8000,
        runtime=30,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/estimate.log",
    script:
        "../scripts/estimate.py"


rule differences:
    input:
        waves=INDICATOR_TABLES,
        estimates="reports/tables/estimates.parquet",  # as published (the gate's suppression)
        reference_values=REFERENCE_VALUES,
        areas=AREA_TABLES,
        register=REGISTER,
        subarea_table=SUBAREA_TABLE,
        variables=config["variables"],
    output:
        parquet=report(
            "reports/tables/differences.parquet",
            caption="../report/differences.rst",
            category="Tables",
        ),
        csv=report("reports/tables/differences.csv", caption="../report/differences.rst", category="Tables"),
    params:
        waves=WAVE_YEARS,
        indicators=INDICATOR_RULES,
        estimate=config["estimate"],
        region_code=config["geography"]["region_code"],
        national=config["data"]["national"],
        synthetic=SYNTHETIC,
        places=PLACES,
        reference_values=config["reference_values"] if not config["data"]["national"] else None,
    threads: 1
    resources:
        mem_mb=8000,
        runtime=30,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/differences.log",
    script:
        "../scripts/differences.py"
