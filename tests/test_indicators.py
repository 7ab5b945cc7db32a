"""config/indicators.yaml: the shipped THL indicators give hand-computed values; bad files give clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
import yaml

from ath_analysis.errors import ConfigError
from ath_analysis.indicators import (
    Indicator,
    canonical_variables,
    check_indicators,
    compute_indicators,
    load_indicators,
)
from ath_analysis.indicators.definitions import SCHEMA_PATH

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = ROOT / "config" / "indicators.yaml"
NAN = np.nan

EXPECTED_IDS = {
    "srh_average_or_worse",
    "psychological_distress",
    "loneliness",
    "obesity",
    "daily_smoking",
    "alcohol_overuse",
    "no_leisure_physical_activity",
    "good_quality_of_life",
    "activity_limitation",
    "expenses_difficult",
    "unmet_need_doctor",
    "vegetables_fruit_daily",
    "area_safety_satisfied",
    "mhi5_mean",
}


@pytest.fixture(scope="module")
def known() -> dict[str, str]:
    return canonical_variables(ROOT / "config" / "variables.yaml")


@pytest.fixture(scope="module")
def shipped(known) -> dict[str, Indicator]:
    return {indicator.id: indicator for indicator in load_indicators(INDICATORS, variables=known)}


def assert_same(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_array_equal(np.asarray(actual, dtype=float), np.array(expected, dtype=float))


# --- the shipped file ------------------------------------------------------------------------------------------


def test_schema_is_a_valid_json_schema():
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


def test_canonical_variables_include_derived_age_group(known):
    assert {"age", "sex", "education", "age_group", "srh", "mhi5", "weight_kg"} <= set(known)
    assert known["municipality_code"] == "code"


def test_shipped_file_loads_with_all_indicators(shipped):
    assert len(shipped) >= 13
    assert EXPECTED_IDS <= set(shipped)
    assert any(indicator.kind == "mean" for indicator in shipped.values())


def test_shipped_indicators_are_complete(shipped):
    for indicator in shipped.values():
        assert indicator.label_fi and indicator.label_en and indicator.source, indicator.id
        assert indicator.group and indicator.group_en, indicator.id
        for text in (indicator.interpretation_fi, indicator.interpretation_en):
            sentences = re.findall(r"[.!?](?:\s|$)", text)
            assert 2 <= len(sentences) <= 4, (indicator.id, text)
        if indicator.kind == "proportion":
            assert indicator.definition.is_condition, indicator.id
            assert indicator.label_fi.endswith("(%)"), indicator.id


def test_shipped_direction_and_standardization(shipped):
    assert shipped["srh_average_or_worse"].standardize is True
    assert shipped["srh_average_or_worse"].higher_is_better is False
    better_when_higher = {i.id for i in shipped.values() if i.higher_is_better}
    assert {"good_quality_of_life", "vegetables_fruit_daily", "area_safety_satisfied", "mhi5_mean"} <= (
        better_when_higher
    )
    assert not {"psychological_distress", "obesity", "daily_smoking", "loneliness"} & better_when_higher


# --- each shipped indicator on a hand-made frame ---------------------------------------------------------------


def compute(indicator: Indicator, columns: dict[str, list[float]]) -> np.ndarray:
    return indicator.compute(pd.DataFrame({k: pd.Series(v, dtype=float) for k, v in columns.items()}))


def test_self_rated_health(shipped):
    result = compute(shipped["srh_average_or_worse"], {"srh": [1, 2, 3, 4, 5, NAN]})
    assert_same(result, [0, 0, 1, 1, 1, NAN])


# MHI-5 rows: item scores are v-1 for mhi1, mhi2, mhi4 and 6-v for mhi3, mhi5; score = mean x 20
MHI = {
    #        52    56    45(4 items)  2 missing   100   85 (4 items)
    "mhi1": [3, 3, 3, 3, 6, 6],
    "mhi2": [3, 3, 3, 3, 6, 6],
    "mhi3": [3, 3, 3, 3, 1, 1],
    "mhi4": [3, 3, 3, NAN, 6, NAN],
    "mhi5": [2, 1, NAN, NAN, 1, 4],
}


def test_psychological_distress_mhi5(shipped):
    # 52 is the last distressed score; one missing item is scaled, two missing items give no score
    assert_same(compute(shipped["psychological_distress"], MHI), [1, 0, 1, NAN, 0, 0])


def test_mhi5_mean_score(shipped):
    assert_same(compute(shipped["mhi5_mean"], MHI), [52, 56, 45, NAN, 100, 85])


def test_loneliness(shipped):
    assert_same(compute(shipped["loneliness"], {"loneliness": [1, 2, 3, 4, 5, NAN]}), [0, 0, 0, 1, 1, NAN])


def test_obesity_bmi_boundary(shipped):
    columns = {
        # BMI:      30.0   30.0   30.0   29.96  31.25  missing  missing
        "height_cm": [200, 150, 160, 160, 160, NAN, 170],
        "weight_kg": [120, 67.5, 76.8, 76.7, 80, 80, NAN],
    }
    assert_same(compute(shipped["obesity"], columns), [1, 1, 1, 0, 1, NAN, NAN])
    bmi = compute(shipped["bmi_mean"], columns)
    np.testing.assert_allclose(bmi[:5], [30, 30, 30, 76.7 / 2.56, 31.25])
    assert np.isnan(bmi[5:]).all()


def test_daily_smoking(shipped):
    assert_same(compute(shipped["daily_smoking"], {"smoking": [1, 2, 3, NAN]}), [1, 0, 0, NAN])


def test_alcohol_overuse_audit_c_limits_by_sex_and_age(shipped):
    rows = [
        # age, sex, audit1, audit2, audit3, expected
        (64, 1, 2, 2, 2, 1),  # man 20-64: 6 is over the limit
        (64, 1, 2, 2, 1, 0),  # man 20-64: 5 is not
        (64, 2, 2, 2, 1, 1),  # woman 20-64: 5 is over
        (64, 2, 2, 1, 1, 0),  # woman 20-64: 4 is not
        (65, 1, 2, 1, 1, 1),  # 65+: 4 is over, for men ...
        (65, 2, 2, 1, 1, 1),  # ... and women
        (65, 1, 1, 1, 1, 0),  # 65+: 3 is not
        (20, 2, 3, 1, 1, 1),  # the youngest age group
        (19, 1, 4, 4, 4, NAN),  # under 20: outside the population
        (40, 1, 4, 4, NAN, NAN),  # an item missing: no score
        (40, NAN, 3, 2, 2, NAN),  # sex unknown, 7: over one limit but not the other
        (40, NAN, 1, 1, 1, 0),  # sex unknown, 3: under both limits
        (70, NAN, 2, 1, 1, 1),  # sex unknown, 65+: one limit
        (NAN, 1, 0, 0, 0, NAN),  # age unknown
    ]
    age, sex, a1, a2, a3, expected = (list(column) for column in zip(*rows, strict=True))
    result = compute(shipped["alcohol_overuse"], {"age": age, "sex": sex, "audit1": a1, "audit2": a2, "audit3": a3})
    assert_same(result, expected)


def test_no_leisure_physical_activity(shipped):
    assert_same(compute(shipped["no_leisure_physical_activity"], {"ltpa": [1, 2, 3, NAN]}), [1, 0, 0, NAN])


def test_good_quality_of_life_eurohis(shipped):
    rows = [
        ([4, 4, 4, 4, 4, 4, 4, 4], 1),  # mean 4.0
        ([5, 4, 4, 4, 4, 4, 3, NAN], 1),  # 7 answered, mean 28/7 = 4.0
        ([4, 4, 4, 4, 4, 4, 3, NAN], 0),  # 7 answered, mean 27/7 < 4
        ([5, 5, 5, 5, 5, 5, NAN, NAN], NAN),  # only 6 answered
        ([3, 3, 3, 3, 3, 3, 3, 5], 0),  # mean 3.25
    ]
    columns = {f"qol{i + 1}": [row[0][i] for row in rows] for i in range(8)}
    assert_same(compute(shipped["good_quality_of_life"], columns), [row[1] for row in rows])


def test_activity_limitation_gali(shipped):
    assert_same(compute(shipped["activity_limitation"], {"gali": [1, 2, 3, NAN]}), [1, 1, 0, NAN])


def test_expenses_difficult(shipped):
    result = compute(shipped["expenses_difficult"], {"expenses": [1, 2, 3, 4, 5, 6, NAN]})
    assert_same(result, [1, 1, 0, 0, 0, 0, NAN])


def test_unmet_need_denominator_is_those_who_needed_services(shipped):
    result = compute(shipped["unmet_need_doctor"], {"unmet_need": [1, 2, 3, NAN]})
    assert_same(result, [NAN, 0, 1, NAN])


def test_vegetables_and_fruit_daily(shipped):
    columns = {"vegetables": [4, 5, 4, 3, 4, NAN, 2], "fruit": [4, 5, 3, 4, NAN, NAN, NAN]}
    # (3, missing) would be 'false' by logic alone, but it is left out: not all items answered
    assert_same(compute(shipped["vegetables_fruit_daily"], columns), [1, 1, 0, 0, NAN, NAN, NAN])


def test_area_safety_satisfied(shipped):
    result = compute(shipped["area_safety_satisfied"], {"area_safety": [1, 2, 3, 4, 5, NAN]})
    assert_same(result, [1, 1, 0, 0, 0, NAN])


def test_compute_indicators_gives_one_float_column_per_indicator(shipped):
    frame = pd.DataFrame(
        {"srh": [1, 4, None], "smoking": [1, 3, 2], "unmet_need": [1, 3, 2]},
        index=pd.Index([10, 20, 30], name="respondent"),
    )
    chosen = [shipped["srh_average_or_worse"], shipped["daily_smoking"], shipped["unmet_need_doctor"]]
    result = compute_indicators(frame, chosen)
    assert list(result.columns) == ["srh_average_or_worse", "daily_smoking", "unmet_need_doctor"]
    assert result.index.equals(frame.index)
    assert (result.dtypes == np.float64).all()
    assert_same(result["srh_average_or_worse"], [0, 1, NAN])
    assert_same(result["daily_smoking"], [1, 0, 0])
    assert_same(result["unmet_need_doctor"], [NAN, 1, 0])


def test_all_shipped_indicators_compute_on_a_full_frame(shipped, known):
    """Every indicator runs on a frame with all canonical numeric variables and gives 0/1 for proportions."""
    rng = np.random.default_rng(1)
    columns = {name: rng.integers(1, 6, size=50).astype(float) for name in known if known[name] != "code"}
    columns.update(age=rng.integers(20, 90, size=50), sex=rng.integers(1, 3, size=50))
    columns.update(height_cm=rng.integers(150, 200, size=50), weight_kg=rng.integers(50, 120, size=50))
    result = compute_indicators(pd.DataFrame(columns), list(shipped.values()))
    assert list(result.columns) == list(shipped)
    for indicator in shipped.values():
        values = result[indicator.id].dropna()
        assert len(values) > 0, indicator.id
        if indicator.kind == "proportion":
            assert set(values) <= {0.0, 1.0}, indicator.id


# --- bad files -------------------------------------------------------------------------------------------------

GOOD = """\
indicators:
  - id: obesity
    label_fi: Lihavien osuus (%)
    label_en: Obesity (%)
    kind: proportion
    definition: weight_kg * 10000 / height_cm ** 2 >= 30
    higher_is_better: false
    interpretation_fi: Lihavien osuus. Suurempi on huonompi.
    interpretation_en: Share obese. Higher is worse.
  - id: daily_smoking
    label_fi: Päivittäin tupakoivien osuus (%)
    label_en: Smokes daily (%)
    kind: proportion
    definition: smoking == 1
    higher_is_better: false
    interpretation_fi: Tupakoivien osuus. Pienempi on parempi.
    interpretation_en: Share smoking. Lower is better.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str, known) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_indicators(path, variables=known)
    lines = str(info.value).splitlines()
    for line in lines:
        assert line.startswith(str(path)), line
    return lines


