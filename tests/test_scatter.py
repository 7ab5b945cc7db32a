"""The scattered compare and small_areas stages: their parts gather into the one-job tables, byte for byte.

The workflow runs compare as one job per data set (each wave, the waves pooled) and small_areas as one job per
wave, then gathers the parts (workflow/rules/compare.smk, small_areas.smk). Here both routes run on the
session's synthetic waves and the written files are compared by sha256; the rules' declarations are checked
from the rule files.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ath_analysis.config import load_config
from ath_analysis.errors import ConfigError
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.results.comparisons import POOLED, CompareSettings, comparison_datasets
from ath_analysis.stages import compare, gather, small_areas, truth
from ath_analysis.synth.truth import COLUMNS as TRUTH_COLUMNS

from .configured import area_files, params, write_indicator_tables
from .conftest import ROOT

WAVES = ["ath2012", "finsote2018", "ts2022"]
LOG = logging.getLogger("test_scatter")


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def tables(synthetic_dir, areas, variables, harmonization, tmp_path_factory) -> dict[str, Path]:
    """The three synthetic waves' indicator tables, as the indicators stage writes them."""
    config = load_config(ROOT / "config" / "config.yaml")
    definitions = load_indicators(ROOT / "config" / "indicators.yaml",
                                  variables=canonical_variables(ROOT / "config" / "variables.yaml"))
    return write_indicator_tables(config, WAVES, synthetic_dir, tmp_path_factory.mktemp("scatter"), areas,
                                  variables, harmonization, definitions)


def _compare_inputs(config: dict, tables: dict[str, Path]) -> dict:
    return {"waves": [str(tables[w]) for w in config["waves"]], "areas": area_files(config), "register": [],
            "subarea_table": [], "variables": config["variables"]}


def _compare_both_ways(config: dict, tables: dict[str, Path], tmp_path: Path) -> tuple[Path, Path, list[Path]]:
    """(one job's table, the gathered table, the parts) for `config`."""
    given = _compare_inputs(config, tables)
    one = tmp_path / "one.parquet"
    compare.run(given, {"table": str(one)}, params(config, "compare"), LOG)
    datasets = comparison_datasets(list(config["waves"]), CompareSettings.from_config(config["compare"]))
    parts = []
    for dataset in datasets:
        parts.append(tmp_path / f"part_{dataset}.parquet")
        compare.run_part(given, {"table": str(parts[-1])}, {**params(config, "compare"), "dataset": dataset}, LOG)
    gathered = tmp_path / "gathered.parquet"
    ids = [i["id"] for i in params(config, "compare")["indicators"]]
    gather.run_comparisons({"parts": [str(p) for p in parts]}, {"table": str(gathered)},
                       {"indicators": ids, "datasets": datasets}, LOG)
    return one, gathered, parts


def test_compare_parts_gather_into_the_one_job_table_byte_for_byte(config, tables, tmp_path):
    one, gathered, parts = _compare_both_ways(config, tables, tmp_path)
    assert [p.stem for p in parts] == [f"part_{w}" for w in [*WAVES, POOLED]]
    assert sha256(gathered) == sha256(one)
    table = pd.read_parquet(one)
    for dataset, part in zip([*WAVES, POOLED], parts, strict=True):
        rows = pd.read_parquet(part)
        assert set(rows["wave"]) == {dataset} and len(rows) == int((table["wave"] == dataset).sum())
    # the table has what makes the seam matter: suppressed levels, each-vs-rest and sub-area models
    assert table["suppressed"].any() and (table["comparison"] == "municipality").any()
    assert (table["comparison"] == "subarea_group").any()


def test_compare_without_pooling_has_a_job_per_wave_only(config, tables, tmp_path):
    config = copy.deepcopy(config)
    config["compare"]["pooled"] = False
    one, gathered, parts = _compare_both_ways(config, tables, tmp_path)
    assert len(parts) == len(WAVES) and sha256(gathered) == sha256(one)
    assert POOLED not in set(pd.read_parquet(one)["wave"])


def test_a_compare_part_of_an_unknown_data_set_or_a_misordered_gather_is_refused(config, tables, tmp_path):
    given = _compare_inputs(config, tables)
    with pytest.raises(ConfigError, match="no data set 'ts2099'"):
        compare.run_part(given, {"table": str(tmp_path / "x.parquet")},
                         {**params(config, "compare"), "dataset": "ts2099"}, LOG)
    _, _, parts = _compare_both_ways(config, tables, tmp_path)
    ids = [i["id"] for i in params(config, "compare")["indicators"]]
    with pytest.raises(ConfigError, match="part of data set 'finsote2018' holds rows of ath2012"):
        gather.run_comparisons({"parts": [str(p) for p in parts]}, {"table": str(tmp_path / "g.parquet")},
                           {"indicators": ids, "datasets": ["finsote2018", "ath2012", "ts2022", POOLED]}, LOG)


