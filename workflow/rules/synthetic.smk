# Synthetic ATH-style waves, made only when config says data.synthetic: true. The .sav files go where a
# researcher's real files would (data/raw/synthetic/); their true populations (Etelä-Savo materialised, the
# other counties as national strata the truth simulates) are derived data.
if SYNTHETIC:

    rule synthesize:
        input:
            areas=AREA_TABLES,
            counties=COUNTIES,
            register=REGISTER,  # with the national register: real municipality codes for the whole country
            variables=config["variables"],
        output:
            sav=f"{SYNTHETIC_DIR}/{{wave}}.sav",
            population=SYNTHETIC_DERIVED / "population_{wave}.parquet",
            national=SYNTHETIC_DERIVED / "national_{wave}.parquet",
        params:
            wave=lambda wildcards: wildcards.wave,
            seed=config["data"]["synthetic_seed"],
        resources:
            mem_mb=2000,
            runtime=15,
        conda:
            "../envs/ath-analysis.yaml"
        log:
            "logs/synthesize/{wave}.log",
        script:
            "../scripts/synthesize.py"

    rule truth:
        input:
            populations=expand(SYNTHETIC_DERIVED / "population_{wave}.parquet", wave=WAVES),
            nationals=expand(SYNTHETIC_DERIVED / "national_{wave}.parquet", wave=WAVES),
            areas=AREA_TABLES,
            register=REGISTER,
            subarea_table=SUBAREA_TABLE,
            variables=config["variables"],
        output:
            table=SYNTHETIC_DERIVED / "truth.parquet",
        params:
            fieldwork_dates=FIELDWORK_DATES,
            geography=GEOGRAPHY,
            indicators=INDICATOR_RULES,
            places=PLACES,
        resources:
            mem_mb=4000,
            runtime=20,
        conda:
            "../envs/ath-analysis.yaml"
        log:
            "logs/truth.log",
        script:
            "../scripts/truth.py"
