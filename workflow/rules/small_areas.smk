# Fay–Herriot small-area estimates for Mikkeli's sub-areas. Area covariates come from the synthetic
# populations when the data are synthetic, else from the user's table small_areas.covariate_file.
SMALL_AREA_COVARIATES = (
    expand(f"{config['data']['raw_dir']}/synthetic/population_{{wave}}.parquet", wave=WAVES)
    if config["data"]["synthetic"]
    else [config["small_areas"]["covariate_file"]]
)


rule small_areas:
    input:
        waves=expand(PROCESSED / "{wave}" / "indicators.parquet", wave=WAVES),
        covariates=SMALL_AREA_COVARIATES,
        indicators=config["indicators"],
        variables=config["variables"],
        areas=AREA_TABLES,
    output:
        parquet=report(
            "reports/tables/small_areas.parquet",
            caption="../report/small_areas.rst",
            category="Tables",
        ),
        csv=report("reports/tables/small_areas.csv", caption="../report/small_areas.rst", category="Tables"),
    params:
        small_areas=config["small_areas"],
        estimate=config["estimate"],
        disclosure=config["disclosure"],
        geography=config["geography"],
        language=config["report"]["language"],
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/small_areas.log",
    script:
        "../scripts/small_areas.py"
