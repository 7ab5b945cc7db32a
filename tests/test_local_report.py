"""Rule local_report in the workflow: the local page and the partnership pack of every report area, made from the
gated tables and the EXAMPLE workbook, publication flags kept in every output, and the rerun scope (issue 15,
item 8): editing the workbook reruns only these jobs."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from .conftest import ROOT, planned_jobs, run_snakemake
from .test_local_page import pdf_page_sizes

AREAS = ["etela-savo", "mikkeli"]
WORKBOOK = Path("config") / "templates" / "esimerkki_paikallistieto.yaml"


def _observations(flag: str) -> list[str]:
    """The texts of the example workbook's observations with publication flag `flag` (without the stamp)."""
    book = yaml.safe_load((ROOT / WORKBOOK).read_text(encoding="utf-8"))
    texts = [" ".join(str(o["havainto"]).split()) for o in book["Havainnot"] if o["julkaisu"] == flag]
    return [t.removeprefix("ESIMERKKI: ") for t in texts]


def _published_text(path: Path) -> str:
    """The text a published file holds (tables as CSV, workbooks member by member); '' for images and PDFs, whose
    text is that of the HTML they are laid out from."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    if path.suffix in {".png", ".pdf"}:
        return ""
    return path.read_text(encoding="utf-8")


def test_every_report_area_has_its_page_and_pack(workflow_project):
    reports = workflow_project / "reports"
    for area in AREAS:
        page = (reports / f"{area}_paikallistieto.html").read_text(encoding="utf-8")
        pack = (reports / f"{area}_kumppanuuspoyta.html").read_text(encoding="utf-8")
        sizes = pdf_page_sizes(reports / f"{area}_kumppanuuspoyta.pdf")
        assert sizes and set(sizes) == {(210, 297)}, (area, sizes)
        for html in (page, pack):
            assert "ESIMERKKI – keksitty paikallistieto" in html and "SYNTEETTINEN AINEISTO" in html
        assert f'<a href="{area}.html">' in page and 'id="need"' in page and 'id="follow"' in page
        assert "Pöydän ehdotukset" in pack
    mikkeli = (reports / "mikkeli_paikallistieto.html").read_text(encoding="utf-8")
    assert "piilotettu tietosuojan vuoksi" in mikkeli  # Mikkeli's small area groups have suppressed cells
    assert "Kylätalon kahvilaan tulee joka viikko uusia kävijöitä" in mikkeli  # a public quote (Ristiina)
    log = (workflow_project / "logs" / "local" / "mikkeli.log").read_text(encoding="utf-8")
    assert "pack: " in log and "A4 pages (EXAMPLE workbook)" in log


def test_no_output_shows_what_may_not_be_published(workflow_project):
    secret, summary_only = _observations("ei"), _observations("vain yhteenveto")
    assert len(secret) == 2 and len(summary_only) == 3
    files = [p for p in (workflow_project / "reports").rglob("*") if p.is_file()]
    assert {f"{a}_{s}" for a in AREAS for s in ("paikallistieto.html", "kumppanuuspoyta.html")} <= {
        p.name for p in files}
    for path in files:
        text = " ".join(_published_text(path).split())
        for words in secret + summary_only:
            assert words not in text, (path, words)
    # the summary-only ones are counted: H2 (asemanseutu) is one of the partnership table's in Mikkeli's urban area
    page = (workflow_project / "reports" / "mikkeli_paikallistieto.html").read_text(encoding="utf-8")
    assert "Lisäksi yhteenvetona (ei lainauksina): kumppanuuspöytä 1." in page


def test_the_rule_reads_the_gated_tables_and_the_workbook_only(workflow_project):
    run = run_snakemake(workflow_project, "--detailed-summary")
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [line.split("\t") for line in run.stdout.splitlines()]
    header = rows[0]
    local = [dict(zip(header, row, strict=False)) for row in rows[1:] if len(row) > 2 and row[2] == "local_report"]
    assert len(local) == 3 * len(AREAS)
    for row in local:
        inputs = set(row["input-file(s)"].split(","))
        assert {"reports/tables/estimates.parquet", "reports/tables/differences.parquet", str(WORKBOOK)} <= inputs
        assert all(p.startswith(("reports/tables/", "config/")) for p in inputs), inputs
        assert not [p for p in inputs if p.startswith("reports/tables/") and p.endswith(".csv")]


@pytest.fixture
def project_copy(workflow_project, tmp_path) -> Path:
    """A copy of the session's finished project, Snakemake's records included (edit it freely)."""
    copy = tmp_path / "project"
    shutil.copytree(workflow_project, copy, symlinks=True)
    assert planned_jobs(copy) == {}
    return copy


def test_editing_the_workbook_reruns_only_the_local_outputs(project_copy):
    path = project_copy / WORKBOOK
    text = path.read_text(encoding="utf-8")
    old = "Kylätalon kahvilaan tulee joka viikko uusia kävijöitä"
    assert old in text
    path.write_text(text.replace(old, "Kylätalon kahvilaan tulee joka toinen viikko uusia kävijöitä"),
                    encoding="utf-8")
    assert planned_jobs(project_copy) == {"local_report": AREAS}
    run = run_snakemake(project_copy, "--cores", "1")
    assert run.returncode == 0, run.stderr[-2000:]
    page = (project_copy / "reports" / "mikkeli_paikallistieto.html").read_text(encoding="utf-8")
    assert "joka toinen viikko" in page
    assert planned_jobs(project_copy) == {}


def test_without_a_workbook_there_is_no_local_rule(project_copy):
    config = project_copy / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "local_knowledge: config/templates/esimerkki_paikallistieto.yaml\n" in text
    config.write_text(text.replace("local_knowledge: config/templates/esimerkki_paikallistieto.yaml\n",
                                   "local_knowledge: null\n"), encoding="utf-8")
    listed = run_snakemake(project_copy, "--list-rules")
    assert listed.returncode == 0 and "area_report" in listed.stdout and "local_report" not in listed.stdout
    # rule all no longer asks for the local outputs; the main reports lose their links to them
    assert planned_jobs(project_copy) == {"area_report": ["etela-savo", "mikkeli"]}


def test_the_example_workbook_beside_real_data_is_refused_in_one_line(tmp_path, monkeypatch):
    from ath_analysis.config import load_config
    from ath_analysis.stages import local_report

    from .configured import area_files, params, run

    monkeypatch.chdir(ROOT)
    config = load_config(ROOT / "config" / "config.yaml")
    config["data"]["synthetic"] = False
    given = params(config, "local_report", area="mikkeli")
    outputs = {"page": str(tmp_path / "p.html"), "pack_html": str(tmp_path / "k.html"),
               "pack_pdf": str(tmp_path / "k.pdf")}
    inputs = {"estimates": str(tmp_path / "missing.parquet"), "differences": str(tmp_path / "missing.parquet"),
              "workbook": str(WORKBOOK), "indicators": config["indicators"], "variables": config["variables"],
              "areas": area_files(config), "register": [], "subarea_table": [config["geography"]["subareas"]["table"]]}
    log = tmp_path / "local.log"
    assert run(local_report, "local_report", inputs, outputs, given, log) == 1
    text = log.read_text(encoding="utf-8")
    assert "is a made-up EXAMPLE workbook and the survey data are real" in text and "Traceback" not in text
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob("*.pdf"))
