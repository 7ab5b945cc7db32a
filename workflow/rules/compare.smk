# Survey-weighted comparisons between areas (crude and adjusted models): the comparison table.
rule compare:
    input:
        waves=INDICATOR_TABLES,
        areas=AREA_TABLES,
        register=REGISTER,
        subarea_table=SUBAREA_TABLE,
        variables=config["variables"],
    output:
        table=RESULTS / "comparisons.parquet",
    params:
        waves=WAVE_YEARS,
        indicators=INDICATOR_RULES,
        compare=config["compare"],
        lonely_psu=config["estimate"]["lonely_psu"],
        level=config["estimate"]["level"],
        disclosure=config["disclosure"],
        precision=config["precision"],
        region_code=config["geography"]["region_code"],
        language=config["report"]["language"],
        synthetic=SYNTHETIC,
        places=PLACES,
    resources:
        mem_mb=8000,
        runtime=60,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/compare.log",
    script:
        "../scripts/compare.py"
