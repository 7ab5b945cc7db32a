"""Taylor-linearization variances of ratio means and totals, for many variables × domain cells at once.

For a domain cell d and variable y (respondents with y missing left out, as R's
``subset(design, d & !is.na(y))``), the linearized values are z_i = λ_g (w_i y_i − ȳ_g w_i) for a ratio
mean (λ_g = 1/W_d, or the standardization factor of age group g) and z_i = w_i y_i for a total. With PSU
totals z_hp, the with-replacement variance is

    V = Σ_h c_h Σ_p z_hp² − Σ_h k_h (Σ_p z_hp)²       (c_h, k_h from `ResolvedDesign`)

Nothing here loops over respondents or cells. Every sum needed is linear in rows at the level of
"atoms": (finest cell of all domain columns × stratum), or (finest cell × PSU) with clusters. So:

1. one pass over the rows accumulates, per atom, the sums a variable needs (n, Σw, Σwy and — when
   respondents are their own PSUs — Σ c w² y², Σ c w² y, Σ c w²). For a 0/1 variable each row is in one of
   three states (missing, 0, 1), so every row falls in one bin ``3·atom + state`` and all the sums are one
   sparse product: the bins' 0/1 matrix times the row weights [1, w, c·w²] (`AtomSummer`). Other
   variables take one ``np.bincount`` per sum;
2. for every domain set, atoms are aggregated (sparse indicator products, all sets stacked in one product)
   to (group, stratum) or (group, PSU), with group = cell × age group under standardization;
3. the variance is assembled from these small tables, vectorized over cells × variables.

The per-variable atom sums of step 1 do not depend on the domain sets, only on the finest cells, so a
`BoundDesign` caches them: calls with other sets over the same columns skip the pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ath_analysis.survey.design import ResolvedDesign
from ath_analysis.survey.domains import DomainPlan

NOISE = 64 * np.finfo(np.float64).eps  # relative rounding level of the variance sums
BLOCK_ELEMENTS = 1 << 23  # atoms × sums × variables per block: bounds each float64 table to 64 MiB
PRODUCT_BYTES = 6 << 20  # largest (bins × row weights) table of the one-product pass (measured crossover)


def _indicator(codes: np.ndarray, nrows: int) -> sp.csc_matrix:
    """(nrows × len(codes)) 0/1 matrix whose column j has a one in row codes[j] (none where codes[j] < 0)."""
    valid = codes >= 0
    if valid.all():
        indptr = np.arange(len(codes) + 1, dtype=np.int64)
        indices = codes
    else:
        indptr = np.concatenate([[0], np.cumsum(valid)])
        indices = codes[valid]
    return _csc(indices, indptr, nrows, len(codes))


def _stacked_indicator(codes: list[np.ndarray], sizes: list[int]) -> sp.csc_matrix:
    """Indicators of several groupings of the same rows stacked vertically (one product computes all)."""
    if len(codes) == 1:
        return _indicator(codes[0], sizes[0])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    idx = np.stack([np.where(c >= 0, c + off, -1) for c, off in zip(codes, offsets, strict=True)], axis=1)
    valid = idx >= 0
    indptr = np.concatenate([[0], np.cumsum(valid.sum(axis=1))])
    return _csc(idx[valid], indptr, int(sum(sizes)), len(codes[0]))


def _csc(indices: np.ndarray, indptr: np.ndarray, nrows: int, ncols: int) -> sp.csc_matrix:
    itype = np.int32 if max(nrows, len(indices)) < 2**31 - 1 else np.int64
    return sp.csc_matrix(
        (np.ones(len(indices)), indices.astype(itype, copy=False), indptr.astype(itype, copy=False)),
        shape=(nrows, ncols),
    )


def _compress(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes for the occupied values of `key` in [0, size): (code of each element, sorted values)."""
    if size <= max(8 * len(key), 1 << 16):
        counts = np.bincount(key, minlength=size)
        occupied = np.flatnonzero(counts)
        remap = np.cumsum(counts > 0) - 1
        return remap[key], occupied
    occupied, inverse = np.unique(key, return_inverse=True)
    return inverse.reshape(-1), occupied


