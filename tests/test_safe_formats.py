"""Text that a spreadsheet would run as a formula (labels from config or data) is written as text."""

from __future__ import annotations

import csv

import pandas as pd

from ath_analysis.results.io import is_formula_like, neutralize_text, write_table

PLANTED = ['=HYPERLINK("http://x.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tx", "\rx"]


def test_planted_labels_become_text_in_the_csv(tmp_path):
    table = pd.DataFrame({"domain_label": [*PLANTED, "Mikkeli"], "estimate": [-0.5] * 7,
                          "code": pd.Series(["=1", "2", "3", "4", "5", "6", "7"], dtype="string")})
    write_table(table, tmp_path / "t.parquet", tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    written = pd.DataFrame(rows[1:], columns=rows[0])
    assert len(written) == 7
    assert not any(is_formula_like(v) for v in written["domain_label"])
    assert written["domain_label"].iloc[0] == "'" + PLANTED[0] and written["domain_label"].iloc[-1] == "Mikkeli"
    assert written["code"].iloc[0] == "'=1"
    assert (pd.to_numeric(written["estimate"]) == -0.5).all()  # numbers stay numbers, negatives included
    assert written["domain_label"].iloc[5] == " x"  # a carriage return would end the row in a reader
    # the machine table keeps the values as they are
    assert pd.read_parquet(tmp_path / "t.parquet")["domain_label"].tolist()[:6] == PLANTED


def test_neutralize_leaves_ordinary_text_alone():
    table = pd.DataFrame({"label": ["Etelä-Savo", "Kangasniemi", None], "n": [1, 2, 3]})
    pd.testing.assert_frame_equal(neutralize_text(table), table)
