# Synthetic ATH-style waves, made only when config says data.synthetic: true.
if config["data"]["synthetic"]:

    rule synthesize:
        input:
            areas=AREA_TABLES,
            variables=config["variables"],
        output:
            sav=f"{config['data']['raw_dir']}/synthetic/{{wave}}.sav",
            population=f"{config['data']['raw_dir']}/synthetic/population_{{wave}}.parquet",
        params:
            seed=config["data"]["synthetic_seed"],
        conda:
            "../envs/ath-analysis.yaml"
        log:
            "logs/synthesize/{wave}.log",
        script:
            "../scripts/synthesize.py"

    rule truth:
        input:
            populations=expand(
                f"{config['data']['raw_dir']}/synthetic/population_{{wave}}.parquet", wave=WAVES
            ),
            indicators=config["indicators"],
            areas=AREA_TABLES,
        output:
            f"{config['data']['raw_dir']}/synthetic/truth.parquet",
        params:
            geography=config["geography"],
        conda:
            "../envs/ath-analysis.yaml"
        log:
            "logs/truth.log",
        script:
            "../scripts/truth.py"
