"""Sufficient statistics of survey GLMs whose regressors are all categorical: sums per (covariate cell × unit).

With categorical regressors a model's rows fall into a few covariate cells c (one row of the model matrix
each), and everything a design-based fit needs is a sum over the respondents of a cell, or of a cell within
one design unit (a PSU, or a stratum when respondents are their own PSUs):

* the fit (IRLS on the cells) needs per cell Σw and Σwy;
* the sandwich's PSU totals of the estimating functions are Σ_c x_c (Σwy − μ_c Σw) over the PSU's cells,
  so the "meat" needs Σw and Σwy per (cell × PSU) and the with-replacement constants c_h, k_h of
  `ResolvedDesign` (when respondents are the PSUs, Σ_i c_h u_i u_i' needs per cell Σ c_h w², Σ c_h w² y and
  Σ c_h w² y² as well);
* degrees of freedom, lonely-PSU averaging, separation and level counts need counts per (cell × unit).

`CellModelData` groups the respondents of a data set (a wave, or pooled waves) and domain into *atoms*: the
finest crossing of a set of categorical variables (a missing value is a level of its own) × design unit. It
is built once per data set and set of variables. `CellModelData.sums` accumulates the sums of many
responses at once, in one grouped pass over the respondents (respondents with the response missing drop
out per response). `CellModelData.model` defines a model — main effects with treatment coding of some of the
variables, possibly recoded (`CellTerm.level_vs_rest`) — whose cells and atoms are aggregates of the data's:
no respondent is read again, for any model or response.

The fitting, covariance, tests and margins are in `ath_analysis.models.cellglm`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ath_analysis.errors import DataError
from ath_analysis.models.matrix import INTERCEPT, treatment_term
from ath_analysis.survey.design import Design, ResolvedDesign, resolve_design
from ath_analysis.survey.validation import require_columns

BLOCK_ELEMENTS = 1 << 23  # respondents × responses per grouped pass: bounds each float64 temporary to 64 MiB
# the quantities summed per atom and response (C2, CY, CYY only when respondents are their own PSUs;
# "bad" only when some response is outside [0, 1])
QUANTITIES = ("n", "npos", "W", "Y", "gt0", "lt1", "bad", "C2", "CY", "CYY")


def _compress(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes for the occupied values of `key` in [0, size): (code of each element, sorted values)."""
    if size <= max(8 * len(key), 1 << 16):
        counts = np.bincount(key, minlength=size)
        occupied = np.flatnonzero(counts)
        remap = np.cumsum(counts > 0) - 1
        return remap[key], occupied
    occupied, inverse = np.unique(key, return_inverse=True)
    return inverse.reshape(-1), occupied


def _indicator(target: np.ndarray, ntarget: int) -> sp.csc_matrix:
    """(ntarget × len(target)) 0/1 matrix with a one at (target[j], j) (none where target[j] < 0)."""
    valid = target >= 0
    itype = np.int32 if max(ntarget, len(target)) < 2**31 - 1 else np.int64  # scipy's own choice: no copies
    indptr = np.concatenate([[0], np.cumsum(valid)]).astype(itype)
    indices = target[valid].astype(itype)
    return sp.csc_matrix((np.ones(len(indices)), indices, indptr), shape=(ntarget, len(target)))


def _levels_of(values: np.ndarray) -> list[Any]:
    """Sorted distinct non-missing values (as `categorical_matrix` orders a variable's levels)."""
    present = pd.unique(pd.Series(values).dropna())
    return sorted(present.tolist())


