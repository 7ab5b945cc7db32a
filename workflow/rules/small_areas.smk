# Fay–Herriot small-area estimates for Mikkeli's sub-areas. Area covariates come from the synthetic
# populations when the data are synthetic, else from the user's table small_areas.covariate_file.
SMALL_AREA_COVARIATES = (
    expand(SYNTHETIC_DERIVED / "population_{wave}.parquet", wave=WAVES)
    if SYNTHETIC
    else [config["small_areas"]["covariate_file"]]
)


rule small_areas:
    input:
        waves=INDICATOR_TABLES,
        covariates=SMALL_AREA_COVARIATES,
        areas=AREA_TABLES,
        register=REGISTER,
        subarea_table=SUBAREA_TABLE,
        variables=config["variables"],
    output:
        internal=RESULTS / "small_areas.parquet",  # every area's answers used: never published
        publishable=RESULTS / "small_areas_publishable.parquet",  # areas below min_n: synthetic estimates
        audit=PROCESSED / "audit_small_areas.json",
    params:
        waves=WAVE_YEARS,
        fieldwork_dates=FIELDWORK_DATES if SYNTHETIC else {},  # for the synthetic populations' geography
        indicators=INDICATOR_RULES,
        small_areas=config["small_areas"],
        estimate={key: config["estimate"][key] for key in ("ci_method", "level", "lonely_psu")},
        min_n=config["disclosure"]["min_n"],
        geography=GEOGRAPHY,
        min_age=config["geography"]["min_age"],
        language=config["report"]["language"],
        synthetic=SYNTHETIC,
        places=PLACES,
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/small_areas.log",
    script:
        "../scripts/small_areas.py"