def test_good_file_loads(tmp_path, known):
    indicators = load_indicators(write(tmp_path, GOOD), variables=known)
    assert [indicator.id for indicator in indicators] == ["obesity", "daily_smoking"]
    assert indicators[0].standardize is False and indicators[0].denominator is None


def test_typo_key_is_named_with_a_close_match(tmp_path, known):
    text = GOOD.replace("higher_is_better: false", "higher_is_beter: false", 1)
    lines = problems_of(tmp_path, text, known)
    assert any(
        "indicator 'obesity', field 'higher_is_beter': unknown key (did you mean: higher_is_better?)" in line
        for line in lines
    ), lines
    assert any("indicator 'obesity', field 'higher_is_better': missing" in line for line in lines), lines


def test_wrong_type(tmp_path, known):
    lines = problems_of(tmp_path, GOOD.replace("higher_is_better: false", 'higher_is_better: "yes"', 1), known)
    assert lines == [f"{tmp_path / 'indicators.yaml'}: indicator 'obesity', field 'higher_is_better': "
                     "must be true or false, got 'yes'"]  # fmt: skip


def test_unknown_variable(tmp_path, known):
    lines = problems_of(tmp_path, GOOD.replace("definition: weight_kg *", "definition: wieght_kg *"), known)
    assert lines == [f"{tmp_path / 'indicators.yaml'}: indicator 'obesity', field 'definition': "
                     "unknown variable 'wieght_kg' (did you mean: weight_kg, weight?)"]  # fmt: skip