def _small_area_inputs(config: dict, tables: dict[str, Path], synthetic_dir: Path, waves: list[str]) -> dict:
    covariates = ([str(synthetic_dir / f"population_{w}.parquet") for w in waves] if config["data"]["synthetic"]
                  else [config["small_areas"]["covariate_file"]])
    return {"waves": [str(tables[w]) for w in waves], "covariates": covariates,
            "areas": area_files(config), "register": [], "subarea_table": [], "variables": config["variables"]}


def _outputs(folder: Path, name: str) -> dict[str, str]:
    return {"internal": str(folder / f"{name}.parquet"), "publishable": str(folder / f"{name}_pub.parquet"),
            "audit": str(folder / f"{name}.json")}


@pytest.mark.parametrize("covariates", ["synthetic population", "covariate file"])
def test_small_area_parts_gather_into_the_one_job_tables_and_audit_byte_for_byte(config, tables, synthetic_dir,
                                                                                 tmp_path, covariates):
    if covariates == "covariate file":  # real data's route: a filled covariate file (the real-data test config's)
        config = copy.deepcopy(config)
        config["data"]["synthetic"] = False
        config["small_areas"]["covariate_file"] = str(ROOT / ".test" / "config_real" / "config" /
                                                      "subarea_covariates.csv")
    # two waves lack an indicator's answers, so the audit has warnings of several waves, whose order counts
    blanked = {}
    for wave, indicator in (("ath2012", "loneliness"), ("ts2022", "daily_smoking"), ("ts2022", "obesity")):
        frame = pd.read_parquet(blanked.get(wave, tables[wave]))
        frame[indicator] = np.nan
        blanked[wave] = tmp_path / f"{wave}_blanked.parquet"
        frame.to_parquet(blanked[wave], index=False)
    waves = {**tables, **blanked}
    one = _outputs(tmp_path, "one")
    small_areas.run(_small_area_inputs(config, waves, synthetic_dir, WAVES), one, params(config, "small_areas"), LOG)
    everything = params(config, "small_areas")
    parts = []
    for wave in WAVES:
        parts.append(_outputs(tmp_path, f"part_{wave}"))
        given = {**everything, "waves": {wave: everything["waves"][wave]},
                 "fieldwork_dates": {w: d for w, d in everything["fieldwork_dates"].items() if w == wave}}
        small_areas.run(_small_area_inputs(config, waves, synthetic_dir, [wave]), parts[-1], given, LOG)
    gathered = _outputs(tmp_path, "gathered")
    gather.run_small_areas({"internal": [p["internal"] for p in parts],
                            "publishable": [p["publishable"] for p in parts],
                            "audits": [p["audit"] for p in parts]}, gathered, {"waves": WAVES}, LOG)
    for name in ("internal", "publishable", "audit"):
        assert sha256(gathered[name]) == sha256(one[name]), name
    warnings = json.loads(Path(one["audit"]).read_text(encoding="utf-8"))["warnings"]
    assert [w.split("'")[1] for w in warnings] == ["ath2012", "ts2022", "ts2022"]
    table = pd.read_parquet(one["internal"])
    assert set(table["wave"]) == set(WAVES) and len(table) > 500


def test_a_small_area_gather_of_parts_with_other_indicators_is_refused(config, tables, synthetic_dir, tmp_path):
    everything = params(config, "small_areas")
    parts = []
    for wave, ids in (("ath2012", ["obesity"]), ("ts2022", ["obesity", "daily_smoking"])):
        parts.append(_outputs(tmp_path, wave))
        given = {**everything, "waves": {wave: everything["waves"][wave]},
                 "fieldwork_dates": {wave: everything["fieldwork_dates"][wave]},
                 "small_areas": {**everything["small_areas"], "indicators": ids}}
        small_areas.run(_small_area_inputs(config, tables, synthetic_dir, [wave]), parts[-1], given, LOG)
    with pytest.raises(ConfigError, match="indicators or area sets differ"):
        gather.run_small_areas({key: [p[k] for p in parts] for key, k in
                                (("internal", "internal"), ("publishable", "publishable"), ("audits", "audit"))},
                               _outputs(tmp_path, "g"), {"waves": ["ath2012", "ts2022"]}, LOG)



def _truth_inputs(config: dict, synthetic_dir: Path, waves: list[str]) -> dict:
    return {"populations": [str(synthetic_dir / f"population_{w}.parquet") for w in waves],
            "nationals": [str(synthetic_dir / f"national_{w}.parquet") for w in waves],
            "areas": area_files(config), "register": [], "subarea_table": [], "variables": config["variables"]}


