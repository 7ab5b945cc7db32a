"""The scattered publication gate: one audit per wave (rule publish_part) gathered by rule publish.

The waves' decision files, gathered, must give exactly what `publication_gate` decides in one go, and the
stage must write the same files both ways; a decision file made on other tables is refused by name.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ath_analysis.config import load_config
from ath_analysis.disclosure.published import (
    combine,
    decision_record,
    publication_gate,
    read_decision,
    wave_gate,
)
from ath_analysis.errors import ConfigError
from ath_analysis.stages import publish

from .conftest import ROOT
from .test_disclosure_linked_gate import WAVE, YEAR, stages  # noqa: F401  (the fixture)

TWIN = "ts2022b"  # the same respondents under a second wave name: a second, independent audit
LOG = logging.getLogger("test_publish_scatter")
OUTPUTS = ("estimates_parquet", "estimates_csv", "comparisons_parquet", "comparisons_csv", "small_areas_parquet",
           "small_areas_csv", "audit")


def _twice(table: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([table, table.assign(wave=TWIN)], ignore_index=True)


@pytest.fixture(scope="module")
def two_waves(stages):  # noqa: F811
    """Two waves' tables, with pooled model rows (one of them small) that only the gather suppresses."""
    waves, estimates, models, small, settings = stages
    pooled = models[models["wave"] == WAVE].head(4).assign(wave="pooled", n=[10, 40, 50, 60])
    return ({WAVE: waves[WAVE], TWIN: waves[WAVE]}, _twice(estimates),
            pd.concat([_twice(models), pooled], ignore_index=True), _twice(small), settings)


def test_gathered_decisions_equal_the_gate_in_one_go(two_waves, tmp_path):
    waves, estimates, models, small, settings = two_waves
    one = publication_gate(waves, estimates, models, small, settings)
    decisions = []
    for wave, frame in waves.items():
        path = tmp_path / f"publication_{wave}.json"
        record = decision_record(wave_gate(wave, frame, estimates, models, small, settings), estimates, models, small)
        path.write_text(json.dumps(record, default=str), encoding="utf-8")
        decisions.append(read_decision(json.loads(path.read_text(encoding="utf-8")), path, wave, estimates, models,
                                       small))
    gathered = combine(estimates, models, small, decisions, settings.min_n)
    assert set(gathered.primary) == set(one.primary) == {"estimates", "models", "small_areas"}
    for name in one.primary:
        pd.testing.assert_series_equal(gathered.primary[name], one.primary[name])
        pd.testing.assert_series_equal(gathered.secondary[name], one.secondary[name])
    assert json.dumps(gathered.summary(), default=str) == json.dumps(one.summary(), default=str)
    assert one.secondary["estimates"].sum() > 0 and one.primary["models"].sum() == 1  # the small pooled row
    half = len(estimates) // 2  # both waves withhold the same rows of their own halves
    np.testing.assert_array_equal(one.secondary["estimates"].to_numpy()[:half],
                                  one.secondary["estimates"].to_numpy()[half:])


def _files(two_waves, tmp_path: Path) -> tuple[dict, dict]:
    waves, estimates, models, small, settings = two_waves
    config = load_config(ROOT / "config" / "config.yaml")
    inputs = {"waves": [], "estimates": str(tmp_path / "estimates.parquet"),
              "comparisons": str(tmp_path / "comparisons.parquet"), "small_areas": str(tmp_path / "small.parquet")}
    for wave, frame in waves.items():
        inputs["waves"].append(str(tmp_path / f"indicators_{wave}.parquet"))
        frame.to_parquet(inputs["waves"][-1])
    estimates.to_parquet(inputs["estimates"])
    models.to_parquet(inputs["comparisons"])
    small.to_parquet(inputs["small_areas"])
    audit = {"min_n": settings.min_n, "certify": 0, "region_code": settings.region_code,
             "estimate": {k: config["estimate"][k] for k in ("domains", "standardize_by")},
             "compare": {k: config["compare"][k] for k in ("comparisons", "adjusters")},
             "small_area_sets": list(settings.small_area_sets),
             "subarea_municipality": settings.small_area_municipality}
    return inputs, audit


def _outputs(directory: Path) -> dict[str, str]:
    directory.mkdir()
    return {name: str(directory / name) for name in OUTPUTS}


def _sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_the_stage_writes_the_same_files_one_job_or_scattered(two_waves, tmp_path):
    inputs, audit = _files(two_waves, tmp_path)
    one = _outputs(tmp_path / "one")
    publish.run(inputs, one, {"waves": {WAVE: YEAR, TWIN: YEAR}, **audit}, LOG)
    parts = []
    for wave, path in zip((WAVE, TWIN), inputs["waves"], strict=True):
        parts.append(str(tmp_path / f"publication_{wave}.json"))
        publish.run_part({**inputs, "waves": [path]}, {"decision": parts[-1]}, {"wave": wave, **audit}, LOG)
    gathered = _outputs(tmp_path / "gathered")
    tables = {k: v for k, v in inputs.items() if k != "waves"}
    publish.run_gather({"parts": parts, **tables}, gathered, {"waves": [WAVE, TWIN], "min_n": audit["min_n"]}, LOG)
    for name in OUTPUTS:
        assert _sha(gathered[name]) == _sha(one[name]), name
    assert json.loads(Path(one["audit"]).read_text(encoding="utf-8"))["withheld"]["comparisons"]["primary"] == 1

    # a decision made on another table is refused, naming its file, in one line
    changed = pd.read_parquet(inputs["estimates"])
    changed.loc[changed.index[-1], "estimate"] = 0.5
    changed.to_parquet(tmp_path / "changed.parquet")
    with pytest.raises(ConfigError, match=r"publication_ts2022\.json: the decision of wave ts2022 was made on "
                                          r"another estimates table") as info:
        publish.run_gather({"parts": parts, **tables, "estimates": str(tmp_path / "changed.parquet")},
                           _outputs(tmp_path / "refused"), {"waves": [WAVE, TWIN], "min_n": audit["min_n"]}, LOG)
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match=r"publication_ts2022b\.json: not the publication decision of wave ts2022"):
        publish.run_gather({"parts": parts[::-1], **tables}, _outputs(tmp_path / "swapped"),
                           {"waves": [WAVE, TWIN], "min_n": audit["min_n"]}, LOG)
