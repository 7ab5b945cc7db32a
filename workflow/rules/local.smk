# Local knowledge beside the numbers (config `local_knowledge`, null = none): per report area a page joining the
# published numbers with the workbook's observations, actors and actions, and a partnership-table pack (HTML +
# A4 PDF). Inputs are the GATED tables only, the workbook and the tables that place its areas: editing the
# workbook reruns only these jobs.
from ath_analysis.local.cli import region_labels

LOCAL_KNOWLEDGE = config["local_knowledge"]
LOCAL_REPORTS = (
    expand("reports/{area}_paikallistieto.html", area=REPORT_AREAS)
    + expand("reports/{area}_kumppanuuspoyta.{ext}", area=REPORT_AREAS, ext=["html", "pdf"])
    if LOCAL_KNOWLEDGE
    else []
)


if LOCAL_KNOWLEDGE:

    rule local_report:
        input:
            estimates="reports/tables/estimates.parquet",
            differences="reports/tables/differences.parquet",
            workbook=LOCAL_KNOWLEDGE,
            indicators=config["indicators"],
            variables=config["variables"],
            areas=AREA_TABLES,
            register=REGISTER,
            subarea_table=SUBAREA_TABLE,
        output:
            page=report(
                "reports/{area}_paikallistieto.html",
                caption="../report/local_page.rst",
                category="Reports",
                labels={"area": "{area}", "file": "local knowledge"},
            ),
            pack_html=report(
                "reports/{area}_kumppanuuspoyta.html",
                caption="../report/local_pack.rst",
                category="Reports",
                labels={"area": "{area}", "file": "partnership pack (HTML)"},
            ),
            pack_pdf=report(
                "reports/{area}_kumppanuuspoyta.pdf",
                caption="../report/local_pack.rst",
                category="Reports",
                labels={"area": "{area}", "file": "partnership pack (PDF)"},
            ),
        params:
            area=lambda wildcards: wildcards.area,
            spec=lambda wildcards: {key: value for key, value in area_spec(wildcards).items()
                                    if key in ("name_fi", "name_en", "focus", "compare", "labels_en")},
            language=config["report"]["language"],
            region_code=config["geography"]["region_code"],
            region_labels=list(region_labels(config)),
            synthetic=SYNTHETIC,
            places=PLACES,
        conda:
            "../envs/ath-analysis.yaml"
        log:
            "logs/local/{area}.log",
        script:
            "../scripts/local_report.py"