@dataclass(frozen=True)
class CellTerm:
    """A categorical main effect (treatment coding) read from the data variable `source`.

    variable: the term's variable in the model (default: `source`); columns are named as patsy's
        ``C(variable, Treatment(reference))[T.level]`` (``C(variable)[T.level]`` without a reference).
    levels: the model's levels in column order; None = the source's levels present among the model's
        respondents (a fixed level without respondents gets an all-zero column, which the fit aliases).
    reference: the level without a column (None = the first level).
    code_map: for a recoded term, the model level (index into `levels`) of each of the source's data
        levels, −1 = not in the model; None = the source's levels themselves.
    """

    source: str
    variable: str | None = None
    levels: tuple[Any, ...] | None = None
    reference: Any = None
    code_map: np.ndarray | None = field(default=None, compare=False)

    @classmethod
    def level_vs_rest(cls, data: CellModelData, source: str, level: Any, *, variable: str | None = None,
                      rest: Any = "rest") -> CellTerm:
        """A two-level term: respondents with `source` == `level` against all others (reference `rest`)."""
        observed = data.levels_of(source)
        code_map = np.zeros(len(observed), dtype=np.int64)
        code_map[[k for k, lv in enumerate(observed) if lv == level]] = 1
        return cls(source, variable or source, (rest, level), rest, code_map)


@dataclass(frozen=True)
class ResolvedTerm:
    """A term of a `CellModel`: its levels, columns and the level of every model cell."""

    variable: str
    name: str  # e.g. "C(sex)" or "C(group, Treatment('G1'))"
    levels: tuple[Any, ...]
    reference: Any
    reference_index: int
    columns: np.ndarray  # indices into the model's columns
    level_column: np.ndarray  # (L,) column of each level, −1 for the reference
    cell_level: np.ndarray  # (C,) level index of every model cell
    level_matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)  # (L × C) 0/1


@dataclass(frozen=True)
class CellSums:
    """Per-atom sums of a block of K responses of one `CellModelData`.

    values: (atoms, quantities, K) with quantities `names_q` (see QUANTITIES): n = respondents with the
    response, npos = of them with a positive weight, W = Σw, Y = Σw(y − shift), gt0/lt1 = respondents with a
    positive weight and y > 0 / y < 1, bad = y outside [0, 1]; without PSUs C2 = Σ c_h w², CY = Σ c_h w²
    (y − shift), CYY = Σ c_h w² (y − shift)². shift (K,) centres each response (exact sums of squares).
    """

    names: tuple[str, ...]
    values: np.ndarray
    quantities: tuple[str, ...]
    shift: np.ndarray

    @property
    def K(self) -> int:
        return len(self.names)

    def q(self, name: str) -> int:
        return self.quantities.index(name)

    def take(self, which: Sequence[int] | np.ndarray) -> CellSums:
        """The sums of some of the responses."""
        idx = np.asarray(which, dtype=np.int64)
        return CellSums(tuple(self.names[i] for i in idx), self.values[:, :, idx], self.quantities,
                        self.shift[idx])


