# Reports people read: one self-contained HTML report per configured area (report.areas in the config), with
# its Excel workbook, formatted table and figures (PNG + SVG). An indicator without rows in the model table is
# shown with crude values only. An area with `small_areas: true` also shows its villages and districts from the
# Fay–Herriot small-area table.
import re

REPORT_AREAS = list(config["report"]["areas"])


wildcard_constraints:
    area="|".join(re.escape(a) for a in REPORT_AREAS),


rule area_report:
    input:
        estimates="reports/tables/estimates.parquet",
        models="reports/tables/models.parquet",  # crude and adjusted comparisons (the compare stage)
        small_areas=report_small_areas,  # sub-area model estimates (the small_areas stage), when configured
        audits=expand(PROCESSED / "{wave}" / "audit.json", wave=WAVES),
        configfiles=workflow.configfiles,
        indicators=config["indicators"],
        variables=config["variables"],
        areas=AREA_TABLES,
        boundaries=[config["report"]["boundaries"]] if config["report"].get("boundaries") else [],
    output:
        html=report(
            "reports/{area}.html",
            caption="../report/area_report.rst",
            category="Reports",
            labels={"area": "{area}", "file": "HTML report"},
        ),
        xlsx=report(
            "reports/{area}.xlsx",
            caption="../report/area_workbook.rst",
            category="Reports",
            labels={"area": "{area}", "file": "Excel workbook"},
        ),
        csv=report(
            "reports/tables/{area}_report.csv",
            caption="../report/area_table.rst",
            category="Tables",
            labels={"table": "{area} report rows"},
        ),
        figures=report(
            directory("reports/figures/{area}"),
            patterns=["{name}.png"],
            caption="../report/area_figures.rst",
            category="Figures",
            subcategory="{area}",
            labels={"figure": "{name}"},
        ),
    params:
        report=config["report"],
        disclosure=config["disclosure"],
        precision=config["precision"],
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/report/{area}.log",
    script:
        "../scripts/report.py"
