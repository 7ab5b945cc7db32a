"""A small, safe expression language for indicator definitions.

Analysts write rules such as ``mean([qol1, qol2, qol3], min=2) >= 4`` in config/indicators.yaml. The text is
parsed with Python's `ast` and checked against a whitelist of node types, then turned into this module's own
node objects; nothing is ever handed to eval/exec, so an expression can only read columns, do arithmetic and
call the few functions listed in `FUNCTIONS`.

Evaluation is vectorized (numpy, one pass per node) and missing-aware: NaN is "missing". Arithmetic and
comparisons with a missing operand are missing, and `and` / `or` / `not` follow Kleene's three-valued logic
(False and missing = False, True or missing = True). Conditions evaluate to 1.0 / 0.0 / NaN.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ath_analysis.errors import ConfigError, DataError, close_matches

# Limits that keep parsing and evaluation cheap whatever the input.
MAX_LENGTH = 2000  # characters
MAX_NODES = 500  # syntax tree nodes
MAX_DEPTH = 40  # nesting levels of the syntax tree
MAX_EXPONENT = 4  # |constant exponent| allowed after **
MAX_CONSTANT = 1e15  # |numeric literal|

NUMBER = "number"
CONDITION = "condition"

FUNCTIONS: dict[str, str] = {
    "sum": "sum([a, b, ...], min=k): sum of the answered items; missing unless at least k are answered (default: all)",
    "mean": "mean([a, b, ...], min=k): mean of the answered items; missing unless at least k are answered "
    "(default: all)",
    "count": "count([a, b, ...]): how many of the items are answered (never missing)",
    "min": "min(a, b, ...): smallest value (missing if any is missing)",
    "max": "max(a, b, ...): largest value (missing if any is missing)",
    "abs": "abs(x): absolute value",
    "between": "between(x, lo, hi): lo <= x <= hi (inclusive)",
    "if_else": "if_else(cond, a, b): a where cond is true, b where it is false, missing where cond is missing",
}
_ALLOWED_FUNCTIONS = ", ".join(FUNCTIONS)

_CODE_TYPES = frozenset({"code", "id"})  # variables.yaml types whose values are text codes


class ExpressionError(ConfigError):
    """An expression is invalid; `problems` lists every problem found, one sentence each."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# ----------------------------------------------------------------------------------------------------
# Evaluation nodes (our own, so that nothing from the parse tree is ever executed)


class _Context:
    """Per-evaluation column cache: each variable is converted to a float array once."""

    def __init__(self, frame: pd.DataFrame, text: str):
        self.frame = frame
        self.n = len(frame)
        self.text = text
        self._numbers: dict[str, np.ndarray] = {}

    def _series(self, name: str) -> pd.Series:
        if name not in self.frame.columns:
            raise DataError(f"variable '{name}' used in expression '{self.text}' is not in the data")
        return self.frame[name]

    def number(self, name: str) -> np.ndarray:
        if name not in self._numbers:
            values = _to_float(self._series(name), name)
            values.flags.writeable = False
            self._numbers[name] = values
        return self._numbers[name]

    def text_codes(self, name: str) -> tuple[pd.Series, np.ndarray]:
        series = self._series(name)
        if pd.api.types.is_numeric_dtype(series.dtype) and not isinstance(series.dtype, pd.CategoricalDtype):
            raise DataError(
                f"variable '{name}' holds numbers (dtype {series.dtype}) but expression '{self.text}' "
                "compares it with text codes"
            )
        return series.astype("string"), series.isna().to_numpy(dtype=bool)


def _to_float(series: pd.Series, name: str) -> np.ndarray:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if pd.api.types.is_numeric_dtype(dtype.categories.dtype):
            return series.astype(np.float64).to_numpy(dtype=np.float64, copy=True)
    elif pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    elif pd.api.types.is_object_dtype(dtype):
        try:
            return pd.to_numeric(series).to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        except (TypeError, ValueError):
            pass
    raise DataError(f"variable '{name}' is not numeric (dtype {dtype}); expressions need numeric codes")


def _missing_to_nan(result: np.ndarray, *operands: np.ndarray) -> np.ndarray:
    missing = np.zeros(result.shape, dtype=bool)
    for operand in operands:
        missing |= np.isnan(operand)
    return np.where(missing, np.nan, result.astype(np.float64))