def _aggregate(target: np.ndarray, ntarget: int, values: np.ndarray) -> np.ndarray:
    """Row sums of `values` (k × v) into `ntarget` groups given by `target` (k,)."""
    return _indicator(target, ntarget) @ values


@dataclass(frozen=True)
class Standardizer:
    """Age group code of every row and the standard population shares of the groups."""

    group: np.ndarray  # (n,) int64 codes 0..A-1
    shares: np.ndarray  # (A,)


@dataclass
class _SetPlan:
    """Index structures of one domain set: groups (cell × age), atoms, cell-atoms, cell-strata."""

    ncell: int
    ngroup: int
    atom_of_atom0: np.ndarray  # (natom0,) this set's atom of every row-level atom (-1 = none)
    natom: int
    atom_group: np.ndarray
    atom_to_catom: np.ndarray | None  # None: identity (no standardization)
    ncatom: int
    catom_cell: np.ndarray
    catom_x: np.ndarray  # stratum (element designs) or PSU (clustered designs) of each cell-atom
    catom_key: np.ndarray  # cell * x_size + x, increasing (finds a cell-atom of another set by value)
    catom_to_cpair: np.ndarray | None  # None: identity (element designs)
    ncpair: int
    cpair_cell: np.ndarray
    cpair_stratum: np.ndarray
    cpair_key: np.ndarray  # cell * n_strata + stratum, increasing


@dataclass
class CellResults:
    """(ncell, nvar) arrays of one domain set."""

    n: np.ndarray
    n_positive: np.ndarray
    n_nonzero: np.ndarray
    weight_sum: np.ndarray
    estimate: np.ndarray
    variance: np.ndarray
    df: np.ndarray
    deff: np.ndarray


@dataclass
class ContrastResults:
    """(ncell, nvar) arrays of child-minus-parent differences for the cells of one child set."""

    estimate: np.ndarray
    variance: np.ndarray
    df: np.ndarray
    n_parent: np.ndarray


@dataclass(frozen=True)
class ParentPair:
    """A child domain set nested in a parent set: the parent cell of every child cell."""

    child: int
    parent: int
    cell_parent: np.ndarray  # (ncell of child,) int64


@dataclass(frozen=True)
class _PairMap:
    catom: np.ndarray | None  # parent cell-atom of each child cell-atom (clustered designs)
    cpair: np.ndarray  # parent cell-stratum of each child cell-stratum


@dataclass
class _Parts:
    """One set's estimates and variance pieces for a block of variables, (ncell, vb) unless noted."""

    n_d: np.ndarray
    n_positive: np.ndarray
    npos_d: np.ndarray
    W_d: np.ndarray
    estimate: np.ndarray
    lam: np.ndarray  # (ncell, A, vb) linearization factor of each group (1/W, or the standardization factor)
    ybar: np.ndarray  # (ncell, A, vb) group means (of the centred y for means)
    s2: np.ndarray  # Σ_h c_h Σ_p z_hp²
    scale: np.ndarray  # bound on the size of the terms of s2 (for the rounding-noise test)
    s1: np.ndarray  # Σ_h k_h (Σ_p z_hp)²
    z_catom: np.ndarray | None  # (ncatom, vb) PSU totals of z (clustered designs)
    z_cpair: np.ndarray  # (ncpair, vb) stratum totals of z
    df: np.ndarray
    factor: np.ndarray | None  # lonely_psu="average": strata / (strata − lonely strata) of the cell's rows
    own_factor: np.ndarray | None  # the factor the cell's own variance uses (all strata when standardized)
    vsrs: np.ndarray  # SRS variance for the design effect
    empty: np.ndarray  # bool: no estimate
    q: dict[str, np.ndarray]  # (ncell, A, vb) sums by group


