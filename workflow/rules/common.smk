from pathlib import Path

WAVES = list(config["waves"])
PROCESSED = Path(config["data"]["processed_dir"])
AREA_TABLES = sorted(str(p) for p in Path(config["areas_dir"]).glob("*.csv"))


wildcard_constraints:
    wave="|".join(WAVES),


def wave_file(wildcards):
    return config["waves"][wildcards.wave]["file"]


def report_small_areas(wildcards):
    """The Fay–Herriot sub-area table, for report areas configured with `small_areas: true`."""
    shows = config["report"]["areas"][wildcards.area].get("small_areas", False)
    return ["reports/tables/small_areas.parquet"] if shows else []


# the true population values exist only for synthetic data
SYNTHETIC_TRUTH = [f"{config['data']['raw_dir']}/synthetic/truth.parquet"] if config["data"]["synthetic"] else []
