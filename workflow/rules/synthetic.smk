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

    # The truth, scattered by wave: one job per wave (its population and national strata; the Monte Carlo of the
    # counties makes a wave's job the long one), gathered by `truth` into the one table, byte-identical to the
    # unscattered stage's (stages.truth.run).
    rule truth_part:
        input:
            population=SYNTHETIC_DERIVED / "population_{wave}.parquet",
            national=SYNTHETIC_DERIVED / "national_{wave}.parquet",
            areas=AREA_TABLES,
            register=REGISTER,
            subarea_table=SUBAREA_TABLE,
            variables=config["variables"],
        output:
            table=SYNTHETIC_DERIVED / "parts" / "truth_{wave}.parquet",
        params:
            wave=lambda wildcards: wildcards.wave,
            fieldwork_date=lambda wildcards: FIELDWORK_DATES[wildcards.wave],
            geography=GEOGRAPHY,
            indicators=INDICATOR_RULES,
            places=PLACES,
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../envs/ath-analysis.yaml"
        log:
            "logs/truth/{wave}.log",
        script:
            "../scripts/truth_part.py"

    rule truth:
        input:
            parts=expand(SYNTHETIC_DERIVED / "parts" / "truth_{wave}.parquet", wave=WAVES),
        output:
            table=SYNTHETIC_DERIVED / "truth.parquet",
        params:
            waves=WAVES,
        threads: 1
        resources:
            mem_mb=1000,
            runtime=5,
        conda:
            "../envs/ath-analysis.yaml"
        log:
            "logs/truth.log",
        script:
            "../scripts/truth_gather.py"
