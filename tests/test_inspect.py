"""`ath-analysis inspect` tells the truth: nothing cut silently, dates as dates, strict JSON, a quiet end on a
closed pipe, and a message (exit 1) for files it cannot read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ath_analysis.cli import main
from ath_analysis.inspect import MAX_OCCURRING_SHOWN, MAX_UNUSED_SHOWN, describe_sav, format_description

from .savfiles import crash_sav


def _strict(text: str):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def odd_file(tmp_path_factory) -> Path:
    """Codes that occur and labelled ones that do not, more of both than the text shows; a variable that is
    all missing; a date with a labelled user-missing code; a ranged user-missing code with labels."""
    rng = np.random.default_rng(5)
    n = 300
    many = rng.integers(1, 61, n).astype(float)  # 60 codes occur
    frame = pd.DataFrame({
        "many": many,
        "empty": np.full(n, np.nan),
        "when": np.where(np.arange(n) % 10 == 0, 0.0, 13.0e9 + 86400.0 * rng.integers(0, 400, n)),
        "q": np.where(np.arange(n) % 7 == 0, 88.0, rng.integers(1, 6, n).astype(float)),
    })
    path = tmp_path_factory.mktemp("odd") / "odd.sav"
    pyreadstat.write_sav(
        frame, str(path),
        column_labels=["Many codes", "Nothing here", "Vastauspäivä", "Kysymys"],
        variable_value_labels={
            "many": {float(k): f"code {k}" for k in range(1, 101)},  # 100 labelled, 60 occur
            "when": {0.0: "Ei tiedossa"},
            "q": {1.0: "Yes", 2.0: "No", 77.0: "Refusal", 88.0: "Don't know", 99.0: "No answer"},
        },
        missing_ranges={"when": [0.0], "q": [{"lo": 66.0, "hi": 99.0}]},
        variable_format={"when": "ADATE10"},
    )
    return path


def test_codes_that_occur_come_first_and_nothing_is_cut_silently(odd_file):
    description = describe_sav(odd_file)
    many = next(v for v in description["variables"] if v["name"] == "many")
    assert many["n_codes_occurring"] == 60 and many["n_labelled_unused"] == 40
    occurring, unused = many["codes"][:60], many["codes"][60:]
    assert [c["code"] for c in occurring] == list(range(1, 61)) and all(c["n"] > 0 for c in occurring)
    assert sum(c["n"] for c in occurring) == description["rows"]
    assert [c["code"] for c in unused] == list(range(61, 101)) and all(c["n"] == 0 for c in unused)
    text = format_description(description)
    assert f"… {60 - MAX_OCCURRING_SHOWN} more codes that occur (--json lists all)" in text
    assert f"… {40 - MAX_UNUSED_SHOWN} more labelled codes that do not occur (--json lists all)" in text


def test_ranged_user_missing_codes_are_itemized_and_marked(odd_file):
    description = describe_sav(odd_file)
    q = next(v for v in description["variables"] if v["name"] == "q")
    (missing,) = q["user_missing_codes"]
    assert missing["code"] == "66–99" and missing["n"] == 43  # every 7th of 300
    assert missing["labels"] == [{"code": 77, "label": "Refusal", "n": 0}, {"code": 88, "label": "Don't know", "n": 43},
                                 {"code": 99, "label": "No answer", "n": 0}]
    marked = {c["code"]: c.get("missing", False) for c in q["codes"]}
    assert marked[88] and marked[77] and not marked[1]
    assert "user-missing 66–99: 43 (77 Refusal: 0; 88 Don't know: 43; 99 No answer: 0)" in format_description(
        description)


def test_dates_are_dates_even_with_a_value_label(odd_file):
    """A date variable with a labelled code used to give a traceback; dates used to show as [string]."""
    description = describe_sav(odd_file)
    when = next(v for v in description["variables"] if v["name"] == "when")
    assert when["type"] == "date" and when["format"] == "ADATE10"
    seconds = 13.0e9 + 86400.0 * np.arange(400)
    first = (np.datetime64("1582-10-14") + int(seconds[0] // 86400)).astype(str)
    assert when["dates"]["min"] >= first and when["dates"]["max"] <= "1995-10-31"
    assert when["n_user_missing"] == 30 and when["user_missing_codes"][0]["label"] == "Ei tiedossa"
    assert when["codes"] == [{"code": 0, "label": "Ei tiedossa", "n": 30, "missing": True}]
    text = format_description(description)
    assert "when  [date]  Vastauspäivä\n    format ADATE10; valid 270, user-missing 30" in text
    assert f"dates {when['dates']['min']} … " in text


def test_json_is_strict_without_nan(odd_file, capsys):
    assert main(["inspect", "--json", str(odd_file)]) == 0
    description = _strict(capsys.readouterr().out)
    empty = next(v for v in description["variables"] if v["name"] == "empty")
    assert empty["n_valid"] == 0 and empty["n_system_missing"] == 300 and "summary" not in empty


def test_closed_pipe_ends_quietly(odd_file):
    script = shutil.which("ath-analysis", path=str(Path(sys.executable).parent))
    assert script
    done = subprocess.run(f"'{script}' inspect '{odd_file}' | head -n 2", shell=True, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 2
    assert done.stderr == ""


def test_a_crashing_file_is_a_message_with_exit_1(synthetic_dir, tmp_path, capsys):
    bad = crash_sav(synthetic_dir / "ts2022.sav", tmp_path / "crash.sav")
    assert main(["inspect", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err == f"ath-analysis: error: cannot read {bad}: the SPSS reader crashed on it (signal SIGSEGV; damaged " \
                  "file?)\n"


def test_unknown_encoding_name_is_refused(odd_file, capsys):
    assert main(["inspect", "--encoding", "klingon-8", str(odd_file)]) == 1
    assert "unknown encoding 'klingon-8'" in capsys.readouterr().err