def test_expression_syntax_error(tmp_path, known):
    lines = problems_of(tmp_path, GOOD.replace("smoking == 1", "smoking == = 1"), known)
    assert len(lines) == 1
    assert "indicator 'daily_smoking', field 'definition': not a valid expression" in lines[0]


def test_duplicate_id(tmp_path, known):
    lines = problems_of(tmp_path, GOOD.replace("id: daily_smoking", "id: obesity"), known)
    assert len(lines) == 1
    assert "indicator 'obesity' (#2), field 'id': duplicate id (indicator #1 has it too)" in lines[0]


def test_yaml_syntax_error_names_file_and_line(tmp_path, known):
    text = GOOD.replace("kind: proportion\n    definition: smoking", "kind: [proportion\n    definition: smoking")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_indicators(path, variables=known)
    message = str(info.value)
    assert message.startswith(f"{path}:")
    line = int(message[len(str(path)) + 1 :].split(":")[0])
    assert 13 <= line <= 15  # the broken list opens on line 13
    assert "YAML syntax error" in message


def test_yaml_duplicate_key_is_reported(tmp_path, known):
    text = GOOD.replace("definition: smoking == 1\n", "definition: smoking == 1\n    definition: smoking == 2\n")
    lines = problems_of(tmp_path, text, known)
    assert lines == [f"{tmp_path / 'indicators.yaml'}:15: key 'definition' is given twice in the same block "
                     "(first on line 14); remove one"]  # fmt: skip


