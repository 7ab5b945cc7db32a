"""The layout's contracts: layers that do not import the workflow, rules that pass exactly what stages read,
reruns planned exactly when something a job reads changes, and a log for every job."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ath_analysis.stages import (
    compare,
    differences,
    estimate,
    geography,
    indicators,
    ingest,
    local_report,
    publish,
    report,
    small_areas,
    synthesize,
    truth,
)

from .configured import params
from .conftest import ROOT, planned_jobs, run_snakemake

PACKAGE = ROOT / "src" / "ath_analysis"
LIBRARY = ("survey", "models", "sae", "indicators", "synth")
DATA_LAYER = ("analysis", "areas", "geography", "harmonization", "ingest", "disclosure", "labels", "results",
              "yaml_files", "config", "checks")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names a module imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base
                                                                                                    else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = _imports(path)
        graph[name] = {m for m in found if m in modules} | {m.split(".")[0] for m in found
                                                            if not m.startswith("ath_analysis")}
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += graph.get(name, set())
    return seen


@pytest.mark.parametrize("layer", LIBRARY + DATA_LAYER)
def test_library_never_reaches_the_stages_or_snakemake(layer):
    graph = _graph()
    roots = [m for m in graph if m == f"ath_analysis.{layer}" or m.startswith(f"ath_analysis.{layer}.")]
    assert roots, layer
    for root in roots:
        reached = _reachable(graph, root)
        bad = {m for m in reached if m.startswith("ath_analysis.stages") or m in ("snakemake", "ath_analysis.workflow")}
        assert not bad, (root, bad)


def test_importing_the_library_loads_no_snakemake():
    code = ("import sys\n"
            + "".join(f"import ath_analysis.{layer}\n" for layer in LIBRARY + DATA_LAYER + ("report", "stages"))
            + "import ath_analysis.cli\n"
            + "assert 'snakemake' not in sys.modules, sorted(m for m in sys.modules if 'snakemake' in m)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_import_walk_would_see_a_violation(tmp_path, monkeypatch):
    # the walk is not vacuous: a module that imports the stages is found from the layer that imports it
    graph = _graph()
    graph["ath_analysis.survey.design"] = graph["ath_analysis.survey.design"] | {"ath_analysis.stages.runner"}
    assert "ath_analysis.stages.runner" in _reachable(graph, "ath_analysis.survey")


STAGES = {"synthesize": synthesize, "truth": truth, "ingest": ingest, "geography": geography,
          "indicators": indicators, "estimate": estimate, "differences": differences, "compare": compare,
          "small_areas": small_areas, "publish": publish,
          "area_report": report, "local_report": local_report}


@pytest.mark.parametrize("rule", [r for r in STAGES if r != "synthesize"])
def test_test_helpers_pass_the_params_the_stages_read(rule, config):
    given = params(config, rule, wave="ts2022", area="mikkeli")
    assert set(given) == set(STAGES[rule].PARAMS)


def test_test_helpers_pass_the_params_the_truth_part_reads(config):
    assert set(params(config, "truth_part", wave="ts2022")) == set(truth.PART_PARAMS)


def test_a_rule_that_passes_an_unread_param_fails_cleanly(config, tmp_path):
    from .configured import run

    given = {**params(config, "geography", wave="ts2022"), "colour": "blue"}
    log = tmp_path / "geography.log"
    assert run(geography, "geography", {}, {}, given, log) == 1
    assert "passes params colour it does not read" in log.read_text()


# ------------------------------------------------------------------------------------------- rerun scope
@pytest.fixture
def project_copy(workflow_project, tmp_path) -> Path:
    """A copy of the session's finished project, Snakemake's records included (edit it freely)."""
    copy = tmp_path / "project"
    shutil.copytree(workflow_project, copy, symlinks=True)
    assert planned_jobs(copy) == {}
    return copy


def _edit_yaml(path: Path, change) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_editing_an_indicator_label_reruns_only_the_reports(project_copy):
    path = project_copy / "config" / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "label_fi: Lihavien osuus", "label_fi: Lihavien (BMI ≥ 30) osuus", 1), encoding="utf-8")
    assert "Lihavien (BMI ≥ 30) osuus" in path.read_text(encoding="utf-8")
    # the local pages name the indicators too
    assert planned_jobs(project_copy) == {"area_report": ["etela-savo", "mikkeli"],
                                          "local_report": ["etela-savo", "mikkeli"]}


def test_editing_an_indicator_definition_reruns_indicators_and_everything_after(project_copy):
    path = project_copy / "config" / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\n    definition: smoking == 1\n" in text
    path.write_text(text.replace("\n    definition: smoking == 1\n", "\n    definition: smoking in [1, 2]\n", 1),
                    encoding="utf-8")
    jobs = planned_jobs(project_copy)
    assert "ingest" not in jobs and "geography" not in jobs
    assert jobs["indicators"] == ["ath2012", "finsote2018", "ts2022"] and "compare" in jobs and "truth" in jobs


def test_editing_the_municipal_centres_reruns_only_the_map_report(project_copy):
    path = project_copy / "config" / "areas" / "municipality_centres.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert planned_jobs(project_copy) == {"area_report": ["etela-savo"]}  # mikkeli draws no municipality map


def test_changing_a_fieldwork_date_under_survey_time_plans_truth(project_copy):
    config = project_copy / "config" / "config.yaml"
    target = "data/processed/synthetic/truth.parquet"
    _edit_yaml(config, lambda c: c["geography"].update(membership="survey_time"))
    assert run_snakemake(project_copy, "--cores", "2", target).returncode == 0
    assert planned_jobs(project_copy, target) == {}
    _edit_yaml(config, lambda c: c["waves"]["ts2022"].update(fieldwork_date="2022-12-15"))
    assert planned_jobs(project_copy, target) == {"truth_part": ["ts2022"], "truth": [""]}  # that wave's part only


def test_every_declared_log_is_written(workflow_project):
    logs = sorted((workflow_project / "logs").rglob("*.log"))
    expected = {f"{rule}/{wave}.log" for rule in ("synthesize", "ingest", "geography", "indicators")
                for wave in ("ath2012", "finsote2018", "ts2022")} | {
        "truth.log", "estimate.log", "differences.log", "compare.log", "small_areas.log", "publish.log",
        "report/etela-savo.log", "report/mikkeli.log", "local/etela-savo.log", "local/mikkeli.log"} | {
        f"compare/{dataset}.log" for dataset in ("ath2012", "finsote2018", "ts2022", "pooled")} | {
        f"{part}/{wave}.log" for part in ("small_areas", "truth", "publish")
        for wave in ("ath2012", "finsote2018", "ts2022")}
    assert {str(p.relative_to(workflow_project / "logs")) for p in logs} == expected
    empty = [p for p in logs if p.stat().st_size == 0]
    assert not empty, empty
    assert "finished in" in (workflow_project / "logs" / "estimate.log").read_text(encoding="utf-8")



def test_a_stage_given_a_wave_without_a_domain_column_says_which(config, tmp_path):
    from .configured import area_files, run

    frame = __import__("pandas").DataFrame({"weight": [1.0, 2.0], "stratum": ["a", "a"], "in_region": [True, True],
                                            "municipality": ["491", "491"], "sex": [1.0, 2.0]})
    path = tmp_path / "ts2022.parquet"
    frame.to_parquet(path)
    cfg = {**config, "waves": {"ts2022": config["waves"]["ts2022"]}}
    log = tmp_path / "estimate.log"
    outputs = {"parquet": str(tmp_path / "e.parquet"), "csv": str(tmp_path / "e.csv")}
    code = run(estimate, "estimate", {"waves": [str(path)], "areas": area_files(cfg), "variables": cfg["variables"]},
               outputs, params(cfg, "estimate"), log)
    assert code == 1
    text = log.read_text(encoding="utf-8")
    assert "wave 'ts2022': estimate.domains needs column(s)" in text and "education" in text
    assert "map age, education, municipality_code, postal_code in the wave" in text and "Traceback" not in text
    assert not (tmp_path / "e.parquet").exists() and not (tmp_path / "e.csv").exists()


# stages whose jobs fit no statsmodels model and run no scipy.stats test: loading either costs a second per job
LIGHT_STAGES = ("ingest", "geography", "indicators", "truth", "estimate", "compare", "publish", "gather",
                "differences")


@pytest.mark.parametrize("stage", LIGHT_STAGES)
def test_a_light_stage_loads_neither_statsmodels_nor_scipy_stats(stage):
    code = (f"import sys\nimport ath_analysis.stages.{stage}\n"
            "heavy = sorted(m for m in ('statsmodels', 'scipy.stats', 'scipy.optimize') if m in sys.modules)\n"
            "assert not heavy, heavy\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-400:]
