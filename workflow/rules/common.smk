from pathlib import Path

WAVES = list(config["waves"])
PROCESSED = Path(config["data"]["processed_dir"])
AREA_TABLES = sorted(str(p) for p in Path(config["areas_dir"]).glob("*.csv"))


wildcard_constraints:
    wave="|".join(WAVES),


def wave_file(wildcards):
    return config["waves"][wildcards.wave]["file"]


# the true population values exist only for synthetic data
SYNTHETIC_TRUTH = [f"{config['data']['raw_dir']}/synthetic/truth.parquet"] if config["data"]["synthetic"] else []
