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
        wave_config=lambda wildcards: config["waves"][wildcards.wave],
        min_age=config["geography"]["min_age"],
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/ingest/{wave}.log",
    script:
        "../scripts/ingest.py"


rule geography:
    input:
        respondents=rules.ingest.output.respondents,
        ingest_audit=rules.ingest.output.audit,
        areas=AREA_TABLES,
    output:
        analysis=PROCESSED / "{wave}" / "analysis.parquet",
        audit=PROCESSED / "{wave}" / "audit.json",
    params:
        geography=config["geography"],
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/geography/{wave}.log",
    script:
        "../scripts/geography.py"
