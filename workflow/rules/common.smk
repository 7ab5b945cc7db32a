# Shared values of the rules: waves, folders, the reference tables, and the indicator rules (the computing part
# of config/indicators.yaml, so that a label edit reruns only the reports).
from pathlib import Path

from snakemake.exceptions import WorkflowError

from ath_analysis.areas import AREA_TABLE_FILES

WAVES = list(config["waves"])
PROCESSED = Path(config["data"]["processed_dir"])
SYNTHETIC = bool(config["data"]["synthetic"])
SYNTHETIC_DIR = f"{config['data']['raw_dir']}/synthetic"  # generated .sav files, as the researcher's would be
SYNTHETIC_DERIVED = PROCESSED / "synthetic"  # their true populations and truth table
AREA_TABLES = [str(Path(config["areas_dir"]) / name) for name in AREA_TABLE_FILES]
MUNICIPALITY_CENTRES = str(Path(config["areas_dir"]) / "municipality_centres.csv")
COUNTIES = str(Path(config["areas_dir"]) / "hyvinvointialueet.csv")  # the synthetic waves' national design
INDICATOR_RULES = SETTINGS.indicator_rules
WAVE_YEARS = {wave: spec["year"] for wave, spec in config["waves"].items()}
FIELDWORK_DATES = {wave: spec["fieldwork_date"] for wave, spec in config["waves"].items()}
GEOGRAPHY = {key: config["geography"][key] for key in ("region_code", "reference_date", "membership",
                                                       "urban_rural_source")}
INDICATOR_TABLES = expand(PROCESSED / "{wave}" / "indicators.parquet", wave=WAVES)
RESULTS = PROCESSED / "results"  # the stages' own tables, before the publication gate (never published as such)
# The places of the run: the national register (its manifest records every file's sha256, so it stands for the
# whole folder) when configured, and the sub-area table; stages that place or label areas read both.
REGISTER = [f"{config['geography']['register']}/manifest.json"] if config["geography"]["register"] else []
SUBAREAS = config["geography"]["subareas"]
SUBAREA_TABLE = [SUBAREAS["table"]] if SUBAREAS and SUBAREAS.get("table") else []
# published national values to compare a regional extract with (data.national false)
REFERENCE_VALUES = ([config["reference_values"]["file"]] if config["reference_values"] and not config["data"]["national"]
                    else [])
PLACES = {"subareas": SUBAREAS, "splits": config["geography"]["splits"],
          "reference_date": config["geography"]["reference_date"]}


wildcard_constraints:
    wave="|".join(WAVES),


def wave_file(wildcards):
    return config["waves"][wildcards.wave]["file"]


REPORT_AREAS = list(config["report"]["areas"])


def report_threads():
    """The cores shared among the report areas, at most 4; 1 when no --cores is given (--report, a dry run)."""
    try:
        cores = int(workflow.cores or 1)
    except WorkflowError:
        return 1
    return max(1, min(4, cores // max(1, len(REPORT_AREAS))))


REPORT_THREADS = report_threads()  # a report draws its figures in this many processes


def area_spec(wildcards):
    """The report area's block of report.areas."""
    return config["report"]["areas"][wildcards.area]


def shows_small_areas(wildcards):
    return bool(area_spec(wildcards).get("small_areas"))


def shows_map(wildcards):
    return bool(area_spec(wildcards).get("map"))


# the true population values exist only for synthetic data
SYNTHETIC_TRUTH = [str(SYNTHETIC_DERIVED / "truth.parquet")] if SYNTHETIC else []