class _Node:
    type: str = NUMBER

    def evaluate(self, ctx: _Context) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class _Constant(_Node):
    def __init__(self, value: float, type_: str):
        self.value = value
        self.type = type_

    def evaluate(self, ctx: _Context) -> np.ndarray:
        return np.full(ctx.n, self.value, dtype=np.float64)


class _Variable(_Node):
    def __init__(self, name: str):
        self.name = name

    def evaluate(self, ctx: _Context) -> np.ndarray:
        return ctx.number(self.name)


class _Negate(_Node):
    def __init__(self, operand: _Node):
        self.operand = operand

    def evaluate(self, ctx: _Context) -> np.ndarray:
        return -self.operand.evaluate(ctx)


class _Not(_Node):
    type = CONDITION

    def __init__(self, operand: _Node):
        self.operand = operand

    def evaluate(self, ctx: _Context) -> np.ndarray:
        return 1.0 - self.operand.evaluate(ctx)  # NaN stays NaN


def _kleene_and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where((a == 0) | (b == 0), 0.0, np.where(np.isnan(a) | np.isnan(b), np.nan, 1.0))


def _kleene_or(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where((a == 1) | (b == 1), 1.0, np.where(np.isnan(a) | np.isnan(b), np.nan, 0.0))


class _Logic(_Node):
    type = CONDITION

    def __init__(self, combine: Callable[[np.ndarray, np.ndarray], np.ndarray], operands: list[_Node]):
        self.combine = combine
        self.operands = operands

    def evaluate(self, ctx: _Context) -> np.ndarray:
        result = self.operands[0].evaluate(ctx)
        for operand in self.operands[1:]:
            result = self.combine(result, operand.evaluate(ctx))
        return result


_ARITHMETIC: dict[type, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    ast.Add: ("+", np.add),
    ast.Sub: ("-", np.subtract),
    ast.Mult: ("*", np.multiply),
    ast.Div: ("/", np.divide),
    ast.Pow: ("**", np.power),
}


class _Arithmetic(_Node):
    def __init__(self, op: Callable[[np.ndarray, np.ndarray], np.ndarray], left: _Node, right: _Node):
        self.op = op
        self.left = left
        self.right = right

    def evaluate(self, ctx: _Context) -> np.ndarray:
        result = self.op(self.left.evaluate(ctx), self.right.evaluate(ctx))
        # x / 0, 0 ** -1, (-1) ** 0.5: no meaningful value, so missing (never ±inf)
        return np.where(np.isfinite(result), result, np.nan)


_COMPARISONS: dict[type, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    ast.Lt: ("<", np.less),
    ast.LtE: ("<=", np.less_equal),
    ast.Gt: (">", np.greater),
    ast.GtE: (">=", np.greater_equal),
    ast.Eq: ("==", np.equal),
    ast.NotEq: ("!=", np.not_equal),
}


class _Compare(_Node):
    type = CONDITION

    def __init__(self, op: Callable[[np.ndarray, np.ndarray], np.ndarray], left: _Node, right: _Node):
        self.op = op
        self.left = left
        self.right = right

    def evaluate(self, ctx: _Context) -> np.ndarray:
        a, b = self.left.evaluate(ctx), self.right.evaluate(ctx)
        return _missing_to_nan(self.op(a, b), a, b)


class _InList(_Node):
    type = CONDITION

    def __init__(self, operand: _Node, values: list[float], negate: bool):
        self.operand = operand
        self.values = np.array(values, dtype=np.float64)
        self.negate = negate

    def evaluate(self, ctx: _Context) -> np.ndarray:
        a = self.operand.evaluate(ctx)
        return _missing_to_nan(np.isin(a, self.values) != self.negate, a)


class _CodeIn(_Node):
    """`code_var == "491"` / `code_var in ["491", "740"]`: text comparison on a text-coded variable."""

    type = CONDITION

    def __init__(self, name: str, values: list[str], negate: bool):
        self.name = name
        self.values = values
        self.negate = negate

    def evaluate(self, ctx: _Context) -> np.ndarray:
        codes, missing = ctx.text_codes(self.name)
        hit = codes.isin(self.values).to_numpy(dtype=bool, na_value=False) != self.negate
        return np.where(missing, np.nan, hit.astype(np.float64))


class _Items(_Node):
    def __init__(self, function: str, items: list[_Node], min_answered: int):
        self.function = function
        self.items = items
        self.min_answered = min_answered

    def evaluate(self, ctx: _Context) -> np.ndarray:
        stack = np.vstack([item.evaluate(ctx) for item in self.items])
        answered = (~np.isnan(stack)).sum(axis=0).astype(np.float64)
        if self.function == "count":
            return answered
        total = np.nansum(stack, axis=0)
        value = total if self.function == "sum" else total / np.maximum(answered, 1.0)
        return np.where(answered >= self.min_answered, value, np.nan)


class _Extreme(_Node):
    def __init__(self, op: Callable[[np.ndarray, np.ndarray], np.ndarray], args: list[_Node], type_: str):
        self.op = op
        self.args = args
        self.type = type_

    def evaluate(self, ctx: _Context) -> np.ndarray:
        result = self.args[0].evaluate(ctx)
        for arg in self.args[1:]:
            result = self.op(result, arg.evaluate(ctx))  # np.minimum / np.maximum propagate NaN
        return result


class _Abs(_Node):
    def __init__(self, operand: _Node):
        self.operand = operand

    def evaluate(self, ctx: _Context) -> np.ndarray:
        return np.abs(self.operand.evaluate(ctx))


class _Between(_Node):
    type = CONDITION

    def __init__(self, x: _Node, lo: _Node, hi: _Node):
        self.x, self.lo, self.hi = x, lo, hi

    def evaluate(self, ctx: _Context) -> np.ndarray:
        x, lo, hi = self.x.evaluate(ctx), self.lo.evaluate(ctx), self.hi.evaluate(ctx)
        return _missing_to_nan((x >= lo) & (x <= hi), x, lo, hi)


class _IfElse(_Node):
    def __init__(self, cond: _Node, then: _Node, otherwise: _Node, type_: str):
        self.cond, self.then, self.otherwise = cond, then, otherwise
        self.type = type_

    def evaluate(self, ctx: _Context) -> np.ndarray:
        cond = self.cond.evaluate(ctx)
        chosen = np.where(cond == 1, self.then.evaluate(ctx), self.otherwise.evaluate(ctx))
        return np.where(np.isnan(cond), np.nan, chosen)


# ----------------------------------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class Expression:
    """A parsed, validated expression; evaluate it on any frame that has its variables."""

    text: str
    is_condition: bool
    variables: tuple[str, ...]  # the variables it reads, in order of first use
    _root: _Node = field(repr=False, compare=False)

    @property
    def kind(self) -> str:
        """'condition' (true/false/missing) or 'number'."""
        return CONDITION if self.is_condition else NUMBER

    def evaluate(self, frame: pd.DataFrame) -> np.ndarray:
        """One float per row (1.0/0.0/NaN for conditions), computed column-wise without a row loop."""
        ctx = _Context(frame, self.text)
        with np.errstate(all="ignore"):
            result = self._root.evaluate(ctx)
        return np.array(result, dtype=np.float64)  # always a fresh, writable array


def parse(
    text: str,
    *,
    variables: Collection[str] | Mapping[str, str],
    code_variables: Collection[str] | None = None,
) -> Expression:
    """Parse and check an analyst's expression, so that every mistake surfaces before any data is read.

    `variables` are the names the expression may use. Text constants (``municipality_code == "491"``) are
    allowed only against `code_variables`; when `variables` is a mapping of name -> type (as in
    config/variables.yaml), variables of type 'code' or 'id' are the code variables. Raises ExpressionError
    (a ConfigError) listing every problem found.
    """
    if isinstance(variables, Mapping):
        known = list(variables)
        if code_variables is None:
            code_variables = [name for name, kind in variables.items() if kind in _CODE_TYPES]
    else:
        known = list(variables)
    if not isinstance(text, str):
        raise ExpressionError([f"an expression must be text, got {type(text).__name__}"])
    tree = _parse_tree(text)
    compiler = _Compiler(text, frozenset(known), frozenset(code_variables or ()))
    root = compiler.compile(tree.body)
    if root is None or compiler.problems:
        raise ExpressionError(compiler.problems or ["invalid expression"])
    return Expression(
        text=text,
        is_condition=root.type == CONDITION,
        variables=tuple(dict.fromkeys(compiler.used)),
        _root=root,
    )


def _parse_tree(text: str) -> ast.Expression:
    if len(text) > MAX_LENGTH:
        raise ExpressionError([f"expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})"])
    if "#" in text:
        raise ExpressionError(["'#' is not allowed in an expression (put comments in YAML, after it)"])
    # newlines are spaces (YAML block scalars may split a long expression over lines)
    source = text.replace("\r", " ").replace("\n", " ").strip()
    if not source:
        raise ExpressionError(["expression is empty"])
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        where = f" at character {exc.offset}" if exc.offset else ""
        raise ExpressionError([f"not a valid expression: {exc.msg}{where}"]) from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise ExpressionError([f"not a valid expression: {exc}"]) from None
    nodes = 0
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise ExpressionError([f"expression is nested too deeply (more than {MAX_DEPTH} levels)"])
        if nodes > MAX_NODES:
            raise ExpressionError([f"expression is too complex (more than {MAX_NODES} parts)"])
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree


_REJECTED: dict[type, str] = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "indexing ('[...]' after a value) is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignment (':=') is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.Starred: "starred values ('*') are not allowed",
    ast.Dict: "dictionaries ('{...}') are not allowed",
    ast.Set: "sets ('{...}') are not allowed",
    ast.IfExp: "'a if cond else b' is not allowed; write if_else(cond, a, b)",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Slice: "slices are not allowed",
}


