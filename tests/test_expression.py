"""The indicator expression language: semantics on hand-made frames, safety, and robustness on any input."""

from __future__ import annotations

import builtins

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ath_analysis.errors import ConfigError, DataError
from ath_analysis.indicators.expression import MAX_LENGTH, Expression, ExpressionError, parse

NAN = np.nan
VARIABLES = ["a", "b", "c", "x", "y", "z", "weight_kg", "municipality_code"]
CODES = ["municipality_code"]


def ev(text: str, frame: pd.DataFrame) -> np.ndarray:
    return parse(text, variables=VARIABLES, code_variables=CODES).evaluate(frame)


def assert_same(actual: np.ndarray, expected: list[float]) -> None:
    """Equal values and NaN in the same places (NaN is 'missing', never 0)."""
    np.testing.assert_array_equal(actual, np.array(expected, dtype=float))


# --- three-valued logic ---------------------------------------------------------------------------------------

# a and b run over every combination of true (1), false (0) and missing
TRUTH = pd.DataFrame({"a": [1, 1, 1, 0, 0, 0, NAN, NAN, NAN], "b": [1, 0, NAN, 1, 0, NAN, 1, 0, NAN]})


def test_and_follows_kleene_logic():
    assert_same(ev("a == 1 and b == 1", TRUTH), [1, 0, NAN, 0, 0, 0, NAN, 0, NAN])


def test_or_follows_kleene_logic():
    assert_same(ev("a == 1 or b == 1", TRUTH), [1, 1, 1, 1, 0, NAN, 1, NAN, NAN])


def test_not_keeps_missing_missing():
    assert_same(ev("not a == 1", TRUTH), [0, 0, 0, 1, 1, 1, NAN, NAN, NAN])


def test_three_way_and_or():
    frame = pd.DataFrame({"a": [1, 1, 0, NAN], "b": [1, NAN, NAN, 0], "c": [1, 1, 1, 1]})
    assert_same(ev("a == 1 and b == 1 and c == 1", frame), [1, NAN, 0, 0])
    assert_same(ev("a == 0 or b == 0 or c == 0", frame), [0, NAN, 1, 1])


# --- missing values and arithmetic -----------------------------------------------------------------------------


def test_arithmetic_propagates_missing():
    frame = pd.DataFrame({"a": [1.0, NAN, 3.0], "b": [2.0, 2.0, NAN]})
    assert_same(ev("a + b", frame), [3, NAN, NAN])
    assert_same(ev("a * 2 - b / 4", frame), [1.5, NAN, NAN])
    assert_same(ev("-a", frame), [-1, NAN, -3])


def test_comparison_with_missing_is_missing_not_false():
    frame = pd.DataFrame({"a": [1.0, NAN, 3.0]})
    assert_same(ev("a > 2", frame), [0, NAN, 1])
    assert_same(ev("a != 1", frame), [0, NAN, 1])
    assert_same(ev("a == a", frame), [1, NAN, 1])


def test_division_by_zero_is_missing():
    frame = pd.DataFrame({"a": [1.0, 0.0, -2.0], "b": [0.0, 0.0, 4.0]})
    assert_same(ev("a / b", frame), [NAN, NAN, -0.5])
    assert_same(ev("b ** -1", frame), [NAN, NAN, 0.25])


def test_power_with_constant_exponent():
    frame = pd.DataFrame({"a": [2.0, -3.0, NAN]})
    assert_same(ev("a ** 2", frame), [4, 9, NAN])
    assert_same(ev("(a + 2) ** 0.5", frame), [2, NAN, NAN])  # sqrt of a negative number has no value


def test_chained_comparison():
    frame = pd.DataFrame({"age": [19, 20, 64, 65, NAN]})
    result = parse("20 <= age <= 64", variables=["age"]).evaluate(frame)
    assert_same(result, [0, 1, 1, 0, NAN])


# --- functions ---------------------------------------------------------------------------------------------------

ITEMS = pd.DataFrame({"a": [1, 1, 1, NAN, NAN], "b": [2, 2, NAN, NAN, NAN], "c": [3, NAN, NAN, NAN, 6]})


def test_sum_and_mean_need_all_items_by_default():
    assert_same(ev("sum([a, b, c])", ITEMS), [6, NAN, NAN, NAN, NAN])
    assert_same(ev("mean([a, b, c])", ITEMS), [2, NAN, NAN, NAN, NAN])


