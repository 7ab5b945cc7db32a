# Fay–Herriot small-area estimates for Mikkeli's sub-areas. Area covariates come from the synthetic
# populations when the data are synthetic, else from the user's table small_areas.covariate_file.
# Scattered by wave (small_areas_part: a wave's direct estimates, covariates and fits are its own), gathered by
# `small_areas` into the one table and audit, byte-identical to the unscattered stage's.
SMALL_AREA_PARTS = RESULTS / "parts"

SMALL_AREA_COVARIATES = (
    [str(SYNTHETIC_DERIVED / "population_{wave}.parquet")] if SYNTHETIC else [config["small_areas"]["covariate_file"]]
)


rule small_areas_part:
    input:
        waves=[PROCESSED / "{wave}" / "indicators.parquet"],  # a list, as the stage reads all it is given
        covariates=SMALL_AREA_COVARIATES,
        areas=AREA_TABLES,
        register=REGISTER,
        subarea_table=SUBAREA_TABLE,
        variables=config["variables"],
    output:
        internal=SMALL_AREA_PARTS / "small_areas_{wave}.parquet",
        publishable=SMALL_AREA_PARTS / "small_areas_publishable_{wave}.parquet",
        audit=SMALL_AREA_PARTS / "audit_small_areas_{wave}.json",
    params:
        waves=lambda wildcards: {wildcards.wave: WAVE_YEARS[wildcards.wave]},
        # for the synthetic populations' geography
        fieldwork_dates=lambda wildcards: {wildcards.wave: FIELDWORK_DATES[wildcards.wave]} if SYNTHETIC else {},
        indicators=INDICATOR_RULES,
        small_areas=config["small_areas"],
        estimate={key: config["estimate"][key] for key in ("ci_method", "level", "lonely_psu")},
        min_n=config["disclosure"]["min_n"],
        geography=GEOGRAPHY,
        min_age=config["geography"]["min_age"],
        language=config["report"]["language"],
        synthetic=SYNTHETIC,
        places=PLACES,
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/small_areas/{wave}.log",
    script:
        "../scripts/small_areas.py"


rule small_areas:
    input:
        internal=expand(SMALL_AREA_PARTS / "small_areas_{wave}.parquet", wave=WAVES),
        publishable=expand(SMALL_AREA_PARTS / "small_areas_publishable_{wave}.parquet", wave=WAVES),
        audits=expand(SMALL_AREA_PARTS / "audit_small_areas_{wave}.json", wave=WAVES),
    output:
        internal=RESULTS / "small_areas.parquet",  # every area's answers used: never published
        publishable=RESULTS / "small_areas_publishable.parquet",  # areas below min_n: synthetic estimates
        audit=PROCESSED / "audit_small_areas.json",
    params:
        waves=WAVES,
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/small_areas.log",
    script:
        "../scripts/small_areas_gather.py"