def _plan_set(group0: np.ndarray, x0: np.ndarray, x_size: int, ncell: int, A: int,
              rd: ResolvedDesign) -> _SetPlan:
    """Atoms of one set from the row-level atoms' group (`group0`, -1 = none) and stratum/PSU (`x0`)."""
    valid = group0 >= 0
    key = group0[valid] * x_size + x0[valid]
    atom_valid, atoms = _compress(key, ncell * A * x_size)
    atom_of_atom0 = np.full(len(group0), -1, dtype=np.int64)
    atom_of_atom0[valid] = atom_valid
    atom_group, atom_x = np.divmod(atoms, x_size)
    if A > 1:
        atom_to_catom, catoms = _compress((atom_group // A) * x_size + atom_x, ncell * x_size)
        catom_cell, catom_x = np.divmod(catoms, x_size)
    else:
        atom_to_catom, catoms, catom_cell, catom_x = None, atoms, atom_group, atom_x
    if rd.psu is not None:
        h = rd.unit_stratum[catom_x]
        catom_to_cpair, cpairs = _compress(catom_cell * rd.n_strata + h, ncell * rd.n_strata)
        cpair_cell, cpair_stratum = np.divmod(cpairs, rd.n_strata)
    else:
        catom_to_cpair, cpairs, cpair_cell, cpair_stratum = None, catoms, catom_cell, catom_x
    return _SetPlan(ncell, ncell * A, atom_of_atom0, len(atoms), atom_group, atom_to_catom,
                    len(catom_cell), catom_cell, catom_x, catoms, catom_to_cpair, len(cpair_cell), cpair_cell,
                    cpair_stratum, cpairs)


@dataclass(frozen=True)
class RowAtoms:
    """Rows grouped into atoms: finest cell × stratum (element designs) or finest cell × PSU (clustered)."""

    atom: np.ndarray  # (n,) int64 atom of each row
    natom: int
    fine: np.ndarray  # (natom,) finest cell of each atom
    x: np.ndarray  # (natom,) stratum or PSU of each atom
    stratum: np.ndarray  # (natom,) stratum of each atom


def row_atoms(rd: ResolvedDesign, domains: DomainPlan) -> RowAtoms:
    x_row = rd.psu if rd.psu is not None else rd.stratum
    x_stratum = rd.unit_stratum
    atom, keys = _compress(domains.fine * len(x_stratum) + x_row, domains.nfine * len(x_stratum))
    fine, x = np.divmod(keys, len(x_stratum))
    return RowAtoms(atom, len(keys), fine, x, x_stratum[x])


def quantities(kind: str, clustered: bool, has_zero_weights: bool) -> list[str]:
    """The per-atom sums a variable of `kind` needs (names used throughout the engine)."""
    names = ["n", "W", "Y"]
    if has_zero_weights:
        names.append("npos")
    names.append("ypos" if kind == "proportion" else "Q")
    if not clustered:
        names.append("C2")
        if kind == "mean":
            names.append("D2")
        if kind != "total":
            names.append("E2")
    return names


class RowWeights:
    """Per-row weights of the sums, fixed by the design: w, c_h·w² (element designs), w > 0 (zero weights),
    and for 0/1 variables the (n × k) matrix [1, w, c·w², w > 0] of the one-product pass."""

    def __init__(self, rd: ResolvedDesign) -> None:
        self.n = len(rd.weights)
        self.cw2 = rd.c[rd.stratum] * rd.weights * rd.weights if rd.psu is None else None
        self.positive = (rd.weights > 0).astype(np.float64) if rd.has_zero_weights else None
        self._columns = [c for c in (rd.weights, self.cw2, self.positive) if c is not None]

    @cached_property
    def ones(self) -> np.ndarray:
        return np.ones(self.n)

    @cached_property
    def features(self) -> np.ndarray:
        return np.ascontiguousarray(np.stack([self.ones, *self._columns], axis=1))

    @cached_property
    def indptr32(self) -> np.ndarray:
        return np.arange(self.n + 1, dtype=np.int32)

    @cached_property
    def indptr64(self) -> np.ndarray:
        return np.arange(self.n + 1, dtype=np.int64)


class AtomSummer:
    """Step 1 for one design, finest cells and kind: a variable -> its sums per atom.

    A 0/1 variable comes as its state codes (0 missing, 1 for y = 0, 2 for y = 1; `binary_state`): every row
    is then in one bin ``3·atom + state`` and all its sums are one sparse product of the bins' 0/1 matrix
    with the row weights [1, w, c·w², (w > 0)] — one pass over the rows for all of them — or, when there are
    so many atoms that the product's table falls out of cache, one ``np.bincount`` per weight. Other
    variables come as float values, each sum one ``np.bincount``.
    """

    def __init__(self, rd: ResolvedDesign, atoms: RowAtoms, kind: str, rows: RowWeights | None = None) -> None:
        rows = rows if rows is not None else RowWeights(rd)
        self.kind = kind
        self.natom = atoms.natom
        self.names = quantities(kind, rd.psu is not None, rd.has_zero_weights)
        self.weights, self.cw2, self.positive = rd.weights, rows.cw2, rows.positive
        self.atom = atoms.atom
        self.product = False
        if kind == "proportion":
            # one product while its (bins × weights) result stays in cache; beyond, a bincount per weight
            # (whose tables are smaller) is faster
            self.product = 3 * self.natom * rows.features.shape[1] * 8 <= PRODUCT_BYTES
            if self.product:
                self.features = rows.features
                wide = max(3 * self.natom, len(atoms.atom) + 1) >= 2**31 - 1
                indptr = rows.indptr64 if wide else rows.indptr32
                # one 0/1 matrix whose row indices (the bins) are rewritten for each variable: building a
                # sparse matrix per variable costs more than the product at survey sizes
                self.bins = sp.csc_matrix((rows.ones, (atoms.atom * 3).astype(indptr.dtype), indptr),
                                          shape=(3 * self.natom, len(atoms.atom)))
                self.key_base = (atoms.atom * 3).astype(self.bins.indices.dtype)
            else:
                self.key_base = atoms.atom * 3
        else:
            self.key_base = atoms.atom * 2

    def __call__(self, values: np.ndarray, out: np.ndarray) -> float:
        """Write the (natom, len(names)) sums of a variable into `out`: `values` are its state codes for a
        proportion, else its float values. Returns the shift subtracted from y (means are centred on the
        respondents' mean, which keeps the expanded sums of squares exact; 0 otherwise)."""
        if self.kind == "proportion":
            self._binary(values, out)
            return 0.0
        return self._continuous(values, out)

    def _binary(self, state: np.ndarray, out: np.ndarray) -> None:
        weights = [None, self.weights, self.cw2, self.positive]
        targets: list[tuple[str, str | None]] = [("n", "ypos"), ("W", "Y"), ("E2", "C2"), ("npos", None)]
        used = [i for i, w in enumerate(weights) if i == 0 or w is not None]  # binary y: w²y² = w²y for C2
        if self.product:
            np.add(self.key_base, state, out=self.bins.indices)  # every row in its bin 3·atom + state
            by_feature = (self.bins @ self.features).reshape(self.natom, 3, len(used))  # atom, state, weight
            sums = [by_feature[:, :, f] for f in range(len(used))]
        else:
            key = self.key_base + state
            sums = [np.bincount(key, weights=weights[i], minlength=3 * self.natom).reshape(self.natom, 3)
                    for i in used]
        col = {q: i for i, q in enumerate(self.names)}
        for f, i in enumerate(used):
            observed_to, one_to = targets[i]
            np.add(sums[f][:, 1], sums[f][:, 2], out=out[:, col[observed_to]])
            if one_to is not None:
                out[:, col[one_to]] = sums[f][:, 2]

    def _continuous(self, y: np.ndarray, out: np.ndarray) -> float:
        observed = ~np.isnan(y)
        nobs = int(observed.sum())
        shift = float(np.nansum(y) / nobs) if self.kind == "mean" and nobs else 0.0
        y0 = np.nan_to_num(y - shift, nan=0.0)
        key = self.key_base + observed.view(np.uint8)
        col = {q: i for i, q in enumerate(self.names)}

        def observed_sum(weights: np.ndarray | None, to: str) -> None:
            out[:, col[to]] = np.bincount(key, weights=weights, minlength=2 * self.natom)[1::2]

        def atom_sum(weights: np.ndarray, to: str) -> None:
            out[:, col[to]] = np.bincount(self.atom, weights=weights, minlength=self.natom)

        wy = self.weights * y0
        observed_sum(None, "n")
        observed_sum(self.weights, "W")
        atom_sum(wy, "Y")
        atom_sum(wy * y0, "Q")
        if self.cw2 is not None:
            cy = self.cw2 * y0
            atom_sum(cy * y0, "C2")
            if self.kind == "mean":
                atom_sum(cy, "D2")
                observed_sum(self.cw2, "E2")
        if self.positive is not None:
            observed_sum(self.positive, "npos")
        return shift


# variables -> for each in turn, its (natom, nsums) atom sums and its shift; an array may be reused for the
# next variable, so each is used before the next is asked for
SumsOf = Callable[[list[str]], Iterable[tuple[np.ndarray, float]]]


class Engine:
    """Grouped linearization for one design, set of domain sets (their finest cells) and standardization."""

    def __init__(self, rd: ResolvedDesign, domains: DomainPlan, atoms: RowAtoms, kind: str,
                 std: Standardizer | None = None) -> None:
        self.rd = rd
        self.kind = kind
        self.std = std
        self.A = 1 if std is None else len(std.shares)
        self.clustered = rd.psu is not None
        self.x_stratum = rd.unit_stratum  # stratum of each PSU (clustered) or stratum (element designs)
        x_size = len(self.x_stratum)
        self.natom0 = atoms.natom
        self.stratum0 = atoms.stratum
        std_fine = None if std is None else std.group[domains.fine_rep]
        self.sets: list[_SetPlan] = []
        for s, dset in enumerate(domains.sets):
            sof = domains.set_of_fine(s)
            gof = sof if std_fine is None else np.where(sof >= 0, sof * self.A + std_fine, -1)
            self.sets.append(_plan_set(gof[atoms.fine], atoms.x, x_size, dset.ncell, self.A, rd))
        self.atom_ind = _stacked_indicator([p.atom_of_atom0 for p in self.sets], [p.natom for p in self.sets])
        self.group_inds = [_indicator(p.atom_group, p.ngroup) for p in self.sets]
        self.need_count = rd.policy == "average" and rd.has_zero_weights
        self.names = quantities(kind, self.clustered, rd.has_zero_weights)

    def run(self, sums_of: SumsOf, variables: list[str],
            pairs: Sequence[ParentPair] = ()) -> tuple[list[CellResults], list[ContrastResults]]:
        """Results of every domain set and of every child-minus-parent pair, as (cell × variable) arrays.

        sums_of(block of variables) gives their atom sums and shifts (step 1, see `AtomSummer`)."""
        V = len(variables)
        out = [CellResults(*(np.full((p.ncell, V), np.nan) for _ in range(8))) for p in self.sets]
        diffs = [ContrastResults(*(np.full((self.sets[pair.child].ncell, V), np.nan) for _ in range(4)))
                 for pair in pairs]
        maps = [self._pair_map(pair) for pair in pairs]
        block = max(1, min(V, BLOCK_ELEMENTS // max(self.natom0 * len(self.names), 1)))
        for start in range(0, V, block):  # blocks of variables bound memory; each block is fully vectorized
            cols = variables[start:start + block]
            where = slice(start, start + len(cols))
            parts = self._run_block(sums_of(cols))
            for s, p in enumerate(self.sets):
                for field, value in self._results(p, parts[s]).items():
                    getattr(out[s], field)[:, where] = value
            for pair, mapping, target in zip(pairs, maps, diffs, strict=True):
                for field, value in self._contrast(pair, mapping, parts[pair.child], parts[pair.parent]).items():
                    getattr(target, field)[:, where] = value
        return out, diffs

    def _run_block(self, sums: Iterable[tuple[np.ndarray, float]]) -> list[_Parts]:
        """Steps 2 and 3 for a block of variables, from their atom sums."""
        rd, names = self.rd, self.names
        need_strata = rd.policy == "average" and self.std is not None
        by_set, shifts, counts = [], [], []
        for atom_sums, shift_v in sums:  # every set's atoms, per variable (row-level atoms can be many more)
            by_set.append(self.atom_ind @ atom_sums)
            shifts.append(shift_v)
            if need_strata:  # strata with respondents for y, anywhere
                counts.append(np.bincount(self.stratum0, weights=atom_sums[:, 0], minlength=rd.n_strata))
        vb, nq = len(by_set), len(names)
        shift = np.array(shifts)
        set_atoms = np.stack(by_set, axis=2).reshape(-1, nq * vb)  # quantity-major, then variable
        global_strata = np.stack(counts, axis=1) > 0 if need_strata else None

        parts = []
        a0 = 0
        for s, p in enumerate(self.sets):
            atoms_s = set_atoms[a0:a0 + p.natom]
            a0 += p.natom
            lin_s = (self.group_inds[s] @ atoms_s).reshape(p.ncell, self.A, nq, vb)
            q = {name: lin_s[:, :, i, :] for i, name in enumerate(names)}
            atoms_q = atoms_s.reshape(p.natom, nq, vb)
            at = {name: atoms_q[:, i, :] for i, name in enumerate(names) if name in ("n", "W", "Y")}
            parts.append(self._parts(p, q, at, shift, global_strata))
        return parts

    # -- per-set combination (arrays over cells × variables) ------------------------------------------------
    def _parts(self, p: _SetPlan, q: dict[str, np.ndarray], atoms: dict[str, np.ndarray], shift: np.ndarray,
               global_strata: np.ndarray | None) -> _Parts:
        """Estimates and the pieces of their variance for one set (what results and contrasts both need)."""
        rd, kind = self.rd, self.kind
        W_g, Y_g = q["W"], q["Y"]  # (ncell, A, vb)
        n_d = q["n"].sum(axis=1)
        W_d = W_g.sum(axis=1)
        Y_d = Y_g.sum(axis=1)
        npos_d = q["npos"].sum(axis=1) if "npos" in q else n_d  # respondents with non-zero weight
        npsu_d = npos_d  # PSUs with non-zero weight (rows are PSUs unless clustered)
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "total":
                lam = np.ones_like(W_g)
                ybar_g = np.zeros_like(W_g)
                estimate = Y_d
                psum = W_d
            else:
                present = W_g > 0
                ybar_g = np.where(present, Y_g / W_g, 0.0)
                if self.std is None:
                    Pi_d = np.ones_like(W_d)
                    lam = np.where(present, 1.0 / W_g, 0.0)
                else:
                    shares = self.std.shares[None, :, None]
                    Pi_d = (shares * present).sum(axis=1)
                    lam = np.where(present, shares / (Pi_d[:, None, :] * W_g), 0.0)
                # a ratio of sums, as R's Σw*y/Σw* (exactly 1 when every respondent has y = 1)
                estimate = (lam * Y_g).sum(axis=1) / (lam * W_g).sum(axis=1) + shift
                estimate = np.where((W_d > 0) & (Pi_d > 0), estimate, np.nan)
                psum = Pi_d * W_d

            # Σ_p c_h z_hp²
            s2 = scale = np.zeros_like(W_d)
            if not self.clustered:
                if kind == "total":
                    s2 = q["C2"].sum(axis=1)
                    scale = s2
                else:
                    d2 = q["D2"] if "D2" in q else q["C2"]  # binary y: w²y² = w²y
                    lam2 = lam * lam
                    s2 = (lam2 * (q["C2"] - 2 * ybar_g * d2 + ybar_g * ybar_g * q["E2"])).sum(axis=1)
                    scale = (lam2 * (q["C2"] + 2 * np.abs(ybar_g * d2) + ybar_g * ybar_g * q["E2"])).sum(axis=1)

            # stratum totals of z: atoms are (group, stratum) or (group, PSU)
            a_t, b_t = atoms["Y"], atoms["W"]
            lam_t = lam.reshape(p.ngroup, -1)[p.atom_group]
            if kind == "total":
                z_t = a_t
            else:
                z_t = lam_t * (a_t - ybar_g.reshape(p.ngroup, -1)[p.atom_group] * b_t)
            count_t = atoms["n"] if self.need_count else None
            if p.atom_to_catom is not None:
                z_t = _aggregate(p.atom_to_catom, p.ncatom, z_t)
                b_t = _aggregate(p.atom_to_catom, p.ncatom, b_t)
                if count_t is not None:
                    count_t = _aggregate(p.atom_to_catom, p.ncatom, count_t)
            z_catom = None
            if p.catom_to_cpair is not None:  # clustered: cell-atoms are (cell, PSU), summed to (cell, stratum)
                z_catom = z_t
                c_t = rd.c[self.x_stratum[p.catom_x]][:, None]
                s2 = _aggregate(p.catom_cell, p.ncell, c_t * z_t * z_t)
                scale = s2
                npsu_d = _aggregate(p.catom_cell, p.ncell, (b_t > 0).astype(np.float64))
                z_t = _aggregate(p.catom_to_cpair, p.ncpair, z_t)
                b_t = _aggregate(p.catom_to_cpair, p.ncpair, b_t)
                if count_t is not None:
                    count_t = _aggregate(p.catom_to_cpair, p.ncpair, count_t)
            k_t = rd.k[p.cpair_stratum][:, None]
            s1 = _aggregate(p.cpair_cell, p.ncell, k_t * z_t * z_t)
            nstrata_d = _aggregate(p.cpair_cell, p.ncell, (b_t > 0).astype(np.float64))

            factor = None
            if rd.policy == "average":
                # strata of the cell's respondents for y (zero weights included, as R's subset keeps them)
                here = ((count_t if count_t is not None else b_t) > 0).astype(np.float64)
                nstrat = _aggregate(p.cpair_cell, p.ncell, here)
                nlonely = _aggregate(p.cpair_cell, p.ncell, here * rd.lonely[p.cpair_stratum][:, None])
                factor = nstrat / (nstrat - nlonely)

            vsrs = self._srs_variance(q, lam, estimate - shift, npos_d, psum)

        empty = n_d == 0
        if kind != "total":  # no positive weight: R's ratio is 0/0 and so is everything derived from it
            empty = empty | np.isnan(estimate)
        own_factor: np.ndarray | None = factor
        if factor is not None and global_strata is not None:
            # standardized estimates: R's calibrated subset keeps every respondent's stratum in the design
            nstrat_g = global_strata.sum(axis=0)[None, :]
            nlonely_g = (global_strata & rd.lonely[:, None]).sum(axis=0)[None, :]
            own_factor = np.broadcast_to(nstrat_g / (nstrat_g - nlonely_g), factor.shape)
        return _Parts(n_d=n_d, n_positive=q["ypos"].sum(axis=1) if "ypos" in q else np.full_like(n_d, np.nan),
                      npos_d=npos_d, W_d=W_d, estimate=estimate, lam=lam, ybar=ybar_g, s2=s2, scale=scale, s1=s1,
                      z_catom=z_catom, z_cpair=z_t, df=npsu_d - nstrata_d, factor=factor, own_factor=own_factor,
                      vsrs=vsrs, empty=empty, q=q)

    def _srs_variance(self, q: dict[str, np.ndarray], lam: np.ndarray, ybar: np.ndarray, npos_d: np.ndarray,
                      psum: np.ndarray) -> np.ndarray:
        """Variance under simple random sampling without replacement, for the design effect (as R's
        svymean(deff=TRUE)); `ybar` is the estimate of the centred y (means) or of y."""
        W_g, Y_g = q["W"], q["Y"]
        W_d, Y_d = W_g.sum(axis=1), Y_g.sum(axis=1)
        Q_g = q["Q"] if "Q" in q else Y_g  # binary y: Σ w y² = Σ w y
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "total":
                mean = Y_d / W_d
                ss = Q_g.sum(axis=1) - 2 * mean * Y_d + mean * mean * W_d
            elif self.std is None:
                ss = Q_g.sum(axis=1) - 2 * ybar * Y_d + ybar * ybar * W_d
            else:
                yb = ybar[:, None, :]
                ss = psum * (lam * (Q_g - 2 * yb * Y_g + yb * yb * W_g)).sum(axis=1)
            s2_srs = npos_d / (npos_d - 1) * ss / psum
            if self.kind == "total":
                return s2_srs * W_d * W_d * (W_d - npos_d) / (W_d * npos_d)
            return np.where(psum < npos_d, np.nan, s2_srs * (psum - npos_d) / (psum * npos_d))

    def _results(self, p: _SetPlan, parts: _Parts) -> dict[str, np.ndarray]:
        variance = parts.s2 - parts.s1
        # The expanded sums cancel when the true variance is 0 (one respondent, constant y): what is left is
        # rounding noise of the size eps·scale, whose square root would pose as an SE.
        variance = np.where(np.abs(variance) <= NOISE * (parts.scale + parts.s1), 0.0, variance)
        if parts.own_factor is not None:
            variance = variance * parts.own_factor
        with np.errstate(divide="ignore", invalid="ignore"):
            deff = variance / parts.vsrs
        result = {
            "n": parts.n_d,
            "n_positive": parts.n_positive,
            "n_nonzero": parts.npos_d,
            "weight_sum": parts.W_d,
            "estimate": parts.estimate,
            "variance": variance,
            "df": parts.df,
            "deff": deff,
        }
        for key in ("estimate", "variance", "df", "deff"):
            result[key] = np.where(parts.empty, np.nan, result[key])
        return result

    # -- child minus parent ---------------------------------------------------------------------------------
    def _pair_map(self, pair: ParentPair) -> _PairMap:
        """Where each cell-atom and cell-stratum of the child set sits in the parent set's arrays."""
        child, parent = self.sets[pair.child], self.sets[pair.parent]
        x_size = len(self.x_stratum)
        catom = None
        if self.clustered:
            key = pair.cell_parent[child.catom_cell] * x_size + child.catom_x
            catom = np.searchsorted(parent.catom_key, key)
        key = pair.cell_parent[child.cpair_cell] * self.rd.n_strata + child.cpair_stratum
        return _PairMap(catom=catom, cpair=np.searchsorted(parent.cpair_key, key))

    def _contrast(self, pair: ParentPair, mapping: _PairMap, c: _Parts, P: _Parts) -> dict[str, np.ndarray]:
        """p_d − p_P for every child cell d, with the variance of z_d − z_P on the design (the rows of d are
        also rows of P, so V = V_d + V_P − 2 Cov, the covariance from the same sums over strata and PSUs)."""
        rd = self.rd
        child = self.sets[pair.child]
        par = pair.cell_parent
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if c.z_catom is not None and P.z_catom is not None and mapping.catom is not None:  # clustered
                c_t = rd.c[self.x_stratum[child.catom_x]][:, None]
                cross_psu = _aggregate(child.catom_cell, child.ncell, c_t * c.z_catom * P.z_catom[mapping.catom])
            else:  # rows are PSUs: the cross-products are over the child's rows, from its sums by group
                lam_p, ybar_p = P.lam[par], P.ybar[par]
                q = c.q
                d2 = q["D2"] if "D2" in q else q["C2"]
                cross_psu = (c.lam * lam_p * (q["C2"] - (c.ybar + ybar_p) * d2 + c.ybar * ybar_p * q["E2"])
                             ).sum(axis=1)
            k_t = rd.k[child.cpair_stratum][:, None]
            cross_stratum = _aggregate(child.cpair_cell, child.ncell, k_t * c.z_cpair * P.z_cpair[mapping.cpair])
            variance = (c.s2 - c.s1) + (P.s2[par] - P.s1[par]) - 2 * (cross_psu - cross_stratum)
            bound = (np.sqrt(c.scale) + np.sqrt(P.scale[par])) ** 2 + (np.sqrt(c.s1) + np.sqrt(P.s1[par])) ** 2
            variance = np.where(np.abs(variance) <= NOISE * bound, 0.0, variance)
            if P.factor is not None:  # lonely strata averaged over the strata of the parent's respondents
                variance = variance * P.factor[par]
        empty = c.empty | P.empty[par]
        return {
            "estimate": np.where(empty, np.nan, c.estimate - P.estimate[par]),
            "variance": np.where(empty, np.nan, variance),
            "df": np.where(empty, np.nan, P.df[par]),
            "n_parent": P.n_d[par],
        }