def test_sum_and_mean_with_min_answered():
    # sum is of the answered items only (no rescaling); mean divides by the number answered
    assert_same(ev("sum([a, b, c], min=2)", ITEMS), [6, 3, NAN, NAN, NAN])
    assert_same(ev("mean([a, b, c], min=2)", ITEMS), [2, 1.5, NAN, NAN, NAN])
    assert_same(ev("mean([a, b, c], min=1)", ITEMS), [2, 1.5, 1, NAN, 6])


def test_count_counts_answered_items_and_is_never_missing():
    assert_same(ev("count([a, b, c])", ITEMS), [3, 2, 1, 0, 1])


def test_items_can_be_expressions():
    frame = pd.DataFrame({"a": [1.0, 6.0], "b": [6.0, NAN]})
    assert_same(ev("mean([a - 1, 6 - b], min=1) * 20", frame), [0, 100])


def test_between_is_inclusive_and_missing_aware():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, NAN]})
    assert_same(ev("between(a, 2, 4)", frame), [0, 1, 1, 1, 0, NAN])


def test_in_and_not_in_lists():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, -1.0, NAN]})
    assert_same(ev("a in [2, 3]", frame), [0, 1, 1, 0, NAN])
    assert_same(ev("a not in [2, 3]", frame), [1, 0, 0, 1, NAN])
    assert_same(ev("a in (-1, 1)", frame), [1, 0, 0, 1, NAN])


def test_min_max_abs():
    frame = pd.DataFrame({"a": [1.0, 5.0, NAN], "b": [3.0, -7.0, 1.0]})
    assert_same(ev("min(a, b)", frame), [1, -7, NAN])
    assert_same(ev("max(a, b, 2)", frame), [3, 5, NAN])
    assert_same(ev("abs(b)", frame), [3, 7, 1])


def test_if_else_picks_branch_and_missing_condition_is_missing():
    frame = pd.DataFrame({"a": [1, 0, NAN, 1], "b": [10.0, 10.0, 10.0, NAN], "c": [20.0, 20.0, 20.0, 20.0]})
    assert_same(ev("if_else(a == 1, b, c)", frame), [10, 20, NAN, NAN])
    assert parse("if_else(a == 1, b > 1, c > 1)", variables=VARIABLES).is_condition
    assert not parse("if_else(a == 1, b, c)", variables=VARIABLES).is_condition


def test_conditions_count_as_numbers():
    frame = pd.DataFrame({"a": [1, 2, NAN], "b": [1, 1, 1]})
    assert_same(ev("sum([a == 1, b == 1], min=1)", frame), [2, 1, 1])


def test_boolean_constants():
    frame = pd.DataFrame({"a": [1.0, NAN]})
    assert_same(ev("True and a == 1", frame), [1, NAN])
    assert_same(ev("False and a == 1", frame), [0, 0])


def test_text_codes_compare_as_text():
    frame = pd.DataFrame({"municipality_code": ["491", "740", None, "049"]})
    assert_same(ev('municipality_code == "491"', frame), [1, 0, NAN, 0])
    assert_same(ev('municipality_code != "491"', frame), [0, 1, NAN, 1])
    assert_same(ev('municipality_code in ["740", "049"]', frame), [0, 1, NAN, 1])
    assert_same(ev('"491" == municipality_code', frame), [1, 0, NAN, 0])


def test_text_codes_only_with_code_variables():
    with pytest.raises(ConfigError, match="'a' has numeric codes"):
        parse('a == "1"', variables=VARIABLES, code_variables=CODES)
    with pytest.raises(ConfigError, match="'municipality_code' holds text codes"):
        parse("municipality_code == 491", variables=VARIABLES, code_variables=CODES)
    with pytest.raises(ConfigError, match="text 'x' can only be compared"):
        parse('a + "x"', variables=VARIABLES, code_variables=CODES)
    with pytest.raises(ConfigError, match="only be compared with == / != / in"):
        parse('municipality_code < "5"', variables=VARIABLES, code_variables=CODES)


def test_code_variables_from_a_type_mapping():
    variables = {"municipality_code": "code", "srh": "category"}
    assert parse('municipality_code == "491"', variables=variables).is_condition
    with pytest.raises(ConfigError, match="numeric codes"):
        parse('srh == "3"', variables=variables)


# --- columns of different dtypes ------------------------------------------------------------------------------


