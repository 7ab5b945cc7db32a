# Per wave: the .sav → harmonized respondents (ingest) → the analysis table with areas and age groups
# (geography) → one column per indicator (indicators, in estimate.smk).
rule ingest:
    input:
        sav=wave_file,
        harmonization=config["harmonization"],
        variables=config["variables"],
    output:
        respondents=PROCESSED / "{wave}" / "respondents.parquet",
        labels=PROCESSED / "{wave}" / "labels.json",
        audit=PROCESSED / "{wave}" / "audit_ingest.json",
    params:
        wave=lambda wildcards: wildcards.wave,
        year=lambda wildcards: config["waves"][wildcards.wave]["year"],
        survey=lambda wildcards: config["waves"][wildcards.wave]["survey"],
        file_checks=lambda wildcards: {key: value for key, value in config["waves"][wildcards.wave].items()
                                       if key in ("encoding", "expected_rows", "sha256")},
        min_age=config["geography"]["min_age"],
        synthetic=SYNTHETIC,
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/ingest/{wave}.log",
    script:
        "../scripts/ingest.py"


rule geography:
    input:
        respondents=rules.ingest.output.respondents,
        areas=AREA_TABLES,
        register=REGISTER,
        subarea_table=SUBAREA_TABLE,
    output:
        analysis=PROCESSED / "{wave}" / "analysis.parquet",
        audit=PROCESSED / "{wave}" / "audit_geography.json",
    params:
        wave=lambda wildcards: wildcards.wave,
        fieldwork_date=lambda wildcards: config["waves"][wildcards.wave]["fieldwork_date"],
        geography=GEOGRAPHY,
        places=PLACES,
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/geography/{wave}.log",
    script:
        "../scripts/geography.py"
