"""Indicator definitions: load and check config/indicators.yaml, compute one column per indicator.

Analysts edit the YAML file without touching Python, so every mistake must come back as a plain sentence
naming the file, the indicator and the field, and all of them at once: a run that stops at the first typo
wastes the analyst's afternoon. The file is checked in two layers: the JSON schema
(ath_analysis/schemas/indicators.schema.yaml) for the fields, then the expression parser for the definitions
against the canonical variables.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd

from ath_analysis.errors import ConfigError, close_matches
from ath_analysis.indicators.expression import Expression, ExpressionError, parse
from ath_analysis.yaml_files import read_yaml

# The repository's schema: the pipeline runs from a checkout (Snakemake), so it is found from this file
# (or, for a non-editable install, from the working directory).
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "indicators.schema.yaml"

# Variables the geography stage adds to every respondent on top of config/variables.yaml (name -> type).
DERIVED_VARIABLES: dict[str, str] = {"age_group": "code"}

KINDS = ("proportion", "mean")


@dataclass(frozen=True)
class Indicator:
    """One checked indicator definition, with its expressions already parsed."""

    id: str
    label_fi: str
    label_en: str
    kind: str  # "proportion" | "mean"
    definition: Expression
    denominator: Expression | None
    higher_is_better: bool
    interpretation_fi: str
    interpretation_en: str
    standardize: bool = False
    group: str | None = None
    group_en: str | None = None
    source: str | None = None

    @property
    def variables(self) -> tuple[str, ...]:
        """Variables the indicator reads (definition and denominator), so callers can check the data first."""
        names = list(self.definition.variables)
        if self.denominator is not None:
            names += self.denominator.variables
        return tuple(dict.fromkeys(names))

    def compute(self, frame: pd.DataFrame) -> np.ndarray:
        """Per respondent: 1/0 (or the value, for a mean), NaN when outside the denominator or missing."""
        values = self.definition.evaluate(frame)
        if self.denominator is not None:
            values = np.where(self.denominator.evaluate(frame) == 1, values, np.nan)
        return values


def compute_indicators(frame: pd.DataFrame, indicators: Sequence[Indicator]) -> pd.DataFrame:
    """One float column per indicator id, aligned with `frame`'s rows, ready for weighted estimation."""
    return pd.DataFrame(
        {indicator.id: indicator.compute(frame) for indicator in indicators},
        index=frame.index,
        dtype=np.float64,
    )