class _Compiler:
    """Turns a checked syntax tree into evaluation nodes, collecting every problem on the way."""

    def __init__(self, text: str, variables: frozenset[str], code_variables: frozenset[str]):
        self.source = text.replace("\r", " ").replace("\n", " ").strip()
        self.variables = variables
        self.code_variables = code_variables
        self.problems: list[str] = []
        self.used: list[str] = []

    # helpers -------------------------------------------------------------------------------------------
    def _segment(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.source, node) or ""
        return segment if len(segment) <= 60 else segment[:57] + "..."

    def _fail(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def _number(self, node: ast.expr) -> _Node | None:
        """Compile a numeric operand (conditions count as 1/0)."""
        return self.compile(node)

    def _condition(self, node: ast.expr, where: str) -> _Node | None:
        compiled = self.compile(node)
        if compiled is not None and compiled.type != CONDITION:
            self._fail(
                f"{where} needs a condition (true/false), but '{self._segment(node)}' is a number; "
                f"compare it, e.g. '{self._segment(node)} == 1'"
            )
            return None
        return compiled

    def _literal(self, node: ast.expr) -> float | str | None:
        """The value of a constant (numbers may carry a unary minus), or None when it is not one."""
        sign = 1.0
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            sign, node = -1.0, node.operand
            if not isinstance(node, ast.Constant) or isinstance(node.value, bool | str):
                return None
        if not isinstance(node, ast.Constant):
            return None
        value = node.value
        if isinstance(value, str) and sign == 1.0:
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and self._finite(value):
            return sign * float(value)
        return None

    @staticmethod
    def _finite(value: int | float) -> bool:
        try:
            return math.isfinite(float(value)) and abs(value) <= MAX_CONSTANT
        except OverflowError:
            return False

    # dispatch --------------------------------------------------------------------------------------------
    def compile(self, node: ast.expr) -> _Node | None:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.BoolOp):
            return self._boolop(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.List | ast.Tuple):
            self._fail(f"a list ('{self._segment(node)}') can only follow 'in' or be the items of sum/mean/count")
            return None
        reason = _REJECTED.get(type(node), f"{type(node).__name__} is not allowed")
        self._fail(f"{reason}: '{self._segment(node)}'")
        return None

    def _constant(self, node: ast.Constant) -> _Node | None:
        value = node.value
        if isinstance(value, bool):
            return _Constant(float(value), CONDITION)
        if isinstance(value, int | float):
            if not self._finite(value):
                self._fail(f"number {self._segment(node)} is too large")
                return None
            return _Constant(float(value), NUMBER)
        if isinstance(value, str):
            self._fail(
                f"text '{value[:40]}' can only be compared with a text-coded variable "
                '(e.g. municipality_code == "491")'
            )
            return None
        self._fail(f"constant {self._segment(node)} is not allowed (only numbers, true/false and text codes)")
        return None

    def _check_name(self, name: str) -> bool:
        if "__" in name:
            self._fail(f"names with double underscores are not allowed: '{name}'")
            return False
        if name in FUNCTIONS:
            self._fail(f"'{name}' is a function: call it with parentheses, e.g. {FUNCTIONS[name].split(':')[0]}")
            return False
        if name not in self.variables:
            self._fail(f"unknown variable '{name}'{close_matches(name, self.variables)}")
            return False
        self.used.append(name)
        return True

    def _name(self, node: ast.Name) -> _Node | None:
        if not self._check_name(node.id):
            return None
        if node.id in self.code_variables:
            self._fail(
                f"'{node.id}' holds text codes: compare it with quoted codes, e.g. {node.id} == \"491\" "
                f'or {node.id} in ["491", "740"]'
            )
            return None
        return _Variable(node.id)

    def _unary(self, node: ast.UnaryOp) -> _Node | None:
        if isinstance(node.op, ast.Not):
            operand = self._condition(node.operand, "'not'")
            return None if operand is None else _Not(operand)
        if isinstance(node.op, ast.USub):
            operand = self._number(node.operand)
            return None if operand is None else _Negate(operand)
        symbol = {ast.UAdd: "+", ast.Invert: "~"}.get(type(node.op), "?")
        self._fail(f"unary '{symbol}' is not allowed (only 'not' and '-'): '{self._segment(node)}'")
        return None

    def _binop(self, node: ast.BinOp) -> _Node | None:
        entry = _ARITHMETIC.get(type(node.op))
        if entry is None:
            self._fail(
                f"operator in '{self._segment(node)}' is not allowed (allowed: + - * / and ** with a "
                "small constant exponent)"
            )
            self.compile(node.left)
            self.compile(node.right)
            return None
        symbol, op = entry
        left = self._number(node.left)
        if symbol == "**":
            exponent = self._literal(node.right)
            if not isinstance(exponent, float) or abs(exponent) > MAX_EXPONENT:
                self._fail(
                    f"'**' needs a constant exponent between -{MAX_EXPONENT} and {MAX_EXPONENT}: "
                    f"'{self._segment(node)}'"
                )
                return None
            right: _Node | None = _Constant(exponent, NUMBER)
        else:
            right = self._number(node.right)
        if left is None or right is None:
            return None
        return _Arithmetic(op, left, right)

    def _boolop(self, node: ast.BoolOp) -> _Node | None:
        word = "and" if isinstance(node.op, ast.And) else "or"
        operands = [self._condition(value, f"'{word}'") for value in node.values]
        if any(operand is None for operand in operands):
            return None
        return _Logic(_kleene_and if word == "and" else _kleene_or, operands)  # type: ignore[arg-type]

    def _compare(self, node: ast.Compare) -> _Node | None:
        parts: list[_Node | None] = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(self._comparison(left, op, right))
            left = right
        if any(part is None for part in parts):
            return None
        return parts[0] if len(parts) == 1 else _Logic(_kleene_and, parts)  # type: ignore[arg-type]

    def _comparison(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> _Node | None:
        if isinstance(op, ast.Is | ast.IsNot):
            self._fail("'is' / 'is not' are not allowed; use == or !=")
            return None
        if isinstance(op, ast.In | ast.NotIn):
            return self._membership(left, right, negate=isinstance(op, ast.NotIn))
        symbol, function = _COMPARISONS[type(op)]
        left_text = isinstance(self._literal(left), str)
        right_text = isinstance(self._literal(right), str)
        if left_text or right_text:
            if symbol not in ("==", "!="):
                self._fail(f"text codes can only be compared with == / != / in: '{symbol}'")
                return None
            name_node, code_node = (right, left) if left_text else (left, right)
            code = self._literal(code_node)
            if not isinstance(code, str):
                self._fail("a text code must be compared with a text-coded variable")
                return None
            return self._code_membership(name_node, [code], negate=symbol == "!=")
        a, b = self._number(left), self._number(right)
        if a is None or b is None:
            return None
        return _Compare(function, a, b)

    def _membership(self, left: ast.expr, right: ast.expr, *, negate: bool) -> _Node | None:
        if not isinstance(right, ast.List | ast.Tuple):
            self._fail(f"'in' needs a list of constants, e.g. srh in [3, 4, 5]; got '{self._segment(right)}'")
            self.compile(left)
            return None
        values = [self._literal(item) for item in right.elts]
        if not values:
            self._fail("'in' needs a non-empty list")
            return None
        if any(value is None for value in values):
            self._fail(f"the list after 'in' may only hold constants: '{self._segment(right)}'")
            return None
        if all(isinstance(value, str) for value in values):
            return self._code_membership(left, values, negate=negate)  # type: ignore[arg-type]
        if any(isinstance(value, str) for value in values):
            self._fail(f"the list after 'in' mixes numbers and text: '{self._segment(right)}'")
            return None
        operand = self._number(left)
        return None if operand is None else _InList(operand, values, negate)  # type: ignore[arg-type]

    def _code_membership(self, node: ast.expr, codes: list[str], *, negate: bool) -> _Node | None:
        if not isinstance(node, ast.Name):
            self._fail(f"text codes can only be compared with a variable, not '{self._segment(node)}'")
            return None
        if not self._check_name(node.id):
            return None
        if node.id not in self.code_variables:
            self._fail(
                f"'{node.id}' has numeric codes: compare it with numbers, not text "
                f'(e.g. {node.id} == 1, not {node.id} == "1")'
            )
            return None
        return _CodeIn(node.id, codes, negate)

    # function calls ------------------------------------------------------------------------------------
    def _call(self, node: ast.Call) -> _Node | None:  # noqa: C901
        if not isinstance(node.func, ast.Name):
            if type(node.func) in _REJECTED:
                self.compile(node.func)  # names the construct: attribute access, indexing, ...
            else:
                self._fail(f"only the functions {_ALLOWED_FUNCTIONS} can be called: '{self._segment(node)}'")
            return None
        name = node.func.id
        if "__" in name:
            self._fail(f"names with double underscores are not allowed: '{name}'")
            return None
        if name not in FUNCTIONS:
            self._fail(f"unknown function '{name}'{close_matches(name, FUNCTIONS)} (allowed: {_ALLOWED_FUNCTIONS})")
            return None
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(kw.arg is None for kw in node.keywords):
            self._fail(f"starred arguments ('*', '**') are not allowed: '{self._segment(node)}'")
            return None
        allowed_keywords = {"min"} if name in ("sum", "mean") else set()
        for keyword in node.keywords:
            if keyword.arg not in allowed_keywords:
                hint = " (only 'min=')" if allowed_keywords else " (it takes none)"
                self._fail(f"function '{name}' has no keyword '{keyword.arg}'{hint}")
                return None
        rejected = [arg for arg in node.args if type(arg) in _REJECTED]
        if rejected:
            for arg in rejected:
                self.compile(arg)  # names the construct: comprehension, lambda, ...
            return None
        usage = FUNCTIONS[name].split(":")[0]
        if name in ("sum", "mean", "count"):
            return self._items_call(node, name, usage)
        args = node.args
        if name in ("min", "max"):
            if len(args) < 2 or any(isinstance(arg, ast.List | ast.Tuple) for arg in args):
                self._fail(f"'{name}' takes two or more values separated by commas: {usage}")
                return None
            compiled = [self._number(arg) for arg in args]
            if any(arg is None for arg in compiled):
                return None
            kind = CONDITION if all(arg.type == CONDITION for arg in compiled) else NUMBER  # type: ignore[union-attr]
            return _Extreme(np.minimum if name == "min" else np.maximum, compiled, kind)  # type: ignore[arg-type]
        expected = {"abs": 1, "between": 3, "if_else": 3}[name]
        if len(args) != expected:
            self._fail(f"'{name}' takes {expected} argument{'s' if expected > 1 else ''}: {usage}")
            return None
        if name == "abs":
            operand = self._number(args[0])
            return None if operand is None else _Abs(operand)
        if name == "between":
            compiled = [self._number(arg) for arg in args]
            if any(arg is None for arg in compiled):
                return None
            return _Between(*compiled)  # type: ignore[arg-type]
        cond = self._condition(args[0], "if_else")
        then, otherwise = self._number(args[1]), self._number(args[2])
        if cond is None or then is None or otherwise is None:
            return None
        kind = CONDITION if then.type == otherwise.type == CONDITION else NUMBER
        return _IfElse(cond, then, otherwise, kind)

    def _items_call(self, node: ast.Call, name: str, usage: str) -> _Node | None:
        if len(node.args) != 1 or not isinstance(node.args[0], ast.List | ast.Tuple) or not node.args[0].elts:
            self._fail(f"'{name}' takes one list of items in square brackets: {usage}")
            return None
        elements = node.args[0].elts
        items = []
        for element in elements:
            if isinstance(element, ast.List | ast.Tuple):
                self._fail(f"items of '{name}' cannot be lists: '{self._segment(element)}'")
                return None
            items.append(self._number(element))
        min_answered = len(elements)
        for keyword in node.keywords:
            value = self._literal(keyword.value)
            if not isinstance(value, float) or not value.is_integer() or not 1 <= value <= len(elements):
                self._fail(
                    f"'min=' of '{name}' must be a whole number from 1 to {len(elements)} "
                    "(the number of items): "
                    f"'{self._segment(keyword.value)}'"
                )
                return None
            min_answered = int(value)
        if any(item is None for item in items):
            return None
        return _Items(name, items, min_answered)  # type: ignore[arg-type]
