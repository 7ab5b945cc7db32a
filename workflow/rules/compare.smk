# Survey-weighted comparisons between areas (crude and adjusted models): the comparison table.
# Scattered by data set: one job per wave and one for the waves pooled (compare_part), gathered by `compare`
# into the one table, byte-identical to the unscattered stage's. Not by indicator: the models of a data set fit
# all indicators in batches, whose last bits depend on which indicators share a batch.
import re

from ath_analysis.results.comparisons import CompareSettings, comparison_datasets

COMPARE_DATASETS = comparison_datasets(WAVES, CompareSettings.from_config(config["compare"]))
COMPARE_PARTS = RESULTS / "parts" / "comparisons_{dataset}.parquet"


rule compare_part:
    input:
        waves=INDICATOR_TABLES,  # all of them: the levels of a comparison are those seen in any wave
        areas=AREA_TABLES,
        register=REGISTER,
        subarea_table=SUBAREA_TABLE,
        variables=config["variables"],
    output:
        table=COMPARE_PARTS,
    wildcard_constraints:
        dataset="|".join(re.escape(d) for d in COMPARE_DATASETS),
    params:
        dataset=lambda wildcards: wildcards.dataset,
        waves=WAVE_YEARS,
        indicators=INDICATOR_RULES,
        compare=config["compare"],
        lonely_psu=config["estimate"]["lonely_psu"],
        level=config["estimate"]["level"],
        disclosure=config["disclosure"],
        precision=config["precision"],
        region_code=config["geography"]["region_code"],
        language=config["report"]["language"],
        synthetic=SYNTHETIC,
        places=PLACES,
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/compare/{dataset}.log",
    script:
        "../scripts/compare_part.py"


rule compare:
    input:
        parts=expand(COMPARE_PARTS, dataset=COMPARE_DATASETS),
    output:
        table=RESULTS / "comparisons.parquet",
    params:
        indicators=[rule["id"] for rule in INDICATOR_RULES],
        datasets=COMPARE_DATASETS,
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/compare.log",
    script:
        "../scripts/compare_gather.py"