def canonical_variables(path: str | Path = "config/variables.yaml") -> dict[str, str]:
    """Name -> type of every variable an indicator may use: config/variables.yaml plus derived ones."""
    path = Path(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: must be a mapping of variable name -> description")
    variables = {str(name): str(spec.get("type", "")) if isinstance(spec, dict) else "" for name, spec in raw.items()}
    for name, kind in DERIVED_VARIABLES.items():
        variables.setdefault(name, kind)
    return variables


def load_indicators(
    path: str | Path,
    *,
    variables: Collection[str] | Mapping[str, str],
    schema_path: str | Path | None = None,
) -> list[Indicator]:
    """Read and check an indicator file; raise one ConfigError listing every problem, one per line.

    `variables` are the names expressions may use; pass `canonical_variables()` (a name -> type mapping, so
    that text-coded variables such as municipality_code are known) or any collection of names.
    """
    path = Path(path)
    indicators, problems = _build(read_yaml(path), variables, str(path), schema_path)
    if problems:
        raise ConfigError("\n".join(problems))
    return indicators


def check_indicators(
    raw: Any,
    variables: Collection[str] | Mapping[str, str],
    source: str,
    *,
    schema_path: str | Path | None = None,
) -> list[str]:
    """Every problem in already-loaded indicator YAML, one message per problem (empty when valid).

    For the `validate` command, which reports problems of several files together instead of raising.
    """
    return _build(raw, variables, source, schema_path)[1]


# ----------------------------------------------------------------------------------------------------


@functools.cache
def _schema(schema_path: Path) -> dict[str, Any]:
    try:
        schema = read_yaml(schema_path)
    except ConfigError as exc:
        raise ConfigError(f"{schema_path}: cannot read the indicator schema ({exc})") from None
    return schema


_TYPE_WORDS = {
    "boolean": "true or false",
    "string": "text",
    "array": "a list",
    "object": "a block of 'key: value' lines",
    "integer": "a whole number",
    "number": "a number",
}


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a block of 'key: value' lines"
    if value is None:
        return "nothing (empty)"
    return repr(value)


def _what_is_wrong(error: jsonschema.ValidationError, field: str) -> str:
    """A plain sentence for one schema violation of a field."""
    validator, expected, value = error.validator, error.validator_value, error.instance
    if validator == "type":
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        hint = (
            " (put an expression in quotes if it starts with [ or {)" if field in ("definition", "denominator") else ""
        )
        return f"must be {words}, got {_describe(value)}{hint}"
    if validator == "enum":
        allowed = ", ".join(str(option) for option in expected)
        hint = close_matches(str(value), [str(option) for option in expected])
        return f"must be one of: {allowed}; got {_describe(value)}{hint}"
    if validator == "pattern" and field == "id":
        return f"must be snake_case (lowercase letters, digits and single underscores), got {_describe(value)}"
    if validator in ("minLength", "pattern"):
        return "must not be empty"
    if validator == "maxLength":
        return f"is too long (at most {expected} characters)"
    return error.message


def _schema_problems(raw: Any, schema: dict[str, Any], source: str) -> tuple[list[tuple[int, str]], set]:  # noqa: C901
    """(position, message) for every schema violation, and the (index, field) pairs that were invalid."""
    top_keys = list(schema.get("properties", {}))
    indicator_schema = schema["$defs"]["indicator"]
    field_keys = list(indicator_schema.get("properties", {}))
    problems: list[tuple[int, str]] = []
    bad_fields: set[tuple[int, str]] = set()
    validator = jsonschema.Draft202012Validator(schema)
    for error in validator.iter_errors(raw):
        path = list(error.absolute_path)
        if not path:
            if error.validator == "type":
                problems.append((-1, f"{source}: must be a block with an 'indicators:' list, got {_describe(raw)}"))
            elif error.validator == "required":
                problems.append((-1, f"{source}: no 'indicators:' list"))
            elif error.validator == "additionalProperties":
                for key in sorted(set(raw) - set(top_keys), key=str):
                    problems.append((-1, f"{source}: unknown top-level key '{key}'{close_matches(str(key), top_keys)}"))
            else:
                problems.append((-1, f"{source}: {error.message}"))
            continue
        if len(path) == 1:
            if error.validator == "minItems":
                problems.append((-1, f"{source}: the 'indicators:' list is empty"))
            else:
                problems.append(
                    (
                        -1,
                        f"{source}: 'indicators' must be a list (lines starting with '- id: ...'), "
                        f"got {_describe(error.instance)}",
                    )
                )
            continue
        index = path[1]
        who = f"{source}: {_indicator_name(raw['indicators'][index], index)}"
        if len(path) == 2:
            item = error.instance
            if error.validator == "type":
                problems.append((index, f"{who}: must be a block of 'key: value' lines, got {_describe(item)}"))
            elif error.validator == "required":
                for key in error.validator_value:
                    if key not in item:
                        bad_fields.add((index, key))
                        problems.append((index, f"{who}, field '{key}': missing (required)"))
            elif error.validator == "additionalProperties":
                for key in sorted(set(item) - set(field_keys), key=str):
                    problems.append((index, f"{who}, field '{key}': unknown key{close_matches(str(key), field_keys)}"))
            elif error.validator == "dependentRequired":
                for key, needs in error.validator_value.items():
                    for other in needs:
                        if key in item and other not in item:
                            problems.append((index, f"{who}, field '{other}': required when '{key}' is given"))
            else:
                problems.append((index, f"{who}: {error.message}"))
            continue
        field = str(path[2])
        bad_fields.add((index, field))
        problems.append((index, f"{who}, field '{field}': {_what_is_wrong(error, field)}"))
    # the validator reports 'required' once per missing key; keep each message once
    unique = list(dict.fromkeys(problems))
    return unique, bad_fields


def _indicator_name(item: Any, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].strip():
        return f"indicator '{item['id']}'"
    return f"indicator #{index + 1}"


def _build(
    raw: Any,
    variables: Collection[str] | Mapping[str, str],
    source: str,
    schema_path: str | Path | None,
) -> tuple[list[Indicator], list[str]]:
    if schema_path is None:
        schema_path = SCHEMA_PATH
    schema = _schema(Path(schema_path))
    positioned, bad_fields = _schema_problems(raw, schema, source)
    items = raw.get("indicators") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return [], [message for _, message in positioned]

    first_index: dict[str, int] = {}
    parsed: list[tuple[dict[str, Any], Expression, Expression | None]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        who = f"{source}: {_indicator_name(item, index)}"
        ident = item.get("id")
        if isinstance(ident, str) and (index, "id") not in bad_fields:
            if ident in first_index:
                positioned.append(
                    (
                        index,
                        f"{who} (#{index + 1}), field 'id': duplicate id "
                        f"(indicator #{first_index[ident] + 1} has it too)",
                    )
                )
            else:
                first_index[ident] = index
        expressions: dict[str, Expression] = {}
        for field in ("definition", "denominator"):
            text = item.get(field)
            if (index, field) in bad_fields or not isinstance(text, str):
                continue
            try:
                expressions[field] = parse(text, variables=variables)
            except ExpressionError as exc:
                positioned += [(index, f"{who}, field '{field}': {problem}") for problem in exc.problems]
        definition, denominator = expressions.get("definition"), expressions.get("denominator")
        kind = item.get("kind")
        if definition is not None and kind == "proportion" and not definition.is_condition:
            positioned.append(
                (
                    index,
                    f"{who}, field 'definition': a 'proportion' indicator needs a condition "
                    "(true/false), e.g. 'srh in [3, 4, 5]', but this expression gives a number",
                )
            )
        if definition is not None and kind == "mean" and definition.is_condition:
            positioned.append(
                (
                    index,
                    f"{who}, field 'definition': a 'mean' indicator needs a number, but this "
                    "expression is a condition (for a share of respondents use kind: proportion)",
                )
            )
        if denominator is not None and not denominator.is_condition:
            positioned.append(
                (
                    index,
                    f"{who}, field 'denominator': must be a condition (true/false), e.g. "
                    "'unmet_need in [2, 3]', but this expression gives a number",
                )
            )
        if definition is not None:
            parsed.append((item, definition, denominator))
    if positioned:
        # stable sort: file order, schema problems before expression ones
        positioned.sort(key=lambda pair: pair[0])
        return [], [message for _, message in positioned]
    return [_indicator(item, definition, denominator) for item, definition, denominator in parsed], []


def _indicator(item: dict[str, Any], definition: Expression, denominator: Expression | None) -> Indicator:
    def text(key: str) -> str | None:
        value = item.get(key)
        return " ".join(value.split()) if isinstance(value, str) else None

    return Indicator(
        id=item["id"],
        label_fi=text("label_fi") or "",
        label_en=text("label_en") or "",
        kind=item["kind"],
        definition=definition,
        denominator=denominator,
        higher_is_better=item["higher_is_better"],
        interpretation_fi=text("interpretation_fi") or "",
        interpretation_en=text("interpretation_en") or "",
        standardize=bool(item.get("standardize", False)),
        group=text("group"),
        group_en=text("group_en"),
        source=text("source"),
    )


# Fields of an indicator that change its values; the others (labels, texts, direction) only change reports.
RULE_FIELDS = ("id", "kind", "definition", "denominator", "standardize")


def indicator_rules(indicators: Sequence[Indicator]) -> list[dict[str, Any]]:
    """The computational part of each indicator as plain data, in file order.

    The workflow passes this (not indicators.yaml) to the stages that compute, so editing a label or an
    interpretation text reruns only the reports.
    """
    return [
        {"id": i.id, "kind": i.kind, "definition": i.definition.text,
         "denominator": i.denominator.text if i.denominator is not None else None, "standardize": i.standardize}
        for i in indicators
    ]


def indicators_from_rules(rules: Sequence[Mapping[str, Any]], variables: Collection[str] | Mapping[str, str],
                          source: str = "indicator rules") -> list[Indicator]:
    """Indicators rebuilt from `indicator_rules` output (labels and texts empty), expressions parsed again."""
    out = []
    for rule in rules:
        unknown = sorted(set(rule) - set(RULE_FIELDS))
        if unknown or rule.get("kind") not in KINDS or not isinstance(rule.get("id"), str):
            raise ConfigError(f"{source}: not an indicator rule: {dict(rule)!r}")
        try:
            definition = parse(str(rule["definition"]), variables=variables)
            denominator = parse(str(rule["denominator"]), variables=variables) if rule.get("denominator") else None
        except ExpressionError as exc:
            raise ConfigError(f"{source}: indicator '{rule['id']}': {exc}") from None
        out.append(Indicator(id=rule["id"], label_fi="", label_en="", kind=rule["kind"], definition=definition,
                             denominator=denominator, higher_is_better=False, interpretation_fi="",
                             interpretation_en="", standardize=bool(rule.get("standardize", False))))
    return out