def test_nullable_categorical_and_bool_columns():
    frame = pd.DataFrame(
        {
            "a": pd.array([1, None, 3], dtype="Int64"),
            "b": pd.Categorical([2, 1, None]),
            "c": [True, False, True],
        }
    )
    assert_same(ev("a + b", frame), [3, NAN, NAN])
    assert_same(ev("c == 1", frame), [1, 0, 1])


def test_text_column_used_as_number_is_a_data_error():
    frame = pd.DataFrame({"a": ["x", "y"]})
    with pytest.raises(DataError, match="'a' is not numeric"):
        ev("a == 1", frame)


def test_missing_column_is_a_data_error():
    with pytest.raises(DataError, match="variable 'b' .* is not in the data"):
        ev("b == 1", pd.DataFrame({"a": [1]}))


def test_result_is_a_fresh_float_array():
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    result = ev("a", frame)
    result[0] = 99
    assert frame["a"].tolist() == [1.0, 2.0]
    assert result.dtype == np.float64
    assert_same(ev("3", frame), [3, 3])


def test_variables_and_kind():
    expression = parse("mean([x, y], min=1) > 2 or z == 1 or x < 0", variables=VARIABLES)
    assert isinstance(expression, Expression)
    assert expression.variables == ("x", "y", "z")
    assert expression.is_condition and expression.kind == "condition"
    assert parse("x * 2", variables=VARIABLES).kind == "number"


def test_multiline_text_is_accepted():
    frame = pd.DataFrame({"a": [1.0], "b": [2.0]})
    assert_same(ev("a == 1\n  and b == 2", frame), [1])


# --- errors ------------------------------------------------------------------------------------------------------


def test_unknown_variable_names_it_and_close_matches():
    with pytest.raises(ConfigError) as info:
        parse("wieght_kg > 100", variables=VARIABLES)
    assert "unknown variable 'wieght_kg'" in str(info.value)
    assert "did you mean: weight_kg?" in str(info.value)


def test_all_problems_of_one_expression_are_reported():
    with pytest.raises(ExpressionError) as info:
        parse("foo > 1 and bar > 2", variables=VARIABLES)
    assert len(info.value.problems) == 2
    assert "'foo'" in info.value.problems[0] and "'bar'" in info.value.problems[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "double underscores"),
        ("__import__('os').system('echo hacked')", "attribute access"),
        ("().__class__", "attribute access"),
        ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
        ("(x == 1)(2)", "only the functions"),
        ("open('x')", "unknown function 'open'"),
        ("exec('print(1)')", "unknown function 'exec'"),
        ("eval('1')", "unknown function 'eval'"),
        ("x.y", "attribute access"),
        ("x[0]", "indexing"),
        ("lambda: 1", "lambda is not allowed"),
        ("[v for v in x]", "comprehensions are not allowed"),
        ("sum(v for v in [x])", "comprehensions are not allowed"),
        ("f'{x}'", "f-strings are not allowed"),
        ("(x := 1)", "assignment"),
        ("__builtins__", "double underscores"),
        ("x.__dict__", "attribute access"),
        ("2 ** 99999999", "constant exponent"),
        ("x ** y", "constant exponent"),
        ("9 ** 9 ** 9", "constant exponent"),
        ("x % 2", "not allowed"),
        ("x // 2", "not allowed"),
        ("x & y", "not allowed"),
        ("~x", "unary '~'"),
        ("x if y else z", "if_else"),
        ("{1: 2}", "dictionaries"),
        ("{x}", "sets"),
        ("*x", "not a valid expression"),
        ("x is None", "'is'"),
        ("None", "not allowed"),
        ("1j", "not allowed"),
        ("1e999", "too large"),
        ("x = 1", "not a valid expression"),
        ("import os", "not a valid expression"),
        ("x and y", "needs a condition"),
        ("not x", "needs a condition"),
        ("sum", "is a function"),
        ("summ([x])", "did you mean: sum"),
        ("mean(x, y)", "one list of items"),
        ("mean([x, y], min=3)", "whole number from 1 to 2"),
        ("mean([x, y], min=x)", "whole number"),
        ("sum([x], maximum=1)", "no keyword 'maximum'"),
        ("count([x], min=1)", "no keyword 'min'"),
        ("sum(*[x])", "starred"),
        ("max(x)", "two or more values"),
        ("between(x, 1)", "takes 3 arguments"),
        ("x in y", "needs a list of constants"),
        ("x in [y, 1]", "only hold constants"),
        ("x in []", "non-empty list"),
        ("[x, y]", "a list"),
        ("x # comment", "'#' is not allowed"),
        ("", "empty"),
        ("   ", "empty"),
        ("x +", "not a valid expression"),
        ("x\x00", "not a valid expression"),
    ],
)
def test_rejected_with_a_clear_message(text: str, message: str):
    with pytest.raises(ConfigError) as info:
        parse(text, variables=VARIABLES, code_variables=CODES)
    assert message in str(info.value)