def test_several_problems_are_all_reported_in_one_error(tmp_path, known):
    text = (
        GOOD.replace("higher_is_better: false", 'higher_is_better: "yes"', 1)
        .replace("definition: smoking == 1", "definition: smokin == 1 and __import__('os') and smoking")
        .replace("kind: proportion\n    definition: smok", "kind: propotion\n    definition: smok")
        .replace("label_en: Smokes daily (%)", "label_en: Smokes daily (%)\n    grup: Elintavat")
    )
    lines = problems_of(tmp_path, text, known)
    assert len(lines) == 6, lines
    assert "indicator 'obesity', field 'higher_is_better'" in lines[0]
    joined = "\n".join(lines[1:])
    assert "indicator 'daily_smoking', field 'grup': unknown key (did you mean: group, group_en?)" in joined
    assert "indicator 'daily_smoking', field 'kind': must be one of: proportion, mean; got 'propotion'" in joined
    assert "field 'definition': unknown variable 'smokin' (did you mean: smoking?)" in joined
    assert "field 'definition': names with double underscores are not allowed: '__import__'" in joined
    assert "field 'definition': 'and' needs a condition" in joined


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("id: obesity", "id: Obesity-BMI"), "indicator 'Obesity-BMI', field 'id': must be snake_case"),
        (("    label_en: Obesity (%)\n", ""), "indicator 'obesity', field 'label_en': missing (required)"),
        (("label_en: Obesity (%)", "label_en: ''"), "indicator 'obesity', field 'label_en': must not be empty"),
        (("kind: proportion", "kind: mean"), "indicator 'obesity', field 'definition': a 'mean' indicator needs"),
        (("definition: smoking == 1", "definition: smoking"), "field 'definition': a 'proportion' indicator needs"),
        (("definition: smoking == 1", "definition: smoking == 1\n    denominator: smoking"),
         "indicator 'daily_smoking', field 'denominator': must be a condition"),
        (("definition: smoking == 1", "definition: [smoking == 1]"),
         "indicator 'daily_smoking', field 'definition': must be text, got a list"),
        (("higher_is_better: false\n", "higher_is_better: false\n    group: Elintavat\n"),
         "indicator 'obesity', field 'group_en': required when 'group' is given"),
        (("higher_is_better: false\n", "higher_is_better: false\n    standardize: 1\n"),
         "indicator 'obesity', field 'standardize': must be true or false, got 1"),
        (("indicators:", "indicator:"), "unknown top-level key 'indicator' (did you mean: indicators?)"),
        (("  - id: daily_smoking", "  - just text\n  - id: daily_smoking"),
         "indicator #2: must be a block of 'key: value' lines"),
    ],
)  # fmt: skip
def test_other_mistakes(tmp_path, known, change, expected):
    old, new = change
    assert old in GOOD
    lines = problems_of(tmp_path, GOOD.replace(old, new, 1), known)
    assert any(expected in line for line in lines), lines