def test_truth_parts_gather_into_the_one_job_table_byte_for_byte(config, synthetic_dir, tmp_path, monkeypatch):
    # a small Monte Carlo of the counties keeps the test fast; both routes use it
    monkeypatch.setattr(truth, "population_truth", functools.partial(truth.population_truth, mc_adults=2000))
    one = tmp_path / "one.parquet"
    truth.run(_truth_inputs(config, synthetic_dir, WAVES), {"table": str(one)}, params(config, "truth"), LOG)
    parts = []
    for wave in WAVES:
        given = _truth_inputs(config, synthetic_dir, [wave])
        parts.append(tmp_path / f"truth_{wave}.parquet")
        truth.run_part({**given, "population": given["populations"][0], "national": given["nationals"][0]},
                       {"table": str(parts[-1])}, params(config, "truth_part", wave=wave), LOG)
    gathered = tmp_path / "gathered.parquet"
    gather.run_truth({"parts": [str(p) for p in parts]}, {"table": str(gathered)}, {"waves": WAVES}, LOG)
    assert sha256(gathered) == sha256(one)
    table = pd.read_parquet(one)
    assert list(table["wave"].unique()) == WAVES and set(table["domain"]) >= {"region", "country", "hyvinvointialue"}
    assert gather.TRUTH_COLUMNS == TRUTH_COLUMNS


def test_a_truth_gather_of_a_part_of_another_wave_or_other_columns_is_refused(tmp_path):
    parts = []
    for wave in ("ath2012", "ts2022"):
        parts.append(tmp_path / f"truth_{wave}.parquet")
        pd.DataFrame({"wave": [wave], "indicator": ["obesity"], "domain": ["region"], "domain_value": ["all"],
                      "value": [0.2], "population": [1000]}).to_parquet(parts[-1], index=False)
    given = {"parts": [str(p) for p in parts]}
    with pytest.raises(ConfigError, match=r"truth_ts2022.parquet: a truth part of wave 'ath2012' holds rows of ts2022 "
                                          r"\(rerun the truth_part jobs\)$"):
        gather.run_truth({"parts": given["parts"][::-1]}, {"table": str(tmp_path / "g.parquet")},
                         {"waves": ["ath2012", "ts2022"]}, LOG)
    with pytest.raises(ConfigError, match="truth: 2 parts for 3 waves"):
        gather.run_truth(given, {"table": str(tmp_path / "g.parquet")}, {"waves": [*WAVES]}, LOG)
    pd.read_parquet(parts[1]).drop(columns="population").to_parquet(parts[1], index=False)
    with pytest.raises(ConfigError, match=r"truth_ts2022.parquet: a truth part of wave 'ts2022' has columns "):
        gather.run_truth(given, {"table": str(tmp_path / "g.parquet")}, {"waves": ["ath2012", "ts2022"]}, LOG)
    assert not (tmp_path / "g.parquet").exists()


# ------------------------------------------------------------------------------------------ the rule files
SCATTERED_RULE_FILES = ("compare.smk", "small_areas.smk", "estimate.smk", "publish.smk")


def _rule_blocks(text: str) -> dict[str, str]:
    blocks = re.split(r"\n(?=rule \w+:)", text)
    return {m.group(1): block for block in blocks if (m := re.match(r"rule (\w+):", block))}


@pytest.mark.parametrize("name", SCATTERED_RULE_FILES)
def test_every_rule_declares_threads_memory_and_runtime(name):
    blocks = _rule_blocks((ROOT / "workflow" / "rules" / name).read_text(encoding="utf-8"))
    assert blocks
    for rule, block in blocks.items():
        assert re.search(r"\n    threads: \d+\n", block), rule
        assert re.search(r"\n    resources:\n        mem_mb=\d+,\n        runtime=\d+,\n", block), rule


def test_the_parts_are_wildcard_jobs_and_the_gathers_keep_the_tables_names():
    compare_rules = _rule_blocks((ROOT / "workflow" / "rules" / "compare.smk").read_text(encoding="utf-8"))
    small_rules = _rule_blocks((ROOT / "workflow" / "rules" / "small_areas.smk").read_text(encoding="utf-8"))
    assert "{dataset}" in compare_rules["compare_part"] and "{wave}" in small_rules["small_areas_part"]
    assert 'RESULTS / "comparisons.parquet"' in compare_rules["compare"]
    assert 'RESULTS / "small_areas.parquet"' in small_rules["small_areas"]
    synthetic = (ROOT / "workflow" / "rules" / "synthetic.smk").read_text(encoding="utf-8")
    truth_part = synthetic.split("    rule truth_part:")[1].split("    rule truth:")[0]
    assert '"truth_{wave}.parquet"' in truth_part and '"logs/truth/{wave}.log"' in truth_part
    assert 'table=SYNTHETIC_DERIVED / "truth.parquet"' in synthetic.split("    rule truth:")[1]
