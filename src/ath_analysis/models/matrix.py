"""Model matrices: the rows of a model (its domain, less respondents with a missing model variable) and columns.

Two builders give the same `ModelMatrix`:

* `model_matrix` reads a formula (patsy syntax, as ``statsmodels.formula.api``), e.g.
  ``"obesity ~ C(urban_rural, Treatment('K1')) + C(age_group) + C(sex)"``;
* `categorical_matrix` builds main-effects models of categorical variables with treatment coding directly
  (the same columns and names as the formula ``y ~ C(a, Treatment('r')) + C(b) + …``) without a formula
  parser, for the compare stage, which fits thousands of models.

A categorical main-effect term of a single variable is also recorded as a `CategoricalTerm` (levels, level
code of every row, contrast rows), which gives predictive margins and separation checks without rebuilding
the matrix.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

INTERCEPT = "Intercept"


@dataclass(frozen=True)
class CategoricalTerm:
    """A main-effect term of one categorical variable."""

    term: str  # term name, e.g. "C(urban_rural, Treatment('K1'))"
    variable: str
    levels: tuple[Any, ...]  # categories in column order of `contrasts`
    reference: Any  # the level without a column (None when the term is full rank)
    contrasts: np.ndarray  # (L × q): the term's columns for a row of each level
    codes: np.ndarray  # (m,) level index of every model row


@dataclass(frozen=True)
class ModelMatrix:
    """Response, columns and row membership of one model.

    rows: bool mask over the FULL frame (the design's rows): True for the model's respondents.
    y, X: the response and model matrix of those respondents, in frame order.
    terms: term name -> column indices.
    """

    y: np.ndarray
    X: np.ndarray
    columns: tuple[str, ...]
    terms: dict[str, np.ndarray]
    rows: np.ndarray
    categorical: dict[str, CategoricalTerm] = field(default_factory=dict)
    term_variables: dict[str, tuple[str, ...]] = field(default_factory=dict)  # term -> data variables it reads
    response: str = "y"
    # general counterfactuals: (positions among the rows first built on, variable, level) -> X
    rebuild: Callable[[np.ndarray, str, Any], np.ndarray] | None = None
    source_rows: np.ndarray | None = None  # positions of these rows among the rows first built on
    # optional: a code per row, equal for two rows exactly when their rows of X are equal (saves the search)
    cell_codes: np.ndarray | None = None

    @property
    def nobs(self) -> int:
        return len(self.y)

    def subset(self, keep: np.ndarray, y: np.ndarray | None = None, response: str | None = None) -> ModelMatrix:
        """The same model on fewer rows (`keep`: bool over the model rows), optionally with another response."""
        keep = np.asarray(keep, dtype=bool)
        rows = np.zeros_like(self.rows)
        rows[np.flatnonzero(self.rows)[keep]] = True
        new_y = self.y[keep] if y is None else np.asarray(y, dtype=np.float64)[keep]
        categorical = {v: replace(t, codes=t.codes[keep]) for v, t in self.categorical.items()}
        return replace(self, y=new_y, X=self.X[keep], rows=rows, categorical=categorical,
                       response=response or self.response, source_rows=self._positions()[keep],
                       cell_codes=None if self.cell_codes is None else self.cell_codes[keep])

    def _positions(self) -> np.ndarray:
        return self.source_rows if self.source_rows is not None else np.arange(len(self.y))

    def counterfactual(self, variable: str, level: Any) -> np.ndarray:
        """X with `variable` set to `level` for every row (the other variables as observed)."""
        term = self.categorical.get(variable)
        if term is not None and not any(
            variable in self.term_variables.get(name, ()) for name in self.terms if name != term.term
        ):
            where = [i for i, lv in enumerate(term.levels) if _same(lv, level)]
            if not where:
                raise KeyError(f"{variable} has no level {level!r} (levels: {', '.join(map(str, term.levels))})")
            out = self.X.copy()
            out[:, self.terms[term.term]] = term.contrasts[where[0]]
            return out
        if self.rebuild is None:
            raise KeyError(f"{variable} is not a categorical term of the model")
        return self.rebuild(self._positions(), variable, level)


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python objects with None for missing (what patsy understands)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.StringDtype | pd.CategoricalDtype):
            out[column] = values.astype(object).where(values.notna(), None)
    return out


def _code_variables(code: str, columns: Sequence[str]) -> tuple[str, ...]:
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError:
        return ()
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in set(columns)]
    return tuple(dict.fromkeys(names))


def _plain_categorical_variable(code: str, columns: Sequence[str]) -> str | None:
    """The variable of a factor written `v` or `C(v, ...)`, else None."""
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Name) and node.id in set(columns):
        return node.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "C" and node.args \
            and isinstance(node.args[0], ast.Name) and node.args[0].id in set(columns):
        return node.args[0].id
    return None


def model_matrix(frame: pd.DataFrame, formula: str, domain: np.ndarray | pd.Series | None = None) -> ModelMatrix:
    """The model's rows and columns from a formula; rows with a missing model variable are left out."""
    import patsy

    n = len(frame)
    inside = np.ones(n, dtype=bool) if domain is None else np.asarray(domain, dtype=bool)
    if inside.shape != (n,):
        raise ValueError(f"domain must be a boolean mask of the frame's {n} rows")
    data = plain_frame(frame.loc[inside].reset_index(drop=True))
    y_df, X_df = patsy.dmatrices(formula, data, NA_action="drop", return_type="dataframe")
    if y_df.shape[1] != 1:
        raise ValueError(f"the response of {formula!r} must be one numeric column (got {list(y_df.columns)})")
    kept = y_df.index.to_numpy()
    rows = np.zeros(n, dtype=bool)
    rows[np.flatnonzero(inside)[kept]] = True
    info = X_df.design_info
    columns = tuple(X_df.columns)
    terms = {name: np.arange(s.start, s.stop) for name, s in info.term_name_slices.items()}
    model_data = data.loc[kept].reset_index(drop=True)
    term_variables: dict[str, tuple[str, ...]] = {}
    categorical: dict[str, CategoricalTerm] = {}
    for term, subterms in info.term_codings.items():
        names: list[str] = []
        for factor in term.factors:
            names += _code_variables(factor.code, data.columns)
        term_variables[term.name()] = tuple(dict.fromkeys(names))
        if len(term.factors) != 1 or len(subterms) != 1:
            continue
        factor = term.factors[0]
        factor_info = info.factor_infos[factor]
        variable = _plain_categorical_variable(factor.code, data.columns)
        if factor_info.type != "categorical" or variable is None:
            continue
        levels = tuple(factor_info.categories)
        codes = pd.Index(levels).get_indexer(model_data[variable].to_numpy())
        if (codes < 0).any():
            continue
        matrix = np.asarray(subterms[0].contrast_matrices[factor].matrix, dtype=np.float64)
        reference = None
        zero_rows = np.flatnonzero(~matrix.any(axis=1))
        if len(zero_rows) == 1:
            reference = levels[zero_rows[0]]
        categorical[variable] = CategoricalTerm(term.name(), variable, levels, reference, matrix,
                                                codes.astype(np.int64))

    def rebuild(positions: np.ndarray, variable: str, level: Any) -> np.ndarray:
        newdata = model_data.iloc[positions].copy()
        newdata[variable] = [level] * len(newdata)
        (matrix,) = patsy.build_design_matrices([info], newdata, NA_action="raise")
        return np.asarray(matrix, dtype=np.float64)

    return ModelMatrix(
        y=np.asarray(y_df.iloc[:, 0], dtype=np.float64),
        X=np.asarray(X_df, dtype=np.float64),
        columns=columns,
        terms=terms,
        rows=rows,
        categorical=categorical,
        rebuild=rebuild,
        response=str(y_df.columns[0]),
        term_variables=term_variables,
    )


def treatment_term(variable: str, reference: Any | None) -> str:
    """patsy's name of the term C(variable, Treatment(reference))."""
    if reference is None:
        return f"C({variable})"
    return f"C({variable}, Treatment({reference!r}))"


def categorical_matrix(
    frame: pd.DataFrame,
    response: str | np.ndarray,
    variables: Mapping[str, Any | None],
    domain: np.ndarray | pd.Series | None = None,
    levels: Mapping[str, Sequence[Any]] | None = None,
) -> ModelMatrix:
    """Intercept + treatment-coded main effects of categorical `variables` (variable -> reference level, or
    None for the first level), on the rows of `domain` where the response and every variable are present.

    `levels` fixes a variable's levels (default: the sorted values present in the model rows); a level
    with no rows gets an all-zero column, which the fit reports as aliased.
    """
    n = len(frame)
    inside = np.ones(n, dtype=bool) if domain is None else np.asarray(domain, dtype=bool)
    y_all = frame[response].to_numpy(dtype=np.float64, na_value=np.nan) if isinstance(response, str) \
        else np.asarray(response, dtype=np.float64)
    values: dict[str, pd.Series] = {}
    for variable in variables:
        column = frame[variable]
        values[variable] = column
        inside = inside & column.notna().to_numpy()
    inside = inside & ~np.isnan(y_all)
    positions = np.flatnonzero(inside)
    columns = [INTERCEPT]
    blocks = [np.ones((len(positions), 1))]
    terms: dict[str, np.ndarray] = {INTERCEPT: np.array([0])}
    categorical: dict[str, CategoricalTerm] = {}
    term_variables: dict[str, tuple[str, ...]] = {INTERCEPT: ()}
    for variable, reference in variables.items():
        observed = values[variable].to_numpy()[positions]
        if levels is not None and variable in levels:
            level_list = list(levels[variable])
        else:
            level_list = sorted(pd.unique(observed).tolist())
        codes = pd.Index(level_list).get_indexer(observed)
        if (codes < 0).any():
            raise ValueError(f"{variable} has values outside its levels: {sorted(set(observed[codes < 0]))[:5]}")
        ref = level_list[0] if reference is None else reference
        if ref not in level_list:
            raise ValueError(f"reference level {ref!r} of {variable} is not among its levels {level_list}")
        name = treatment_term(variable, reference)
        others = [k for k, lv in enumerate(level_list) if lv != ref]
        contrasts = np.zeros((len(level_list), len(others)))
        contrasts[others, np.arange(len(others))] = 1.0
        start = sum(b.shape[1] for b in blocks)
        terms[name] = np.arange(start, start + len(others))
        term_variables[name] = (variable,)
        columns += [f"{name}[T.{level_list[k]}]" for k in others]
        blocks.append(contrasts[codes])
        categorical[variable] = CategoricalTerm(name, variable, tuple(level_list), ref, contrasts,
                                                codes.astype(np.int64))
    cell_codes = np.zeros(len(positions), dtype=np.int64)
    for term in categorical.values():  # mixed radix: X is a function of the level codes
        cell_codes = cell_codes * len(term.levels) + term.codes
    return ModelMatrix(
        y=y_all[positions],
        X=np.hstack(blocks),
        cell_codes=cell_codes,
        columns=tuple(columns),
        terms=terms,
        rows=inside,
        categorical=categorical,
        response=response if isinstance(response, str) else "y",
        term_variables=term_variables,
    )