def test_empty_file(tmp_path, known):
    lines = problems_of(tmp_path, "# nothing yet\n", known)
    assert lines == [f"{tmp_path / 'indicators.yaml'}: must be a block with an 'indicators:' list, got nothing (empty)"]


def test_missing_file(tmp_path, known):
    with pytest.raises(ConfigError, match="file not found"):
        load_indicators(tmp_path / "nope.yaml", variables=known)


def test_check_indicators_lists_problems_without_raising(known):
    raw = yaml.safe_load(GOOD)
    assert check_indicators(raw, known, "config/indicators.yaml") == []
    raw["indicators"][0]["definition"] = "wieght_kg / 2 > 1"
    raw["indicators"][1]["higher_is_beter"] = True
    problems = check_indicators(raw, known, "config/indicators.yaml")
    assert problems == [
        "config/indicators.yaml: indicator 'obesity', field 'definition': unknown variable 'wieght_kg' "
        "(did you mean: weight_kg, weight?)",
        "config/indicators.yaml: indicator 'daily_smoking', field 'higher_is_beter': unknown key "
        "(did you mean: higher_is_better?)",
    ]


def test_shipped_file_fails_without_the_variables_it_uses():
    with pytest.raises(ConfigError) as info:
        load_indicators(INDICATORS, variables=["srh"])
    message = str(info.value)
    assert "indicator 'obesity', field 'definition': unknown variable 'weight_kg'" in message
    assert "indicator 'srh_average_or_worse'" not in message