def test_too_long_and_too_deep_are_rejected_cleanly():
    with pytest.raises(ConfigError, match="too long"):
        parse(" + ".join(["x"] * (MAX_LENGTH // 4 + 10)), variables=VARIABLES)
    with pytest.raises(ConfigError, match="nested too deeply"):
        parse("-" * 1000 + "x", variables=VARIABLES)
    with pytest.raises(ConfigError, match="nested too deeply"):
        parse("abs(" * 100 + "x" + ")" * 100, variables=VARIABLES)
    with pytest.raises(ConfigError, match="not a valid expression"):
        parse("(" * 500 + "x" + ")" * 500, variables=VARIABLES)
    with pytest.raises(ConfigError, match="too complex"):
        parse(" or ".join(["x == 1"] * 200), variables=VARIABLES)


def test_non_text_is_rejected():
    with pytest.raises(ConfigError, match="must be text"):
        parse(42, variables=VARIABLES)  # type: ignore[arg-type]


# --- nothing is executed ---------------------------------------------------------------------------------------


def test_nothing_is_executed(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """A name that would have side effects is rejected at parse time, and eval/exec are never used."""
    calls: list[str] = []
    monkeypatch.setattr(builtins, "side_effect", lambda *args: calls.append("side_effect"), raising=False)
    for name in ("eval", "exec"):

        def guard(*args, _name=name, **kwargs):
            calls.append(_name)
            raise AssertionError(f"{_name} was called")

        monkeypatch.setattr(builtins, name, guard)
    marker = tmp_path / "marker"
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    for text in (
        "side_effect()",
        "side_effect(x) or x == 1",
        f"open('{marker}', 'w')",
        "__import__('os').system('touch marker')",
        "exec('side_effect()')",
        "x == 1 or side_effect()",
    ):
        with pytest.raises(ConfigError):
            parse(text, variables=["x"]).evaluate(frame)
    # a valid expression evaluates without any of them either
    assert_same(parse("x * 2 > 3", variables=["x"]).evaluate(frame), [0, 1])
    assert calls == []
    assert not marker.exists()


# --- any input: an Expression or a ConfigError, nothing else ------------------------------------------------------

TOKENS = [
    "x", "y", "z", "municipality_code", "1", "2.5", "-1", "0", "1e308", "'491'", '"a"', "True", "None",
    "(", ")", "[", "]", ",", "+", "-", "*", "/", "**", "%", "and", "or", "not", "==", "!=", "<", ">=",
    "in", "not in", "is", "sum", "mean", "count", "min", "max", "abs", "between", "if_else", "min=", "=",
    "__import__", "__class__", ".", "lambda", ":", ":=", "for", "if", "else", "f'", "{", "}", "#", "\n", "*",
]  # fmt: skip

FRAME = pd.DataFrame(
    {
        "a": [1.0, 2.0, NAN, 0.0],
        "b": [0.0, 0.0, 1.0, NAN],
        "c": [3.0, 3.0, 3.0, 3.0],
        "weight_kg": [80.0, NAN, 60.0, 100.0],
        "x": [1.0, NAN, 0.0, -3.0],
        "y": [2.0, 2.0, NAN, 0.0],
        "z": [NAN, 1.0, 1.0, 5.0],
        "municipality_code": ["491", None, "740", "x"],
    }
)


def _parse_or_config_error(text: str) -> None:
    try:
        expression = parse(text, variables=VARIABLES, code_variables=CODES)
    except ConfigError as exc:
        assert str(exc)  # a message, never empty
        return
    result = expression.evaluate(FRAME)
    assert result.shape == (len(FRAME),)
    assert result.dtype == np.float64
    assert not np.isinf(result).any()
    if expression.is_condition:
        assert set(result[~np.isnan(result)]) <= {0.0, 1.0}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_parses_or_raises_config_error(text: str):
    _parse_or_config_error(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join))
def test_any_token_soup_parses_or_raises_config_error(text: str):
    _parse_or_config_error(text)