@dataclass(frozen=True)
class CellModelData:
    """The respondents of one data set and domain, grouped into atoms (finest cell × design unit).

    design: resolved on the FULL frame (domain models use the full design, as ``subset(design, domain)``).
    variables, levels: the categorical variables and their data levels (code k = levels[v][k]; code
        len(levels[v]) = missing). fixed: the variable's levels were given (`from_frame(levels=...)`).
    rows: positions in the frame of the domain's respondents, atom by atom; atom_start: where each atom's
        rows begin in `rows` (every atom has at least one).
    cell_codes (F × V): the level codes of every finest cell; atom_cell, atom_unit: each atom's cell and
        unit (PSU code of the design, or stratum code when respondents are their own PSUs).
    """

    design: ResolvedDesign
    variables: tuple[str, ...]
    levels: tuple[tuple[Any, ...], ...]
    fixed: tuple[bool, ...]
    rows: np.ndarray
    atom_start: np.ndarray
    cell_codes: np.ndarray
    atom_cell: np.ndarray
    atom_unit: np.ndarray
    n_frame: int
    # set by `collapse`: the finer data these atoms aggregate, and the (atoms × its atoms) 0/1 map
    source: CellModelData | None = field(default=None, repr=False, compare=False)
    source_map: sp.csc_matrix | None = field(default=None, repr=False, compare=False)

    @property
    def clustered(self) -> bool:
        return self.design.psu is not None

    @property
    def n_atoms(self) -> int:
        return len(self.atom_cell)

    @property
    def n_units(self) -> int:
        return int(self.design.psu.max()) + 1 if self.design.psu is not None else self.design.n_strata

    @property
    def unit_stratum(self) -> np.ndarray:
        """Stratum of every unit code."""
        ps = self.design.psu_stratum
        return ps if ps is not None else np.arange(self.design.n_strata)

    def levels_of(self, variable: str) -> tuple[Any, ...]:
        """The variable's data levels (codes index them)."""
        return self.levels[self._index(variable)]

    def present_levels(self, variable: str) -> tuple[Any, ...]:
        """The variable's levels that some respondent of the domain has."""
        j = self._index(variable)
        codes = np.unique(self.cell_codes[:, j])
        return tuple(self.levels[j][k] for k in codes if k < len(self.levels[j]))

    def _index(self, variable: str) -> int:
        if variable not in self.variables:
            raise KeyError(f"{variable!r} is not a variable of the cell data ({', '.join(self.variables)})")
        return self.variables.index(variable)

    # -- construction ----------------------------------------------------------------------------------------
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, design: Design | ResolvedDesign, variables: Sequence[str],
                   domain: np.ndarray | pd.Series | None = None,
                   levels: Mapping[str, Sequence[Any]] | None = None) -> CellModelData:
        """Atoms of the categorical `variables` of `frame` within `domain` (None = every row).

        levels: fixes a variable's levels (default: the sorted values present in the domain); a value
        outside them is an error.
        """
        rd = design if isinstance(design, ResolvedDesign) else resolve_design(frame, design)
        inside = _domain_mask(domain, len(frame))
        require_columns(frame, variables, "model")
        codes: dict[str, tuple[np.ndarray, Sequence[Any]]] = {}
        for variable in variables:
            values = frame[variable].to_numpy()
            if levels is not None and variable in levels:
                level_list = list(levels[variable])
            else:
                level_list = _levels_of(values[inside])
            code = pd.Index(level_list).get_indexer(values)
            missing = pd.isna(values)
            outside = (code < 0) & ~missing & inside
            if outside.any():
                raise DataError(f"model variable '{variable}' has values outside its levels {level_list}: "
                                f"{sorted(set(values[outside].tolist()))[:5]}")
            codes[variable] = (np.where(missing, -1, code).astype(np.int64), level_list)
        fixed = {v: levels is not None and v in levels for v in variables}
        return cls.from_codes(rd, codes, inside, fixed)

    @classmethod
    def from_codes(cls, design: ResolvedDesign, codes: Mapping[str, tuple[np.ndarray, Sequence[Any]]],
                   domain: np.ndarray | pd.Series | None = None,
                   fixed: Mapping[str, bool] | None = None) -> CellModelData:
        """Atoms from integer codes: variable -> (code of every frame row, −1 = missing; its levels)."""
        n = len(design.weights)
        inside = _domain_mask(domain, n)
        rows = np.flatnonzero(inside)
        variables = tuple(codes)
        level_lists = tuple(tuple(codes[v][1]) for v in variables)
        sizes = [len(lv) + 1 for lv in level_lists]  # the last code of each variable is "missing"
        key = np.zeros(len(rows), dtype=np.int64)
        matrix = np.empty((len(rows), len(variables)), dtype=np.int64)
        for j, variable in enumerate(variables):
            code = np.asarray(codes[variable][0], dtype=np.int64)
            if code.shape != (n,):
                raise ValueError(f"codes of {variable} must have one value per row of the design ({n})")
            c = code[rows]
            matrix[:, j] = np.where(c < 0, sizes[j] - 1, c)
        total = int(np.prod(sizes, dtype=object)) if sizes else 1
        if total < 2**62:
            for j in range(len(variables)):
                key = key * sizes[j] + matrix[:, j]
            cell_of_row, cell_keys = _compress(key, total)
            cell_codes = np.empty((len(cell_keys), len(variables)), dtype=np.int64)
            rest = cell_keys.copy()
            for j in range(len(variables) - 1, -1, -1):
                rest, cell_codes[:, j] = np.divmod(rest, sizes[j])
        else:  # too many combinations for one integer key
            cell_codes, cell_of_row = np.unique(matrix, axis=0, return_inverse=True)
            cell_of_row = cell_of_row.reshape(-1)
        unit_row = design.psu[rows] if design.psu is not None else design.stratum[rows]
        n_units = int(design.psu.max()) + 1 if design.psu is not None else design.n_strata
        atom_of_row, atom_keys = _compress(cell_of_row * n_units + unit_row, max(len(cell_codes), 1) * n_units)
        atom_cell, atom_unit = np.divmod(atom_keys, n_units)
        order = np.argsort(atom_of_row, kind="stable")  # the rows atom by atom: sums are segment sums
        atom_start = np.searchsorted(atom_of_row[order], np.arange(len(atom_keys)))
        fixed = fixed or {}
        return cls(design, variables, level_lists, tuple(bool(fixed.get(v, False)) for v in variables),
                   rows[order], atom_start.astype(np.int64), cell_codes, atom_cell.astype(np.int64),
                   atom_unit.astype(np.int64), n)

    def collapse(self, variables: Sequence[str], where: Mapping[str, Sequence[Any]] | None = None) -> CellModelData:
        """The same respondents grouped by fewer variables, optionally only those whose variable `where`
        has one of the given levels (a sub-domain): its sums are aggregates of this data's
        (`sums_from`), so the respondents need not be read again."""
        index = [self._index(v) for v in variables]
        keep = np.ones(len(self.cell_codes), dtype=bool)
        for variable, allowed in (where or {}).items():
            j = self._index(variable)
            ok = np.zeros(len(self.levels[j]) + 1, dtype=bool)
            ok[[k for k, lv in enumerate(self.levels[j]) if lv in set(allowed)]] = True
            keep &= ok[self.cell_codes[:, j]]
        sizes = [len(self.levels[j]) + 1 for j in index]
        sub = self.cell_codes[keep][:, index]
        total = int(np.prod(sizes, dtype=object)) if sizes else 1
        if total < 2**62:
            key = np.zeros(len(sub), dtype=np.int64)
            for j in range(len(index)):
                key = key * sizes[j] + sub[:, j]
            child_in, child_keys = _compress(key, total)
            cell_codes = np.empty((len(child_keys), len(index)), dtype=np.int64)
            rest = child_keys.copy()
            for j in range(len(index) - 1, -1, -1):
                rest, cell_codes[:, j] = np.divmod(rest, sizes[j])
        else:
            cell_codes, child_in = np.unique(sub, axis=0, return_inverse=True)
            child_in = child_in.reshape(-1)
        child_of_cell = np.full(len(self.cell_codes), -1, dtype=np.int64)
        child_of_cell[keep] = child_in
        n_units = self.n_units
        parent_cell = child_of_cell[self.atom_cell]
        valid = parent_cell >= 0
        child_of_atom = np.full(self.n_atoms, -1, dtype=np.int64)
        codes, atom_keys = _compress(parent_cell[valid] * n_units + self.atom_unit[valid],
                                     max(len(cell_codes), 1) * n_units)
        child_of_atom[valid] = codes
        atom_cell, atom_unit = np.divmod(atom_keys, n_units)
        # the rows, atom by atom (each parent atom lies in one child atom)
        counts = np.diff(np.append(self.atom_start, len(self.rows)))
        row_atom = np.repeat(child_of_atom, counts)
        inside = row_atom >= 0
        order = np.argsort(row_atom[inside], kind="stable")
        rows = self.rows[inside][order]
        atom_start = np.searchsorted(row_atom[inside][order], np.arange(len(atom_keys)))
        return CellModelData(self.design, tuple(variables), tuple(self.levels[j] for j in index),
                             tuple(self.fixed[j] for j in index), rows, atom_start.astype(np.int64), cell_codes,
                             atom_cell.astype(np.int64), atom_unit.astype(np.int64), self.n_frame, self,
                             _indicator(child_of_atom, len(atom_keys)))

    def sums_from(self, sums: CellSums) -> CellSums:
        """This (collapsed) data's sums from the sums of the data it was collapsed from."""
        if self.source is None or self.source_map is None:
            raise ValueError("sums_from needs data made by collapse")
        A, nq, K = sums.values.shape
        if A != self.source.n_atoms:
            raise ValueError("the sums are not of the data this was collapsed from")
        values = (self.source_map @ sums.values.reshape(A, nq * K)).reshape(-1, nq, K)
        return CellSums(sums.names, values, sums.quantities, sums.shift)

    # -- sums of responses -----------------------------------------------------------------------------------
    def sums(self, y: np.ndarray | pd.DataFrame | pd.Series, names: Sequence[str] | None = None) -> CellSums:
        """Per-atom sums of the responses `y` (one value per frame row; (n,) or (n, K); NaN = missing)."""
        if isinstance(y, pd.Series):
            names = names or [str(y.name)]
            Y = y.to_numpy(dtype=np.float64, na_value=np.nan)[:, None]
        elif isinstance(y, pd.DataFrame):
            names = names or [str(c) for c in y.columns]
            Y = y.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            Y = np.asarray(y, dtype=np.float64)
            Y = Y[:, None] if Y.ndim == 1 else Y
            names = names or [f"y{k}" for k in range(Y.shape[1])]
        if Y.shape[0] != self.n_frame:
            raise ValueError(f"the responses have {Y.shape[0]} rows, the design {self.n_frame}")
        if len(names) != Y.shape[1]:
            raise ValueError(f"{len(names)} names for {Y.shape[1]} responses")
        if np.isinf(Y).any():
            k = int(np.flatnonzero(np.isinf(Y).any(axis=0))[0])
            raise DataError(f"response '{names[k]}' has {int(np.isinf(Y[:, k]).sum())} infinite values")
        K = Y.shape[1]
        block = max(1, min(K, BLOCK_ELEMENTS // max(len(self.rows), 1)))
        parts = [self._sums_block(Y[:, s:s + block]) for s in range(0, K, block)]
        quantities = max((p[1] for p in parts), key=len)
        values = np.concatenate([_with_quantities(v, q, quantities) for v, q, _ in parts], axis=2)
        shift = np.concatenate([p[2] for p in parts])
        return CellSums(tuple(names), values, quantities, shift)

    def _sums_block(self, Y: np.ndarray) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
        rd = self.design
        Yr = Y[self.rows]  # (m, K), rows atom by atom: every sum below is a sum over a contiguous segment
        m, K = Yr.shape
        present = ~np.isnan(Yr)
        count = present.sum(axis=0)
        shift = np.where(count > 0, np.where(present, Yr, 0.0).sum(axis=0) / np.maximum(count, 1), 0.0)
        y0 = np.where(present, Yr - shift, 0.0)
        w = rd.weights[self.rows][:, None]
        positive = present & (w > 0)
        with np.errstate(invalid="ignore"):
            bad = present & ((Yr < 0) | (Yr > 1))
            gt0, lt1 = positive & (Yr > 0), positive & (Yr < 1)
        quantities = ["n", "npos", "W", "Y", "gt0", "lt1"]
        if bad.any():
            quantities.append("bad")
        if not self.clustered:
            quantities += ["C2", "CY", "CYY"]
            cw2 = (rd.c[rd.stratum[self.rows]] * rd.weights[self.rows] ** 2)[:, None]
        out = np.zeros((self.n_atoms, len(quantities), K))
        if not m:
            return out, tuple(quantities), shift
        # rows are sorted by atom: a 0/1 matrix with one contiguous run per atom sums them (sparse × dense)
        segments = sp.csr_matrix((np.ones(m), np.arange(m), np.append(self.atom_start, m)), shape=(self.n_atoms, m))
        for i, name in enumerate(quantities):
            if name == "n":
                values = present
            elif name == "npos":
                values = positive
            elif name == "W":
                values = np.where(present, w, 0.0)
            elif name == "Y":
                values = y0 * w
            elif name == "gt0":
                values = gt0
            elif name == "lt1":
                values = lt1
            elif name == "bad":
                values = bad
            elif name == "C2":
                values = np.where(present, cw2, 0.0)
            elif name == "CY":
                values = y0 * cw2
            else:  # CYY
                values = y0 * y0 * cw2
            out[:, i, :] = segments @ values.astype(np.float64, copy=False)
        return out, tuple(quantities), shift

    # -- models ----------------------------------------------------------------------------------------------
    def model(self, terms: Mapping[str, Any] | Sequence[CellTerm | str]) -> CellModel:
        """A model with an intercept and the main effects `terms`: variable -> reference level (None = the
        first level), or `CellTerm`s (recoded variables). Its respondents are the domain's respondents with
        every term's variable present (and, per response, the response)."""
        if isinstance(terms, Mapping):
            specs = [CellTerm(v, reference=ref) for v, ref in terms.items()]
        else:
            specs = [CellTerm(t) if isinstance(t, str) else t for t in terms]
        return CellModel.build(self, specs)


def _with_quantities(values: np.ndarray, have: tuple[str, ...], want: tuple[str, ...]) -> np.ndarray:
    if have == want:
        return values
    out = np.zeros((values.shape[0], len(want), values.shape[2]))
    for i, name in enumerate(have):
        out[:, want.index(name), :] = values[:, i, :]
    return out


def _domain_mask(domain: np.ndarray | pd.Series | None, n: int) -> np.ndarray:
    if domain is None:
        return np.ones(n, dtype=bool)
    inside = np.asarray(domain, dtype=bool)
    if inside.shape != (n,):
        raise ValueError(f"domain must be a boolean mask of the frame's {n} rows")
    return inside


@dataclass(frozen=True)
class ModelSums:
    """A response block's sums aggregated to a model: atoms (A_m, quantities, K) and cells (C, quantities, K)."""

    atoms: np.ndarray
    cells: np.ndarray
    quantities: tuple[str, ...]
    names: tuple[str, ...]
    shift: np.ndarray

    @property
    def K(self) -> int:
        return len(self.names)

    def atom(self, name: str) -> np.ndarray:
        """(K, A_m) sums of a quantity per model atom (zeros when it was not accumulated)."""
        if name not in self.quantities:
            return np.zeros((self.atoms.shape[2], self.atoms.shape[0]))
        return self.atoms[:, self.quantities.index(name), :].T

    def cell(self, name: str) -> np.ndarray:
        """(K, C) sums of a quantity per model cell."""
        if name not in self.quantities:
            return np.zeros((self.cells.shape[2], self.cells.shape[0]))
        return self.cells[:, self.quantities.index(name), :].T

    def take(self, which: Sequence[int] | np.ndarray) -> ModelSums:
        idx = np.asarray(which, dtype=np.int64)
        return ModelSums(self.atoms[:, :, idx], self.cells[:, :, idx], self.quantities,
                         tuple(self.names[i] for i in idx), self.shift[idx])


@dataclass(frozen=True)
class CellModel:
    """One model (intercept + categorical main effects) on the atoms of a `CellModelData`.

    X (C × p): the model matrix of the model's covariate cells; columns and terms named as
    `categorical_matrix` names them. Model atoms are (cell × unit); the sparse matrices aggregate the data's
    atoms to model atoms, model atoms to cells and to units, and units to strata.
    """

    data: CellModelData
    terms: tuple[ResolvedTerm, ...]
    X: np.ndarray
    columns: tuple[str, ...]
    term_columns: dict[str, np.ndarray]
    term_variables: dict[str, tuple[str, ...]]
    atom_map: sp.csc_matrix  # (A_m × A) data atoms -> model atoms
    atom_cell: np.ndarray  # (A_m,)
    cell_matrix: sp.csc_matrix  # (C × A_m)
    unit_matrix: sp.csc_matrix  # (U_m × A_m) model atoms -> occupied units
    stratum_matrix: sp.csc_matrix  # (H_m × U_m) units -> occupied strata
    unit_c: np.ndarray  # (U_m,) c_h of each unit's stratum
    stratum_k: np.ndarray  # (H_m,)
    stratum_lonely: np.ndarray  # (H_m,) bool

    @property
    def n_cells(self) -> int:
        return self.X.shape[0]

    @property
    def n_atoms(self) -> int:
        return len(self.atom_cell)

    def term(self, variable: str) -> ResolvedTerm:
        for t in self.terms:
            if t.variable == variable:
                return t
        raise KeyError(f"{variable!r} is not a term of the model ({', '.join(t.variable for t in self.terms)})")

    @classmethod
    def build(cls, data: CellModelData, specs: Sequence[CellTerm]) -> CellModel:
        F = len(data.cell_codes)
        in_model = np.ones(F, dtype=bool)
        model_codes = []
        resolved_specs = []
        for spec in specs:
            j = data._index(spec.source)
            observed = data.levels[j]
            if spec.code_map is not None:
                code_map = np.append(np.asarray(spec.code_map, dtype=np.int64), -1)  # missing -> out
                levels = spec.levels
                if levels is None:
                    raise ValueError(f"a recoded term of {spec.source} needs its levels")
            elif spec.levels is not None:
                wanted = pd.Index(list(spec.levels))
                code_map = np.append(wanted.get_indexer(list(observed)), -1).astype(np.int64)
                lost = [lv for lv in data.present_levels(spec.source) if lv not in set(spec.levels)]
                if lost:
                    raise DataError(f"model variable '{spec.source}' has values outside its levels "
                                    f"{list(spec.levels)}: {lost[:5]}")
                levels = tuple(spec.levels)
            else:
                code_map = np.append(np.arange(len(observed)), -1).astype(np.int64)
                levels = None if not data.fixed[j] else observed
            codes = code_map[data.cell_codes[:, j]]
            in_model &= codes >= 0
            model_codes.append(codes)
            resolved_specs.append((spec, levels, observed))
        cell_of_fine = np.full(F, -1, dtype=np.int64)
        terms: list[ResolvedTerm] = []
        columns = [INTERCEPT]
        term_columns: dict[str, np.ndarray] = {INTERCEPT: np.array([0])}
        term_variables: dict[str, tuple[str, ...]] = {INTERCEPT: ()}
        final_codes = []
        for (spec, levels, observed), codes in zip(resolved_specs, model_codes, strict=True):
            if levels is None:  # the levels present among the model's respondents
                present = np.unique(codes[in_model])
                levels = tuple(observed[k] for k in present)
                remap = np.full(len(observed), -1, dtype=np.int64)
                remap[present] = np.arange(len(present))
                codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
            variable = spec.variable or spec.source
            if not levels:  # no respondent in the model: a term without levels (the model has no cells)
                reference, ref = spec.reference, -1
            else:
                reference = levels[0] if spec.reference is None else spec.reference
                if reference not in levels:
                    raise ValueError(f"reference level {reference!r} of {variable} is not among its levels "
                                     f"{list(levels)}")
                ref = levels.index(reference)
            name = treatment_term(variable, spec.reference)
            if name in term_columns:
                raise ValueError(f"the model has the term {name} twice")
            others = [k for k in range(len(levels)) if k != ref]
            start = len(columns)
            cols = np.arange(start, start + len(others))
            level_column = np.full(len(levels), -1, dtype=np.int64)
            level_column[others] = cols
            columns += [f"{name}[T.{levels[k]}]" for k in others]
            term_columns[name] = cols
            term_variables[name] = (variable,)
            terms.append(ResolvedTerm(variable, name, tuple(levels), reference, ref, cols, level_column,
                                      np.zeros(0, dtype=np.int64)))
            final_codes.append(codes)
        # model cells: the distinct combinations of the terms' levels among the model's finest cells
        sizes = [len(t.levels) for t in terms]
        key = np.zeros(int(in_model.sum()), dtype=np.int64)
        for t, codes in zip(terms, final_codes, strict=True):
            key = key * len(t.levels) + codes[in_model]
        size = int(np.prod(sizes, dtype=object)) if sizes else 1
        if size < 2**62:
            cell_in, cell_keys = _compress(key, size)
            level_codes = np.empty((len(cell_keys), len(terms)), dtype=np.int64)
            rest = cell_keys.copy()
            for j in range(len(terms) - 1, -1, -1):
                rest, level_codes[:, j] = np.divmod(rest, sizes[j])
        else:
            stacked = np.stack([c[in_model] for c in final_codes], axis=1)
            level_codes, cell_in = np.unique(stacked, axis=0, return_inverse=True)
            cell_in = cell_in.reshape(-1)
        cell_of_fine[in_model] = cell_in
        C = len(level_codes)
        X = np.zeros((C, len(columns)))
        X[:, 0] = 1.0
        for j, t in enumerate(terms):
            col = t.level_column[level_codes[:, j]]
            has = col >= 0
            X[np.flatnonzero(has), col[has]] = 1.0
        terms = [replace(t, cell_level=level_codes[:, j],
                         level_matrix=(level_codes[:, j][None, :] == np.arange(len(t.levels))[:, None]).astype(float))
                 for j, t in enumerate(terms)]
        # model atoms: (model cell × unit) of the data's atoms
        n_units = data.n_units
        atom_model_cell = cell_of_fine[data.atom_cell]
        valid = atom_model_cell >= 0
        target = np.full(data.n_atoms, -1, dtype=np.int64)
        codes_m, keys_m = _compress(atom_model_cell[valid] * n_units + data.atom_unit[valid], max(C, 1) * n_units)
        target[valid] = codes_m
        atom_cell, atom_unit = np.divmod(keys_m, n_units)
        unit_code, units = _compress(atom_unit, n_units)
        rd = data.design
        unit_stratum = data.unit_stratum[units]
        stratum_code, strata = _compress(unit_stratum, rd.n_strata)
        return cls(
            data=data,
            terms=tuple(terms),
            X=X,
            columns=tuple(columns),
            term_columns=term_columns,
            term_variables=term_variables,
            atom_map=_indicator(target, len(keys_m)),
            atom_cell=atom_cell.astype(np.int64),
            cell_matrix=_indicator(atom_cell.astype(np.int64), C),
            unit_matrix=_indicator(unit_code.astype(np.int64), len(units)),
            stratum_matrix=_indicator(stratum_code.astype(np.int64), len(strata)),
            unit_c=rd.c[unit_stratum],
            stratum_k=rd.k[strata],
            stratum_lonely=rd.lonely[strata],
        )

    def aggregate(self, sums: CellSums) -> ModelSums:
        """The sums of a response block per model atom and cell."""
        A, nq, K = sums.values.shape
        if A != self.data.n_atoms:
            raise ValueError("the sums are of another CellModelData")
        atoms = (self.atom_map @ sums.values.reshape(A, nq * K)).reshape(-1, nq, K)
        return self._with_atoms(atoms, sums.quantities, sums.names, sums.shift)

    def exclude(self, sums: ModelSums, drop: np.ndarray) -> ModelSums:
        """The sums without the cells in `drop` ((K, C) bool: cells whose respondents leave the model, per
        response)."""
        if not drop.any():
            return sums
        keep = ~drop[:, self.atom_cell].T  # (A_m, K)
        return self._with_atoms(sums.atoms * keep[:, None, :], sums.quantities, sums.names, sums.shift)

    def _with_atoms(self, atoms: np.ndarray, quantities: tuple[str, ...], names: tuple[str, ...],
                    shift: np.ndarray) -> ModelSums:
        A_m, nq, K = atoms.shape
        cells = (self.cell_matrix @ atoms.reshape(A_m, nq * K)).reshape(-1, nq, K)
        return ModelSums(atoms, cells, quantities, names, shift)

    def level_sums(self, cells: np.ndarray, variable: str) -> np.ndarray:
        """(L, quantities, K) sums per level of a term from per-cell sums (C, quantities, K)."""
        t = self.term(variable)
        C, nq, K = cells.shape
        return (t.level_matrix @ cells.reshape(C, nq * K)).reshape(-1, nq, K)
