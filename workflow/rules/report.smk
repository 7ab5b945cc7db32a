# Reports people read: one self-contained HTML report per configured area (report.areas in the config), with
# its Excel workbook, formatted table and figures (SVG). An indicator without rows in the comparison
# table is shown with crude values only. An area with `small_areas: true` also shows its villages and
# districts from the Fay–Herriot small-area table.
import re

SMALL_AREA_REPORT_SETTINGS = ("max_direct_cv", "covariates", "method", "transform", "finite_population")


wildcard_constraints:
    area="|".join(re.escape(a) for a in REPORT_AREAS),


rule area_report:
    input:
        estimates="reports/tables/estimates.parquet",
        comparisons="reports/tables/comparisons.parquet",  # crude and adjusted comparisons (rule compare)
        differences="reports/tables/differences.parquet",  # every verdict: the CI of the difference excludes 0
        publication_audit="reports/tables/publication_audit.json",  # its figures go into the methods
        small_areas=lambda w: ["reports/tables/small_areas.parquet"] if shows_small_areas(w) else [],
        ingest_audits=expand(PROCESSED / "{wave}" / "audit_ingest.json", wave=WAVES),
        geography_audits=expand(PROCESSED / "{wave}" / "audit_geography.json", wave=WAVES),
        indicators=config["indicators"],
        variables=config["variables"],
        areas=AREA_TABLES,
        register=REGISTER,
        subarea_table=SUBAREA_TABLE,
        centres=lambda w: [MUNICIPALITY_CENTRES] if shows_map(w) and not config["report"]["boundaries"] else [],
        boundaries=lambda w: [config["report"]["boundaries"]] if shows_map(w) and config["report"]["boundaries"]
        else [],
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
        excel_csv=report(
            "reports/tables/{area}_report_excel.csv",
            caption="../report/area_table.rst",
            category="Tables",
            labels={"table": "{area} report rows for Finnish Excel"},
        ),
        cards=directory("reports/{area}/kortit"),
        figures=report(
            directory("reports/figures/{area}"),
            patterns=["{name}.svg"],
            caption="../report/area_figures.rst",
            category="Figures",
            subcategory="{area}",
            labels={"figure": "{name}"},
        ),
    params:
        area=lambda wildcards: wildcards.area,
        spec=area_spec,
        language=config["report"]["language"],
        model_wave=config["report"]["model_wave"],
        boundaries_code_property=lambda w: config["report"]["boundaries_code_property"] if shows_map(w) else None,
        disclosure=config["disclosure"],
        precision=config["precision"],
        geography={key: config["geography"][key] for key in ("region_code", "reference_date", "min_age")},
        estimate={key: config["estimate"][key] for key in ("level", "ci_method", "standardize_by", "domains")},
        small_areas=lambda w: {key: config["small_areas"][key] for key in SMALL_AREA_REPORT_SETTINGS}
        if shows_small_areas(w)
        else {},
        waves={wave: {key: spec[key] for key in ("survey", "year", "fieldwork_date")}
               for wave, spec in config["waves"].items()},
        synthetic=SYNTHETIC,
        places=PLACES,
        local_knowledge=bool(config["local_knowledge"]),  # links to the local page and the pack (rule local_report)
        figure_cache=str(PROCESSED / "cache" / "figures"),  # figures kept by content (safe to delete)
    # the figures are drawn in this many processes (the stage's `threads`; not a param: no rerun): the cores
    # shared among the reports, so that reports still run side by side (each has much work of one process)
    threads: REPORT_THREADS
    resources:
        mem_mb=3000,
        runtime=30,
    conda:
        "../envs/ath-analysis.yaml"
    log:
        "logs/report/{area}.log",
    script:
        "../scripts/report.py"
