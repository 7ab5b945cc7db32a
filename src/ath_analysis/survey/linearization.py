"""Taylor-linearization variances of ratio means and totals, for many variables × domain cells at once.

For a domain cell d and variable y (respondents with y missing left out, as R's
``subset(design, d & !is.na(y))``), the linearized values are z_i = λ_g (w_i y_i − ȳ_g w_i) for a ratio
mean (λ_g = 1/W_d, or the standardization factor of age group g) and z_i = w_i y_i for a total. With PSU
totals z_hp, the with-replacement variance is

    V = Σ_h c_h Σ_p z_hp² − Σ_h k_h (Σ_p z_hp)²       (c_h, k_h from `ResolvedDesign`)

Nothing here loops over respondents or cells. Every sum needed is linear in rows at the level of
"atoms": (finest cell of all domain columns × stratum), or (finest cell × PSU) with clusters. So:

1. one pass over the rows accumulates, per atom and variable, n, Σw, Σwy, … and — when respondents are
   their own PSUs — the squared terms Σ c w² y², Σ c w² y, Σ c w² (``np.bincount`` over a variable-major
   block: the fastest grouped sum NumPy has);
2. for every domain set, atoms are aggregated (sparse indicator products, all sets stacked in one product)
   to (group, stratum) or (group, PSU), with group = cell × age group under standardization;
3. the variance is assembled from these small tables, vectorized over cells × variables.

Variables are processed in blocks only to bound memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ath_analysis.survey.design import ResolvedDesign
from ath_analysis.survey.domains import DomainPlan
from ath_analysis.survey.validation import numeric_block

NOISE = 64 * np.finfo(np.float64).eps  # relative rounding level of the variance sums
BLOCK_ELEMENTS = 1 << 23  # rows × variables per block: bounds each float64 temporary to 64 MiB


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
    catom_to_cpair: np.ndarray | None  # None: identity (element designs)
    ncpair: int
    cpair_cell: np.ndarray
    cpair_stratum: np.ndarray


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
        atom_to_catom, catom_cell, catom_x = None, atom_group, atom_x
    if rd.psu is not None:
        h = rd.psu_stratum[catom_x]
        catom_to_cpair, cpairs = _compress(catom_cell * rd.n_strata + h, ncell * rd.n_strata)
        cpair_cell, cpair_stratum = np.divmod(cpairs, rd.n_strata)
    else:
        catom_to_cpair, cpair_cell, cpair_stratum = None, catom_cell, catom_x
    return _SetPlan(ncell, ncell * A, atom_of_atom0, len(atoms), atom_group, atom_to_catom,
                    len(catom_cell), catom_cell, catom_x, catom_to_cpair, len(cpair_cell), cpair_cell,
                    cpair_stratum)


class Engine:
    """Grouped linearization for one frame, design, set of domain sets and optional standardization."""

    def __init__(self, frame: pd.DataFrame, rd: ResolvedDesign, domains: DomainPlan, kind: str,
                 std: Standardizer | None = None) -> None:
        self.frame = frame
        self.rd = rd
        self.kind = kind
        self.std = std
        self.A = 1 if std is None else len(std.shares)
        self.clustered = rd.psu is not None
        self.n = len(frame)
        x_row = rd.psu if self.clustered else rd.stratum
        x_size = (int(rd.psu.max()) + 1) if self.clustered else rd.n_strata
        # row-level atoms: finest cell × stratum (or × PSU)
        self.atom0, keys0 = _compress(domains.fine * x_size + x_row, domains.nfine * x_size)
        self.natom0 = len(keys0)
        fine0, x0 = np.divmod(keys0, x_size)
        self.stratum0 = rd.psu_stratum[x0] if self.clustered else x0
        std_fine = None if std is None else std.group[domains.fine_rep]
        self.sets: list[_SetPlan] = []
        for s, dset in enumerate(domains.sets):
            sof = domains.set_of_fine(s)
            gof = sof if std_fine is None else np.where(sof >= 0, sof * self.A + std_fine, -1)
            self.sets.append(_plan_set(gof[fine0], x0, x_size, dset.ncell, self.A, rd))
        self.atom_ind = _stacked_indicator([p.atom_of_atom0 for p in self.sets], [p.natom for p in self.sets])
        self.group_inds = [_indicator(p.atom_group, p.ngroup) for p in self.sets]
        self.cw2 = rd.c[rd.stratum] * rd.weights * rd.weights
        self.positive = (rd.weights > 0).astype(np.float64)
        self.need_count = rd.policy == "average" and rd.has_zero_weights
        self.names = self._linear_names()

    def _linear_names(self) -> list[str]:
        names = ["n", "W", "Y"]
        if self.rd.has_zero_weights:
            names.append("npos")
        names.append("ypos" if self.kind == "proportion" else "Q")
        if not self.clustered:
            names.append("C2")
            if self.kind == "mean":
                names.append("D2")
            if self.kind != "total":
                names.append("E2")
        return names

    def run(self, variables: list[str]) -> list[CellResults]:
        V = len(variables)
        out = [CellResults(*(np.full((p.ncell, V), np.nan) for _ in range(8))) for p in self.sets]
        block = max(1, min(V, BLOCK_ELEMENTS // max(self.n, 1)))
        for start in range(0, V, block):  # blocks of variables bound memory; each block is fully vectorized
            cols = variables[start:start + block]
            self._run_block(cols, out, slice(start, start + len(cols)))
        return out

    def _run_block(self, cols: list[str], out: list[CellResults], where: slice) -> None:
        rd, kind, names = self.rd, self.kind, self.names
        Y = numeric_block(self.frame, cols, kind)  # (vb, n): variable-major, so every operation is contiguous
        vb = Y.shape[0]
        m = ~np.isnan(Y)
        if kind == "mean":  # centre on the respondents' mean: keeps the expanded sums of squares exact
            shift = np.where(m, Y, 0.0).sum(axis=1) / np.maximum(m.sum(axis=1), 1)
            y0 = np.where(m, Y - shift[:, None], 0.0)
        else:
            shift = np.zeros(vb)
            y0 = np.where(m, Y, 0.0)
        del Y
        mf = m.astype(np.float64)
        del m
        w = self.rd.weights
        cw2 = self.cw2
        nq = len(names)
        keys = (self.atom0[None, :] + (np.arange(vb) * self.natom0)[:, None]).reshape(-1)
        sums0 = np.empty((self.natom0, nq * vb))  # per row-level atom: quantity-major, then variable
        for i, name in enumerate(names):
            if name == "n":
                values = mf
            elif name == "W":
                values = w * mf
            elif name == "Y":
                values = w * y0
            elif name == "npos":
                values = mf * self.positive
            elif name == "ypos":
                values = y0
            elif name == "Q":
                values = w * y0 * y0
            elif name == "C2":
                values = cw2 * y0 if kind == "proportion" else cw2 * y0 * y0  # binary y: y² = y
            elif name == "D2":
                values = cw2 * y0
            else:  # E2
                values = cw2 * mf
            counts = np.bincount(keys, weights=values.reshape(-1), minlength=vb * self.natom0)
            sums0[:, i * vb:(i + 1) * vb] = counts.reshape(vb, self.natom0).T
            del values
        del keys, y0, mf
        set_atoms = self.atom_ind @ sums0
        global_strata = None
        if rd.policy == "average" and self.std is not None:  # strata with respondents for y, anywhere
            global_strata = _aggregate(self.stratum0, rd.n_strata, sums0[:, :vb]) > 0

        a0 = 0
        for s, p in enumerate(self.sets):
            atoms_s = set_atoms[a0:a0 + p.natom]
            a0 += p.natom
            lin_s = (self.group_inds[s] @ atoms_s).reshape(p.ncell, self.A, nq, vb)
            q = {name: lin_s[:, :, i, :] for i, name in enumerate(names)}
            atoms_q = atoms_s.reshape(p.natom, nq, vb)
            parts = {name: atoms_q[:, i, :] for i, name in enumerate(names) if name in ("n", "W", "Y")}
            res = self._finish(p, q, parts, shift, global_strata)
            for field, value in res.items():
                getattr(out[s], field)[:, where] = value

    # -- per-set combination (arrays over cells × variables) ------------------------------------------------
    def _finish(self, p: _SetPlan, q: dict[str, np.ndarray], atoms: dict[str, np.ndarray], shift: np.ndarray,  # noqa: C901
                global_strata: np.ndarray | None) -> dict[str, np.ndarray]:
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
            if self.clustered:
                c_t = rd.c[rd.psu_stratum[p.catom_x]][:, None]
                s2 = _aggregate(p.catom_cell, p.ncell, c_t * z_t * z_t)
                scale = s2
                npsu_d = _aggregate(p.catom_cell, p.ncell, (b_t > 0).astype(np.float64))
                z_t = _aggregate(p.catom_to_cpair, p.ncpair, z_t)
                b_t = _aggregate(p.catom_to_cpair, p.ncpair, b_t)
                if count_t is not None:
                    count_t = _aggregate(p.catom_to_cpair, p.ncpair, count_t)
            k_t = rd.k[p.cpair_stratum][:, None]
            s1 = _aggregate(p.cpair_cell, p.ncell, k_t * z_t * z_t)
            variance = s2 - s1
            # The expanded sums cancel when the true variance is 0 (one respondent, constant y): what is
            # left is rounding noise of the size eps·scale, whose square root would pose as an SE.
            variance = np.where(np.abs(variance) <= NOISE * (scale + s1), 0.0, variance)
            nstrata_d = _aggregate(p.cpair_cell, p.ncell, (b_t > 0).astype(np.float64))
            df = npsu_d - nstrata_d

            if rd.policy == "average":
                lonely = rd.lonely
                if global_strata is not None:  # standardized: R keeps all respondents' strata in the design
                    nstrat = global_strata.sum(axis=0)[None, :]
                    nlonely = (global_strata & lonely[:, None]).sum(axis=0)[None, :]
                else:
                    here = ((count_t if count_t is not None else b_t) > 0).astype(np.float64)
                    nstrat = _aggregate(p.cpair_cell, p.ncell, here)
                    nlonely = _aggregate(p.cpair_cell, p.ncell, here * lonely[p.cpair_stratum][:, None])
                variance = variance * nstrat / (nstrat - nlonely)

            # design effect against simple random sampling without replacement, as svymean(deff=TRUE)
            Q_g = q["Q"] if "Q" in q else Y_g  # binary y: Σ w y² = Σ w y
            if kind == "total":
                ybar = Y_d / W_d
                ss = Q_g.sum(axis=1) - 2 * ybar * Y_d + ybar * ybar * W_d
            elif self.std is None:
                ybar = estimate - shift
                ss = Q_g.sum(axis=1) - 2 * ybar * Y_d + ybar * ybar * W_d
            else:
                ybar = (estimate - shift)[:, None, :]
                ss = Pi_d * W_d * (lam * (Q_g - 2 * ybar * Y_g + ybar * ybar * W_g)).sum(axis=1)
            s2_srs = npos_d / (npos_d - 1) * ss / psum
            if kind == "total":
                vsrs = s2_srs * W_d * W_d * (W_d - npos_d) / (W_d * npos_d)
            else:
                vsrs = np.where(psum < npos_d, np.nan, s2_srs * (psum - npos_d) / (psum * npos_d))
            deff = variance / vsrs

        empty = n_d == 0
        if kind != "total":  # no positive weight: R's ratio is 0/0 and so is everything derived from it
            empty = empty | np.isnan(estimate)
        result = {
            "n": n_d,
            "n_positive": q["ypos"].sum(axis=1) if "ypos" in q else np.full_like(n_d, np.nan),
            "n_nonzero": npos_d,
            "weight_sum": W_d,
            "estimate": estimate,
            "variance": variance,
            "df": df,
            "deff": deff,
        }
        for key in ("estimate", "variance", "df", "deff"):
            result[key] = np.where(empty, np.nan, result[key])
        return result
