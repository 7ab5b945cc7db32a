"""The linked-table audit: no group of fewer than `min_n` respondents may be recovered from all published cells.

Every published cell (a row of the estimate table, a level of a comparison model, a sub-area's direct
estimate) is a set of respondents: those in the cell's domain who are in the indicator's denominator. What a
cell publishes about its set — n, n_positive, weight_sum, the weighted mean — are sums over its respondents
(or ratios of such sums), so any linear combination of published cells publishes the same sums over the
combination. Cells are audited per wave and per indicator *family*: indicators whose values agree wherever
both are defined (the same indicator with a narrower denominator, say `age < 80`) describe one value per
respondent, so their cells combine; cells of unrelated indicators sum different values and do not.

Within a family the respondents fall into *atoms*: the classes of respondents that lie in exactly the same
cells (of every table and every member indicator). Every cell is a union of atoms; a linear combination of
published cells is a vector over atoms, and a set of atoms is *determined* when its 0/1 vector lies in the
row space of the published cells' incidence matrix M. Cells with n = 0 hold no atom and reveal nothing.
The audit

1. applies primary suppression: a cell with 0 < n < min_n is withheld;
2. finds every *exposed* set — 0 < n < min_n respondents, determined — among: every atom (the exact test
   of the issue), every cell, every difference B − A of nested cells (under nested denominators too: the
   "80+" part of each cell), every remainder of a cell B after the published cells of one partition inside
   it (two small suppressed cells of a partition with a small union), the differences of those remainders
   and nested differences with other cells (second order), the age strata of standardized cells and the
   union of a standardized cell's undetermined strata;
3. withholds, for each exposed set (smallest first), the cheapest *swap cut* and repeats from 2 until
   nothing is exposed: a class a of atoms inside the exposed set v and a class b outside it; withholding
   every published cell that holds exactly one of them leaves e_a − e_b orthogonal to every cell that
   stays but not to v, so v is no longer determined — also when several published routes lead to it. The
   cost is the respondents of the withheld cells; with a lone small cell in a partition the cheapest cut is
   its smallest sibling alone (classic complementary suppression). Ties go to the smallest class indices
   (classes are ordered by their cells' codes). Each round only removes cells, so nothing determined reappears,
   the loop ends (in practice after one round per family), and reruns are byte-identical.

The test: published rows are de-duplicated (a standardized row is the same set as its crude row; the
estimate table's urban–rural class and the crude model's level are one set), atoms that no published cell
tells apart are merged into classes (a vector that splits a class is not determined), and an orthonormal
basis of the row space is built exactly in two orthogonal parts — dense blocks for the cells inside one
connected block (a municipality and its sub-cells) and, for the few wide cells (region, sex, "the rest of
the region"), what is left after projecting the blocks out. v is determined iff its squared distance to the
row space, ‖v‖² − ‖Qᵀv‖², is at most `TOLERANCE` = 1e-8. Why that bound: the distance is computed with an
error of a few ε·‖v‖² (ε = 2.2e-16, ‖v‖² ≤ the number of classes, ≤ 1e5 at national scale), i.e. below
1e-10; a vector that is not determined is at squared distance ≥ 1/‖z‖² for an integer null-space vector z of
the 0/1 matrix, and for the partitions, refinements and nested denominators of these tables z has entries
0/±1 on at most all classes, so ≥ 1e-5. Every audit records the largest distance it counted as determined
and the smallest it counted as undetermined (default data: ≤ 7e-13 and ≥ 0.79), so each run shows the gap.

Exact certificate (`certify` > 0): once no checked set is exposed, a MILP (HiGHS) looks for the determined
union of atoms with the fewest respondents; a union below min_n is withheld like any exposed set and the
audit goes on, so a certified family has no determined union of 0 < n < min_n respondents at all. It costs
seconds per family (default data: ~70 s for all waves, every family certified with nothing more to withhold)
and is off by default; without it, unions that are none of the checked sets can stay determined (random
tables show such cases with odd overlapping partitions and random denominators; see the tests).

Not covered:
- inference from bounds (counts are non-negative integers; a determined difference a1 − a2 can pin both);
- non-linear statistics: adjusted model margins and pooled-wave models (cells marked `linear=False`: only
  primary suppression applies), a standardized estimate beyond its strata's union, Fay–Herriot estimates
  (the model estimate of a suppressed area, with its shrinkage, can be inverted towards the direct one),
  CIs and SEs beyond their n;
- counts: n and weight_sum of *different* families can be differenced (how many respondents of a cell did
  not answer an item); they reveal no value, except when an indicator's denominator lies where another's
  value is constant ("among daily smokers"): such an indicator is *linked* to that family and its cells —
  their counts are that family's sums — are audited with it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from ath_analysis.errors import DataError

TOLERANCE = 1e-8  # squared distance to the row space at or below which a set counts as determined
DENSE_LIMIT = 4_000_000  # published sets × classes up to which one dense SVD is cheaper than splitting
PAIR_ENTRIES = 20_000_000  # sparse entries per chunk when checking pairs of sets for nesting
DENSE_OVERLAP = 16_000_000  # pool members² up to which their overlaps are kept as a dense array (128 MB)
AGREEMENT = 1e-9  # relative difference below which two indicators' values count as equal
AGREEMENT_PROBE = 2048  # rows compared first when telling whether two indicators agree
KINDS = ("atom", "cell", "difference", "remainder", "stratum", "standardized", "union")
CELL_COLUMNS = ("grouping", "key", "indicator")
_SEED = 20261123
_KEY_LIMIT = 2 ** 62  # packed signature keys stay below this (int64)


@dataclass(frozen=True)
class Grouping:
    """One way a published table splits respondents into cells: a cell code per respondent (−1: in no cell).

    name: unique, e.g. "estimates/municipality_sex". keys: the text key of each code, as the table names
    the cell (its domain_value). mask: respondents that must also hold for a cell of this grouping to count
    them, besides the indicator's denominator (e.g. adjusters observed in an adjusted model); None = all.
    """

    name: str
    codes: np.ndarray
    keys: tuple[str, ...]
    mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        codes = np.asarray(self.codes)
        if codes.ndim != 1 or not np.issubdtype(codes.dtype, np.integer):
            raise ValueError(f"grouping {self.name}: codes must be a 1-d integer array")
        if len(codes) and (codes.min() < -1 or codes.max() >= len(self.keys)):
            raise ValueError(f"grouping {self.name}: codes must lie in [-1, {len(self.keys)})")
        if len(set(self.keys)) != len(self.keys):
            raise ValueError(f"grouping {self.name}: keys must be unique")
        if self.mask is not None and np.asarray(self.mask).shape != codes.shape:
            raise ValueError(f"grouping {self.name}: mask must have one value per respondent")

    @classmethod
    def from_labels(cls, name: str, labels: pd.Series | np.ndarray | Sequence[object],
                    mask: np.ndarray | None = None) -> Grouping:
        """A grouping from one label per respondent (missing: in no cell); keys are the labels as text, sorted."""
        values = pd.Series(labels, dtype="object")
        present = values.notna().to_numpy()
        text = values[present].astype(str)
        keys = tuple(sorted(set(text)))
        codes = np.full(len(values), -1, dtype=np.int64)
        codes[present] = pd.Index(keys).get_indexer(text)
        return cls(name, codes, keys, None if mask is None else np.asarray(mask, dtype=bool))


@dataclass(frozen=True)
class Family:
    """Indicators audited together: `members` agree wherever two of them are defined; `linked` indicators have
    their denominator inside a member's and, there, the member's value is constant, so their counts are the
    member's sums."""

    members: tuple[str, ...]
    linked: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoundStats:
    """One round of the audit of one family: exposed sets found (by kind) and cells withheld because of them."""

    family: int
    round: int
    exposed: Mapping[str, int]
    withheld: int


@dataclass(frozen=True)
class LinkedAudit:
    """What the audit decided for each cell (index of the cells table) and the figures that show it.

    given: withheld before the audit (e.g. no respondents); primary: 0 < n < min_n; secondary: withheld
    because a small set was recoverable otherwise. n: respondents of each cell, from the membership.
    """

    n: pd.Series
    given: pd.Series
    primary: pd.Series
    secondary: pd.Series
    families: tuple[Family, ...]
    rounds: tuple[RoundStats, ...]
    atoms: int
    small_atoms: int
    sets_checked: int
    max_determined_distance: float
    min_undetermined_distance: float
    exposed_after: int = 0
    certified: bool | None = None  # None: not searched; True: no small determined union in any family
    uncertified: tuple[str, ...] = ()  # families whose exact search did not finish in time

    @property
    def suppressed(self) -> pd.Series:
        """Every cell that publishes nothing: given, primary or secondary."""
        return self.given | self.primary | self.secondary

    def summary(self) -> dict[str, object]:
        """Figures for the audit record: cells published and withheld, atoms and sets checked, rounds."""
        exposed: dict[str, int] = {}
        for r in self.rounds:
            for kind, count in r.exposed.items():
                exposed[kind] = exposed.get(kind, 0) + count
        return {
            "cells": int(len(self.n)),
            "published": int((~self.suppressed).sum()),
            "withheld_given": int(self.given.sum()),
            "withheld_primary": int((self.primary & ~self.given).sum()),
            "withheld_secondary": int(self.secondary.sum()),
            "families": len(self.families),
            "atoms": self.atoms,
            "small_atoms": self.small_atoms,
            "sets_checked": self.sets_checked,
            "rounds": len(self.rounds),
            "exposed_found": exposed,
            "exposed_after": self.exposed_after,
            "max_determined_distance": self.max_determined_distance,
            "min_undetermined_distance": (self.min_undetermined_distance
                                          if np.isfinite(self.min_undetermined_distance) else None),
            "certified": self.certified,
            "uncertified": list(self.uncertified),
        }


# ---------------------------------------------------------------------------------------------------- families
def _agree(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.abs(a - b) <= AGREEMENT * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))))


def families(frame: pd.DataFrame, indicator_ids: Sequence[str]) -> list[Family]:
    """Group indicators whose values agree wherever both are non-missing (and overlap): their cells combine.

    Members are joined transitively (merging is conservative: the audit then treats their values as one).
    An indicator X is linked to a family when its denominator lies inside a member's and that member's value is
    constant on X's denominator ("among daily smokers"): X's counts then are the member's sums.
    """
    ids = list(dict.fromkeys(indicator_ids))
    missing = [i for i in ids if i not in frame]
    if missing:
        raise DataError(f"disclosure audit: indicator(s) {', '.join(missing)} are not in the indicator table")
    values = [frame[i].to_numpy(dtype=np.float64, na_value=np.nan) for i in ids]
    defined = [~np.isnan(v) for v in values]
    parent = list(range(len(ids)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    matrix = np.array(defined, dtype=np.float64).reshape(len(ids), len(frame))
    shared = matrix @ matrix.T  # respondents two denominators share (whole numbers: exact)
    head = slice(0, AGREEMENT_PROBE)  # most pairs already disagree on the first rows: a cheap exact refusal
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            both = defined[a] & defined[b]
            if not both.any():
                continue
            first = both[head]
            if not _agree(values[a][head][first], values[b][head][first]):
                continue
            if _agree(values[a][both], values[b][both]):
                parent[max(root(a), root(b))] = min(root(a), root(b))
    groups: dict[int, list[int]] = {}
    for k in range(len(ids)):
        groups.setdefault(root(k), []).append(k)
    out = []
    for members in groups.values():
        linked = []
        for x in range(len(ids)):
            if x in members or not defined[x].any():
                continue
            for m in members:
                if shared[x, m] == shared[x, x] and np.ptp(values[m][defined[x]]) == 0:
                    linked.append(ids[x])
                    break
        out.append(Family(tuple(ids[m] for m in members), tuple(linked)))
    return out


# ------------------------------------------------------------------------------------------------ the cells
@dataclass(frozen=True)
class _Cells:
    """The cells table as arrays: grouping, code, indicator index per cell, and what each cell publishes."""

    index: pd.Index
    group: np.ndarray
    code: np.ndarray
    indicator: np.ndarray
    linear: np.ndarray
    strata: np.ndarray  # grouping index of a standardized row's age strata, −1 = not standardized
    given: np.ndarray
    n: np.ndarray


def _read_cells(cells: pd.DataFrame, groupings: Sequence[Grouping], values: pd.DataFrame) -> _Cells:
    for column in CELL_COLUMNS:
        if column not in cells:
            raise ValueError(f"cells need a '{column}' column")
    by_name = {g.name: k for k, g in enumerate(groupings)}
    if len(by_name) != len(groupings):
        raise ValueError("grouping names must be unique")
    names = cells["grouping"].astype(str).to_numpy()
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        raise ValueError(f"cells name grouping(s) {', '.join(unknown[:5])} that were not given")
    group = pd.Index(list(by_name)).get_indexer(names).astype(np.int64)
    keys = cells["key"].astype(str).to_numpy()
    code = np.full(len(cells), -1, dtype=np.int64)
    for k, g in enumerate(groupings):
        rows = group == k
        if rows.any():
            code[rows] = pd.Index(g.keys).get_indexer(keys[rows])
    label = cells["label"].astype(str).to_numpy() if "label" in cells else \
        np.char.add(np.char.add(names.astype(str), " "), keys.astype(str))
    if (code < 0).any():
        bad = np.flatnonzero(code < 0)
        raise DataError(f"disclosure audit: {len(bad)} published cell(s) match no respondent group, e.g. "
                        f"{label[bad[0]]} (indicator {cells['indicator'].iloc[bad[0]]}); is the table from "
                        f"another run than the indicator data?")
    indicator_ids = cells["indicator"].astype(str).to_numpy()
    absent = sorted(set(indicator_ids) - set(values.columns))
    if absent:
        raise DataError(f"disclosure audit: indicator(s) {', '.join(absent[:5])} of the published tables are not "
                        "in the indicator data")
    indicator = pd.Index(values.columns).get_indexer(indicator_ids).astype(np.int64)
    linear = cells["linear"].fillna(True).astype(bool).to_numpy() if "linear" in cells else np.ones(len(cells), bool)
    strata = np.full(len(cells), -1, dtype=np.int64)
    if "strata" in cells:
        named = cells["strata"].notna().to_numpy() & (cells["strata"].astype(object) != "").to_numpy()
        strata_names = cells["strata"].astype(str).to_numpy()[named]
        strata[named] = pd.Index(list(by_name)).get_indexer(strata_names)
        if (strata[named] < 0).any():
            raise ValueError(f"cells name strata grouping(s) {', '.join(sorted(set(strata_names) - set(by_name)))} "
                             "that were not given")
    given = cells["suppressed"].fillna(False).astype(bool).to_numpy() if "suppressed" in cells else \
        np.zeros(len(cells), bool)
    n = _cell_counts(group, code, indicator, groupings, values)
    if "n" in cells:
        table_n = pd.to_numeric(cells["n"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        wrong = ~np.isnan(table_n) & (table_n != n)
        if wrong.any():
            j = int(np.flatnonzero(wrong)[0])
            raise DataError(f"disclosure audit: {int(wrong.sum())} published cell(s) have an n that does not match "
                            f"their respondents, e.g. {label[j]} (indicator {indicator_ids[j]}): n = "
                            f"{int(table_n[j])} in the table, {int(n[j])} in the indicator data")
    return _Cells(cells.index, group, code, indicator, linear, strata, given, n)


def _cell_counts(group: np.ndarray, code: np.ndarray, indicator: np.ndarray, groupings: Sequence[Grouping],
                 values: pd.DataFrame) -> np.ndarray:
    """Respondents of each cell: in the cell's group, its grouping's mask and the indicator's denominator."""
    n = np.zeros(len(group), dtype=np.int64)
    if not len(group):
        return n
    defined = values.notna().to_numpy()
    pairs, pair_of_cell = np.unique(np.stack([group, indicator], axis=1), axis=0, return_inverse=True)
    pair_of_cell = pair_of_cell.reshape(-1)
    for p, (g, k) in enumerate(pairs):  # a loop over (grouping, indicator) pairs; each is one bincount
        grouping = groupings[g]
        inside = _members(grouping, defined[:, k])
        counts = np.bincount(grouping.codes[inside], minlength=len(grouping.keys))
        rows = pair_of_cell == p
        n[rows] = counts[code[rows]]
    return n


def _members(grouping: Grouping, denominator: np.ndarray) -> np.ndarray:
    inside = denominator & (grouping.codes >= 0)
    if grouping.mask is not None:
        inside &= grouping.mask
    return inside


# ------------------------------------------------------------------------------------------- sparse helpers
def _compact(columns: Sequence[np.ndarray], n: int) -> np.ndarray:
    """One code per row for each distinct combination of integer columns (−1 allowed), in lexicographic order.

    The columns are packed as mixed-radix digits of one int64 key, re-compressed to ranks (a hash
    factorization, not a sort) only when the next digit would overflow: a signature of hundreds of
    partitions costs tens of factorizations instead of one sort per column.
    """
    key = np.zeros(n, dtype=np.int64)
    span = 1  # the key lies in [0, span)
    for column in columns:
        shifted = np.asarray(column, dtype=np.int64) + 1
        base = int(shifted.max(initial=0)) + 1
        if span * base > _KEY_LIMIT:
            key, span = _ranks(key)
        key = key * base + shifted
        span *= base
    return _ranks(key)[0] if len(columns) else key


def _ranks(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Each value's rank among the distinct values (as np.unique's inverse), and their number."""
    codes, uniques = pd.factorize(key, sort=True)
    return codes.astype(np.int64, copy=False), max(len(uniques), 1)


def _rows_equal_groups(matrix: sparse.csr_matrix) -> np.ndarray:
    """For each row, the index of the first row with the same entries (exact, via hashes then a check)."""
    m, ncol = matrix.shape
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(_SEED)
    weights = rng.random((ncol, 2))
    hashed = np.column_stack([matrix @ weights, np.asarray(matrix.sum(axis=1)).ravel()])
    # rows of equal hashes, by hash factorization (not a sort of the rows); then each group's first row
    group = np.zeros(m, dtype=np.int64)
    for column in hashed.T:
        codes, uniques = pd.factorize(column)
        group = pd.factorize(group * len(uniques) + codes)[0]
    first = np.empty(int(group.max()) + 1, dtype=np.int64)
    first[group[::-1]] = np.arange(m - 1, -1, -1)  # the last write wins: each group's first row
    rep = first[group]
    if (matrix - matrix[rep]).count_nonzero():  # a hash collision: astronomically unlikely; be exact anyway
        rep = _rows_equal_exact(matrix)
    return rep.astype(np.int64)


def _rows_equal_exact(matrix: sparse.csr_matrix) -> np.ndarray:
    seen: dict[bytes, int] = {}
    matrix = matrix.tocsr(copy=True)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    out = np.empty(matrix.shape[0], dtype=np.int64)
    for i in range(matrix.shape[0]):
        row = slice(matrix.indptr[i], matrix.indptr[i + 1])
        key = matrix.indices[row].tobytes() + matrix.data[row].tobytes()  # values too: combinations are ±1
        out[i] = seen.setdefault(key, i)
    return out


def _exactly_one(size: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """A mask of the positions in exactly one of two lists of distinct positions (their symmetric difference)."""
    out = np.zeros(size, dtype=bool)
    out[first] = True
    out[second] ^= True
    return out


def _incidence(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _wide(rows: sparse.csr_matrix) -> np.ndarray:
    """Rows that hold a large share of the columns (more than 1/20, and more than 64)."""
    return np.diff(rows.indptr) > max(64, rows.shape[1] // 20)


def _overlaps(rows: sparse.csr_matrix, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, Σ weights over the columns rows i and j share) for every pair of overlapping rows.

    The few rows that hold a large share of the columns (the region, "the rest of the region" of each
    municipality) are multiplied densely; a sparse product over them would cost (rows per column)².
    """
    wide = _wide(rows)
    narrow_rows = np.flatnonzero(~wide)
    part = (rows[narrow_rows] @ sparse.diags(weights) @ rows.T).tocoo()
    i, j, v = narrow_rows[part.row], part.col, part.data
    wide_rows = np.flatnonzero(wide)
    keep = wide[j]  # narrow × wide pairs, also as wide × narrow
    pieces_i, pieces_j, pieces_v = [i, j[keep]], [j, i[keep]], [v, v[keep]]
    if len(wide_rows):
        dense = rows[wide_rows].toarray()
        block = (dense * weights) @ dense.T
        a, b = np.nonzero(block)
        pieces_i.append(wide_rows[a])
        pieces_j.append(wide_rows[b])
        pieces_v.append(block[a, b])
    return np.concatenate(pieces_i), np.concatenate(pieces_j), np.concatenate(pieces_v)


# ------------------------------------------------------------------------------------------------- one family
@dataclass
class _Round:
    exposed_kinds: dict[str, int] = field(default_factory=dict)
    sets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # exposed-set rows chosen to withhold
    exposed: int = 0
    certified: bool = False  # an exact search found no small determined union


class _Block:
    """The cells of one family in one wave, over the family's atoms."""

    def __init__(self, cells: _Cells, rows: np.ndarray, members: np.ndarray, groupings: Sequence[Grouping],
                 values: pd.DataFrame, min_n: int) -> None:
        self.cells = cells
        self.rows = rows  # positions in the cells table
        self.min_n = min_n
        nresp = len(values)
        denominators = _family_denominators(values, np.unique(cells.indicator[rows]), members)
        # partitions: one (grouping, indicator) pair each; its cells are disjoint
        pairs, part_of_row = np.unique(np.stack([cells.group[rows], cells.indicator[rows]], axis=1), axis=0,
                                       return_inverse=True)
        part_of_row = part_of_row.reshape(-1)
        self.parts = pairs
        columns, has_row = [], []
        for p, (g, k) in enumerate(pairs):
            grouping = groupings[g]
            present = np.zeros(len(grouping.keys), dtype=bool)
            present[cells.code[rows[part_of_row == p]]] = True
            inside = _members(grouping, denominators[int(k)])
            inside &= present[np.where(grouping.codes >= 0, grouping.codes, 0)]
            columns.append(np.where(inside, grouping.codes, -1))
            has_row.append(present)
        universe = np.zeros(nresp, dtype=bool)
        for column in columns:
            universe |= column >= 0
        who = np.flatnonzero(universe)
        sig = [c[who] for c in columns]
        strata_groups = [int(s) for s in np.unique(cells.strata[rows][cells.strata[rows] >= 0])]
        sig += [groupings[s].codes[who] for s in strata_groups]
        atom = _compact(sig, len(who))
        self.natoms = int(atom.max()) + 1 if len(atom) else 0
        self.atom_n = np.bincount(atom, minlength=self.natoms).astype(np.float64)
        first = np.unique(atom, return_index=True)[1]
        self.atom_sig = np.stack([s[first] for s in sig], axis=1) if sig and len(first) else \
            np.zeros((self.natoms, len(sig)), np.int64)
        nparts = len(pairs)
        # proto-sets: (partition, code) of the rows; sets: proto-sets with the same atoms
        proto_pairs, proto_of_row = np.unique(np.stack([part_of_row, cells.code[rows]], axis=1), axis=0,
                                              return_inverse=True)
        proto_of_row = proto_of_row.reshape(-1)
        lookup = [np.full(len(groupings[g].keys), -1, dtype=np.int64) for g, _ in pairs]
        for p in range(nparts):  # a loop over partitions
            mine = np.flatnonzero(proto_pairs[:, 0] == p)
            lookup[p][proto_pairs[mine, 1]] = mine
        entries_r, entries_c = [], []
        for p in range(nparts):
            col = self.atom_sig[:, p]
            atoms = np.flatnonzero(col >= 0)
            entries_r.append(lookup[p][col[atoms]])
            entries_c.append(atoms)
        proto = _incidence(np.concatenate(entries_r) if entries_r else np.zeros(0, np.int64),
                           np.concatenate(entries_c) if entries_c else np.zeros(0, np.int64),
                           (len(proto_pairs), self.natoms))
        rep = _rows_equal_groups(proto)
        set_ids, set_of_proto = np.unique(rep, return_inverse=True)
        set_of_proto = set_of_proto.reshape(-1)
        self.nsets = len(set_ids)
        self.sets = proto[set_ids]
        self.set_of_row = set_of_proto[proto_of_row]
        self.set_n = self.sets @ self.atom_n
        self.proto_part = proto_pairs[:, 0]
        self.proto_set = set_of_proto
        self.proto_lookup = lookup
        self._build_pool(groupings, pairs, has_row, denominators, who)
        self._build_fixed_candidates(members, strata_groups)

    # ----------------------------------------------------------------------------------------- construction
    def _build_pool(self, groupings: Sequence[Grouping], pairs: np.ndarray, has_row: list[np.ndarray],
                    denominators: Mapping[int, np.ndarray], who: np.ndarray) -> None:
        """Sets plus shadow sets (the part of a cell under one denominator that is not under a narrower one)."""
        vectors = [self.sets]
        kinds_part = [sparse.csr_matrix(
            (np.ones(len(self.proto_part)), (self.proto_set, self.proto_part)), shape=(self.nsets, len(pairs)))]
        kinds_part[0].data[:] = 1.0
        outer_sets, inner_sets, shadow_key = [], [], []
        nparts = len(pairs)
        for p1, (g1, k1) in enumerate(pairs):  # a loop over pairs of partitions, not over cells
            for p2, (g2, k2) in enumerate(pairs):
                if p1 == p2 or g1 != g2:
                    continue
                grouping = groupings[g1]
                d1 = _members(grouping, denominators[int(k1)])
                d2 = _members(grouping, denominators[int(k2)])
                if (d2 & ~d1).any() or not (d1 & ~d2).any():
                    continue  # not strictly nested
                both = np.flatnonzero(has_row[p1] & has_row[p2])
                outer_sets.append(self.proto_set[self.proto_lookup[p1][both]])
                inner_sets.append(self.proto_set[self.proto_lookup[p2][both]])
                shadow_key.append(np.full(len(both), p1 * nparts + p2))
        outer = np.concatenate(outer_sets) if outer_sets else np.zeros(0, np.int64)
        inner = np.concatenate(inner_sets) if inner_sets else np.zeros(0, np.int64)
        keys = np.concatenate(shadow_key) if shadow_key else np.zeros(0, np.int64)
        distinct = outer != inner
        self.shadow_outer, self.shadow_inner = outer[distinct], inner[distinct]
        nshadow = len(self.shadow_outer)
        if nshadow:
            shadows = (self.sets[self.shadow_outer] - self.sets[self.shadow_inner]).tocsr()
            shadows.eliminate_zeros()
            vectors.append(shadows)
            codes, shadow_index = np.unique(keys[distinct], return_inverse=True)
            kinds_part.append(sparse.csr_matrix((np.ones(nshadow), (np.arange(nshadow),
                                                                     nparts + shadow_index.reshape(-1))),
                                                shape=(nshadow, nparts + len(codes))))
            kinds_part[0].resize((self.nsets, nparts + len(codes)))
        pool = sparse.vstack(vectors).tocsr()
        membership = sparse.vstack(kinds_part).tocsr()
        # a shadow equal to a set (or to another shadow) is the same set: keep the first, merge its partitions
        rep = _rows_equal_groups(pool)
        keep, new_of_old = np.unique(rep, return_inverse=True)
        new_of_old = new_of_old.reshape(-1)
        self.pool = pool[keep]
        merge = sparse.csr_matrix((np.ones(pool.shape[0]), (new_of_old, np.arange(pool.shape[0]))),
                                  shape=(len(keep), pool.shape[0]))
        self.pool_part = (merge @ membership).tocsr()
        self.pool_part.data[:] = 1.0
        self.pool_n = self.pool @ self.atom_n
        self.npool = len(keep)
        # what each pool member is, to decide whether it is published: a set, or the shadow of two sets
        first_of_new = np.full(len(keep), -1, dtype=np.int64)
        olds = np.arange(pool.shape[0])
        first_of_new[new_of_old[::-1]] = olds[::-1]
        self.pool_set = np.where(first_of_new < self.nsets, first_of_new, -1)
        is_shadow = olds >= self.nsets
        self.shadow_pool = new_of_old[is_shadow]  # the pool member each shadow became
        # containment among pool members: overlap[A, B] = n(A ∩ B); A ⊂ B iff overlap = n(A)
        row, col, shared = _overlaps(self.pool, self.atom_n)
        inside = (np.abs(shared - self.pool_n[row]) < 0.5) & (self.pool_n[row] < self.pool_n[col] - 0.5)
        self.contained = sparse.csr_matrix((np.ones(int(inside.sum())), (col[inside], row[inside])),
                                           shape=(self.npool, self.npool))  # [B, A] = 1: A ⊊ B
        self.overlap = sparse.csr_matrix((shared, (row, col)), shape=(self.npool, self.npool))
        self.overlap.sort_indices()  # element look-ups then bisect a row instead of scanning it
        # B − A for the nested pairs, as combinations of pool members, for the second-order differences; not
        # for B among the wide sets (the region, "the rest of the region" of each municipality …), whose
        # differences with a cell are cells again or checked as first-order differences and remainders
        nested = self.contained.tocoo()
        narrow = ~_wide(self.pool)[nested.row]
        nested = sparse.coo_matrix((nested.data[narrow], (nested.row[narrow], nested.col[narrow])),
                                   shape=nested.shape)
        self.nested = sparse.csr_matrix(
            (np.r_[np.ones(nested.nnz), -np.ones(nested.nnz)],
             (np.r_[np.arange(nested.nnz), np.arange(nested.nnz)], np.r_[nested.row, nested.col])),
            shape=(nested.nnz, self.npool))
        self.nested_n = self.pool_n[nested.row] - self.pool_n[nested.col]

    def _build_fixed_candidates(self, members: np.ndarray, strata_groups: list[int]) -> None:
        """Sets whose recovery would be a disclosure and that do not depend on what is published."""
        small = (self.atom_n < self.min_n)
        blocks, kinds, ns = [], [], []
        atoms = np.flatnonzero(small)
        blocks.append(_incidence(np.arange(len(atoms)), atoms, (len(atoms), self.natoms)))
        kinds += ["atom"] * len(atoms)
        ns.append(self.atom_n[atoms])
        small_sets = np.flatnonzero((self.pool_n > 0) & (self.pool_n < self.min_n))
        blocks.append(self.pool[small_sets])
        kinds += ["cell"] * len(small_sets)
        ns.append(self.pool_n[small_sets])
        nested = self.contained.tocoo()
        diff = self.pool_n[nested.row] - self.pool_n[nested.col]
        pick = (diff > 0) & (diff < self.min_n)
        if pick.any():
            blocks.append((self.pool[nested.row[pick]] - self.pool[nested.col[pick]]).tocsr())
            kinds += ["difference"] * int(pick.sum())
            ns.append(diff[pick])
        # age strata of standardized rows: all of them (the standardized check needs each one's status)
        cells = self.cells
        std = np.flatnonzero((cells.strata[self.rows] >= 0) & np.isin(cells.indicator[self.rows], members)
                             & cells.linear[self.rows])
        self.std_rows = std  # positions within self.rows
        ncols = self.atom_sig.shape[1]
        strata_col = ncols - len(strata_groups) + np.searchsorted(np.array(strata_groups, dtype=np.int64),
                                                                    cells.strata[self.rows[std]])
        entries = self.sets[self.set_of_row[std]].tocoo()  # (standardized row, atom)
        stratum_code = self.atom_sig[entries.col, strata_col[entries.row]] if len(std) else np.zeros(0, np.int64)
        keep = stratum_code >= 0
        pairs = np.stack([entries.row[keep], stratum_code[keep]], axis=1)
        unit, unit_of_entry = np.unique(pairs, axis=0, return_inverse=True) if len(pairs) else \
            (np.zeros((0, 2), np.int64), np.zeros(0, np.int64))
        self.std_of_stratum = std[unit[:, 0]] if len(unit) else np.zeros(0, np.int64)  # position within rows
        self.strata = _incidence(unit_of_entry.reshape(-1), entries.col[keep], (len(unit), self.natoms))
        self.strata_n = self.strata @ self.atom_n
        fixed = sparse.vstack(blocks).tocsr() if blocks else sparse.csr_matrix((0, self.natoms))
        self.fixed = fixed
        self.fixed_kind = np.array(kinds, dtype=object)
        self.fixed_n = np.concatenate(ns) if ns else np.zeros(0)
        self.small_atoms = int(small.sum())

    # ---------------------------------------------------------------------------------------------- rounds
    def published_sets(self, withheld: np.ndarray) -> np.ndarray:
        """A set is published when any of its rows is."""
        out = np.zeros(self.nsets, dtype=bool)
        open_rows = ~withheld[self.rows]
        out[self.set_of_row[open_rows]] = True
        return out

    def _pool_published(self, set_pub: np.ndarray) -> np.ndarray:
        """A pool member is published when it is a published set or the shadow of two published sets."""
        out = np.where(self.pool_set >= 0, set_pub[np.maximum(self.pool_set, 0)], False)
        np.logical_or.at(out, self.shadow_pool, set_pub[self.shadow_outer] & set_pub[self.shadow_inner])
        return out

    def _remainders(self, pool_pub: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Every B minus the published cells of one partition inside B, where there are two or more of them and
        someone is left (with one, B − A is a difference of nested sets, checked anyway); as combinations of
        pool members (+1 for B, −1 for each cell taken away)."""
        children = (self.contained @ sparse.diags(pool_pub.astype(np.float64))).tocsr()  # [B, A]: A ⊊ B, published
        count = (children @ self.pool_part).tocoo()
        mass = (children @ sparse.diags(self.pool_n) @ self.pool_part).tocsr()
        rest = self.pool_n[count.row] - np.asarray(mass[count.row, count.col]).ravel()
        pick = (rest > 0.5) & (count.data > 1.5)
        if not pick.any():
            return sparse.csr_matrix((0, self.npool)), np.zeros(0)
        b, p = count.row[pick], count.col[pick]
        select = children[b].multiply(self.pool_part[:, p].T.tocsr()).tocsr()
        own = sparse.csr_matrix((np.ones(len(b)), (np.arange(len(b)), b)), shape=(len(b), self.npool))
        return (own - select).tocsr(), rest[pick]

    def _close_differences(self, combos: sparse.csr_matrix, n: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Pool members X and derived sets d (combinations of pool members) with d ⊊ X or X ⊊ d and a
        difference of 0 < n < min_n, as combinations of pool members.

        Only sets whose sizes differ by less than min_n can give a small difference: a window over the pool
        sorted by n finds the pairs, and n(d ∩ X) = Σ_i c_i n(P_i ∩ X) comes from the pool's overlaps.
        """
        order = np.argsort(self.pool_n, kind="stable")
        sizes = self.pool_n[order]
        pieces = []
        for sign in (1, -1):  # X ⊋ d (n_X in (n_d, n_d + min_n)), then X ⊊ d (n_X in (n_d − min_n, n_d))
            low = np.searchsorted(sizes, n + 0.5 if sign > 0 else n - self.min_n + 0.5, side="left")
            high = np.searchsorted(sizes, n + self.min_n - 0.5 if sign > 0 else n - 0.5, side="right")
            counts = np.maximum(high - low, 0)
            total = int(counts.sum())
            if total == 0:
                continue
            d = np.repeat(np.arange(len(n)), counts)
            x = order[np.repeat(low, counts) + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)]
            shared = self._shared(combos, d, x)
            inner_n = n[d] if sign > 0 else self.pool_n[x]
            hit = np.abs(shared - inner_n) < 0.5
            d, x = d[hit], x[hit]
            own = sparse.csr_matrix((np.ones(len(x)), (np.arange(len(x)), x)), shape=(len(x), self.npool))
            pieces.append((own - combos[d]) if sign > 0 else (combos[d] - own))
        if not pieces:
            return sparse.csr_matrix((0, self.npool)), np.zeros(0)
        out = sparse.vstack(pieces).tocsr()
        return out, np.asarray(out @ self.pool_n).ravel()

    def _shared(self, combos: sparse.csr_matrix, d: np.ndarray, x: np.ndarray) -> np.ndarray:
        """n(d ∩ X) = Σ_i c_i n(P_i ∩ X) for each pair of a combination d (ascending) and a pool member X.

        The sums are of whole numbers, so they are exact in any order. A pool of up to a few thousand members
        reads its overlaps from a dense copy (a gather, not a sparse element look-up); a larger one from the
        sparse matrix.
        """
        shared = np.zeros(len(d))
        if self.npool ** 2 <= DENSE_OVERLAP:
            overlap = self.overlap.toarray()
            counts = np.diff(combos.indptr)
            step = max(1, PAIR_ENTRIES // max(1, int(counts.max(initial=1))))
            for start in range(0, len(d), step):  # chunks of pairs: bounded memory
                part = slice(start, start + step)
                per_pair = counts[d[part]]
                pair = np.repeat(np.arange(len(per_pair)), per_pair)
                entry = np.repeat(combos.indptr[d[part]] - np.cumsum(per_pair) + per_pair, per_pair) + \
                    np.arange(len(pair))
                looked = overlap[combos.indices[entry], x[part][pair]]
                shared[part] = np.bincount(pair, weights=combos.data[entry] * looked, minlength=len(per_pair))
            return shared
        step = max(1, PAIR_ENTRIES // max(1, int(np.diff(combos.indptr).max(initial=1))))
        for start in range(0, len(d), step):  # chunks of pairs: bounded memory
            part = slice(start, start + step)
            rows = combos[d[part]].tocoo()
            looked = np.asarray(self.overlap[rows.col, x[part][rows.row]]).ravel()
            shared[part] = np.bincount(rows.row, weights=rows.data * looked, minlength=len(d[part]))
        return shared

    def evaluate(self, withheld: np.ndarray, choose: bool, certify: float = 0.0
                 ) -> tuple[_Round, float, float, int]:
        """Exposed sets under the current withholding and, if `choose`, what to withhold next. With
        `certify` > 0 (seconds), when no checked set is exposed, search for any small determined union."""
        set_pub = self.published_sets(withheld)
        pool_pub = self._pool_published(set_pub)
        every, every_n = self._remainders(pool_pub)
        # remainders and differences of nested sets are determined when their parts are: compared with the
        # other sets, they can leave a small difference too (second order)
        close, close_n = self._close_differences(sparse.vstack([every, self.nested]).tocsr(),
                                                 np.concatenate([every_n, self.nested_n]))
        small = every_n < self.min_n
        rem, rem_n = every[np.flatnonzero(small)] @ self.pool, every_n[small]
        first = np.unique(_rows_equal_groups(close))  # a combination found twice is one set: one product
        close, close_n = close[first] @ self.pool, close_n[first]
        close.eliminate_zeros()
        found = sparse.vstack([self.fixed, rem, close]).tocsr()
        unique = np.unique(_rows_equal_groups(found))  # one set found twice is checked once, as its first kind
        candidates = sparse.vstack([found[unique], self.strata]).tocsr()
        kinds = np.concatenate([np.concatenate([self.fixed_kind, np.array(["remainder"] * rem.shape[0], dtype=object),
                                                np.array(["difference"] * close.shape[0], dtype=object)])[unique],
                                np.array(["stratum"] * self.strata.shape[0], dtype=object)])
        cand_n = np.concatenate([np.concatenate([self.fixed_n, rem_n, close_n])[unique], self.strata_n])
        space = _RowSpace(self, set_pub)
        determined, distance = space.test(candidates)
        # a standardized row publishes its set; with some strata determined, the others' union is too
        unions, union_n = self._strata_unions(determined[len(cand_n) - len(self.strata_n):], withheld)
        if unions.shape[0]:
            more, more_distance = space.test(unions)
            candidates = sparse.vstack([candidates, unions]).tocsr()
            kinds = np.concatenate([kinds, np.array(["standardized"] * unions.shape[0], dtype=object)])
            cand_n = np.concatenate([cand_n, union_n])
            determined = np.concatenate([determined, more])
            distance = np.concatenate([distance, more_distance])
        exposed = determined & (cand_n > 0.5) & (cand_n < self.min_n)
        result = _Round()
        for kind in KINDS:
            count = int((exposed & (kinds == kind)).sum())
            if count:
                result.exposed_kinds[kind] = count
        result.exposed = int(exposed.sum())
        undetermined = distance[~determined & np.isfinite(distance)]
        max_det = float(distance[determined].max()) if determined.any() else 0.0
        min_und = float(undetermined.min()) if len(undetermined) else np.inf
        if certify > 0 and not exposed.any():
            union, union_size, result.certified = _smallest_union(self, space, certify)
            if union is not None and union_size < self.min_n - 0.5:
                result.exposed_kinds["union"] = 1
                result.exposed = 1
                candidates, cand_n, exposed = union, np.array([union_size]), np.array([True])
        if choose and exposed.any():
            result.sets = self._choose(space, candidates[np.flatnonzero(exposed)], cand_n[exposed])
        return result, max_det, min_und, candidates.shape[0]

    def _strata_unions(self, determined: np.ndarray, withheld: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Per published standardized row: the union of its strata that are not determined (if some are)."""
        open_unit = ~withheld[self.rows[self.std_of_stratum]]
        pick = open_unit & ~determined & (self.strata_n > 0)
        some_known = np.bincount(self.std_of_stratum, weights=(open_unit & determined).astype(float),
                                 minlength=len(self.rows)) > 0
        pick &= some_known[self.std_of_stratum]
        if not pick.any():
            return sparse.csr_matrix((0, self.natoms)), np.zeros(0)
        units, unit_of = np.unique(self.std_of_stratum[pick], return_inverse=True)
        select = _incidence(unit_of.reshape(-1), np.flatnonzero(pick), (len(units), len(self.strata_n)))
        return (select @ self.strata).tocsr(), select @ self.strata_n

    def _choose(self, space: _RowSpace, vectors: sparse.csr_matrix, exposed_n: np.ndarray) -> np.ndarray:
        """What to withhold so that no exposed set stays determined, fewest respondents first (greedy).

        For each exposed set v (smallest first) the cheapest *swap* is taken: a class a inside v and a class b
        outside it (or no class: the atoms in no published set); withholding every published set that holds
        exactly one of them leaves e_a − e_b orthogonal to all that stays, but not to v, so v is no longer
        determined — also when several published routes lead to v. Its cost is the respondents of those sets;
        in a partition with a lone small cell it is the smallest sibling alone (today's complementary
        suppression). Every other exposed set holding exactly one of a and b is done with too; withholding
        more later in the round cannot make them determined again.
        """
        reduced, _ = space._reduce(vectors)  # (exposed × classes), 0/1
        by_class = space.by_class
        weight = self.set_n[space.pub]
        column_weight = np.asarray(space.matrix.T @ weight).ravel()  # respondents of the sets holding a class
        exposed_by_class = reduced.tocsc()
        # respondents of the sets two classes share: the wide sets densely (BLAS), the others sparsely
        wide = _wide(space.matrix)
        narrow = sparse.diags(np.where(wide, 0.0, weight)) @ space.matrix
        narrow_weight = np.asarray(narrow.sum(axis=0)).ravel()
        dense_wide = space.matrix[np.flatnonzero(wide)].toarray()
        wide_weight = weight[wide]
        cheapest_wide = float(wide_weight.min(initial=np.inf))
        # classes with the same wide sets: a swap within them withholds no wide set
        pattern = _compact(list(dense_wide.astype(np.int64)), len(column_weight))
        by_pattern = np.argsort(pattern, kind="stable")
        pattern_start = np.searchsorted(pattern[by_pattern], np.arange(pattern.max(initial=0) + 2))
        nclass = len(column_weight)
        # (classes × classes), for all classes at once; respondent counts are whole numbers, so any summation
        # order gives the same sums
        narrow_shared = (by_class.T @ narrow).tocsr()
        wide_shared = (dense_wide.T * wide_weight) @ dense_wide if nclass ** 2 <= DENSE_OVERLAP else None
        order = np.lexsort((np.arange(len(exposed_n)), exposed_n))
        handled = np.zeros(len(exposed_n), dtype=bool)
        chosen = np.zeros(len(space.pub), dtype=bool)
        for e in order:  # a loop over the exposed sets of one round; each step is vectorized
            if handled[e]:
                continue
            inside = reduced.indices[reduced.indptr[e]:reduced.indptr[e + 1]]
            shared_narrow = narrow_shared[inside].toarray()  # (k × classes)
            a, b = self._cheapest_swap_alike(inside, pattern, by_pattern, pattern_start, shared_narrow,
                                             narrow_weight, column_weight, cheapest_wide)
            if a < 0:  # a swap across wide sets may be cheaper: price every pair
                shared = shared_narrow + (wide_shared[inside] if wide_shared is not None else
                                          (dense_wide[:, inside].T * wide_weight) @ dense_wide)
                cost = column_weight[inside][:, None] + column_weight[None, :] - 2.0 * shared
                cost[:, inside] = np.inf
                cost = np.column_stack([cost, column_weight[inside]])  # b: outside every published set
                a, b = (int(i) for i in np.unravel_index(int(np.argmin(cost)), cost.shape))
            rows_a = by_class.indices[by_class.indptr[inside[a]]:by_class.indptr[inside[a] + 1]]
            rows_b = by_class.indices[by_class.indptr[b]:by_class.indptr[b + 1]] if b < nclass else \
                np.zeros(0, np.int64)
            chosen |= _exactly_one(len(chosen), rows_a, rows_b)
            cols = exposed_by_class.indptr
            in_a = exposed_by_class.indices[cols[inside[a]]:cols[inside[a] + 1]]
            in_b = exposed_by_class.indices[cols[b]:cols[b + 1]] if b < nclass else np.zeros(0, np.int64)
            handled |= _exactly_one(len(handled), in_a, in_b)
        return space.pub[chosen]

    @staticmethod
    def _cheapest_swap_alike(inside: np.ndarray, pattern: np.ndarray, by_pattern: np.ndarray, start: np.ndarray,
                             shared_narrow: np.ndarray, narrow_weight: np.ndarray, column_weight: np.ndarray,
                             bound: float) -> tuple[int, int]:
        """The cheapest swap (a, b) with b in the same wide sets as a, or b outside every set; (−1, −1) unless
        it costs less than `bound` (then no other swap can beat or tie it). Ties: smallest a, then b."""
        nclass = len(column_weight)
        best, best_a, best_b = np.inf, -1, -1
        taken = np.zeros(nclass + 1, dtype=bool)
        taken[inside] = True
        for k, a in enumerate(inside):  # a loop over the classes of one exposed set (few)
            alike = by_pattern[start[pattern[a]]:start[pattern[a] + 1]]
            alike = np.sort(alike[~taken[alike]])
            cost = narrow_weight[a] + narrow_weight[alike] - 2.0 * shared_narrow[k, alike]
            options = np.r_[cost, column_weight[a]]
            j = int(np.argmin(options)) if len(options) else -1
            if options[j] < best:
                best, best_a, best_b = float(options[j]), k, int(alike[j]) if j < len(alike) else nclass
        return (best_a, best_b) if best < bound else (-1, -1)

    def withhold(self, withheld: np.ndarray, result: _Round) -> int:
        """Withhold the chosen sets' rows: every row that publishes them."""
        before = int(withheld.sum())
        if len(result.sets):
            rows = np.isin(self.set_of_row, result.sets)
            withheld[self.rows[rows]] = True
        return int(withheld.sum()) - before


def _smallest_union(block: _Block, space: _RowSpace, time_limit: float
                    ) -> tuple[sparse.csr_matrix | None, float, bool]:
    """The determined union of atoms with the fewest respondents, by an exact MILP (HiGHS, via scipy).

    Variables: λ (one per published set, free) and v (one per class of fewer than min_n respondents,
    0/1); constraints: Σ_j λ_j set_j = v on every class (0 on the others), Σ v ≥ 1; minimize Σ n_k v_k.
    Returns (the union over atoms or None, its n, certified): certified when the search finished, i.e. no
    determined union is smaller than the one returned (or none exists). A union the MILP reports is
    re-checked with the row-space test; a numerical artefact counts as not certified.
    """
    from scipy import optimize  # here: only a certified audit needs it

    matrix = space.matrix  # (published × classes)
    size = np.asarray(space.members.T @ block.atom_n).ravel()  # respondents per class
    small = np.flatnonzero((size < block.min_n) & ~space.outside)
    if len(small) == 0 or matrix.shape[0] == 0:
        return None, np.inf, True
    m, nclass = matrix.shape
    pick = sparse.csr_matrix((-np.ones(len(small)), (small, np.arange(len(small)))), shape=(nclass, len(small)))
    equal = sparse.hstack([matrix.T.tocsr(), pick]).tocsr()
    some = sparse.hstack([sparse.csr_matrix((1, m)), sparse.csr_matrix(np.ones((1, len(small))))]).tocsr()
    result = optimize.milp(
        np.r_[np.zeros(m), size[small]],
        constraints=[optimize.LinearConstraint(equal, 0.0, 0.0), optimize.LinearConstraint(some, 1.0, np.inf)],
        integrality=np.r_[np.zeros(m), np.ones(len(small))],
        bounds=optimize.Bounds(np.r_[np.full(m, -np.inf), np.zeros(len(small))], np.r_[np.full(m, np.inf),
                                                                                   np.ones(len(small))]),
        options={"time_limit": time_limit, "presolve": True})
    if result.status == 2:  # infeasible: no determined union of small classes at all
        return None, np.inf, True
    if result.x is None:
        return None, np.inf, False
    chosen = small[result.x[m:] > 0.5]
    union = (sparse.csr_matrix((np.ones(len(chosen)), (np.zeros(len(chosen), np.int64), chosen)),
                               shape=(1, nclass)) @ space.members.T).tocsr()
    n = float((union @ block.atom_n)[0])
    determined, _ = space.test(union)
    return union, n, bool(result.status == 0 and determined[0])


def _components(matrix: sparse.csr_matrix) -> np.ndarray:
    """Connected component of each column, columns linked when a row holds both (rows and columns as the two
    sides of one graph, with an edge from each row to its columns)."""
    m, c = matrix.shape
    indptr = np.r_[matrix.indptr, np.full(c, matrix.nnz)]
    graph = sparse.csr_matrix((np.ones(matrix.nnz), matrix.indices + m, indptr), shape=(m + c, m + c))
    labels = csgraph.connected_components(graph, directed=False)[1]
    return np.unique(labels[m:], return_inverse=True)[1].reshape(-1)


def _split(matrix: sparse.csr_matrix) -> np.ndarray:
    """Which rows to treat as global: the cheapest split (estimated flops) of rows into wide ones, orthonormalized
    together, and the rest, whose connected blocks are orthonormalized one by one."""
    m, c = matrix.shape
    size = np.diff(matrix.indptr)
    levels = np.unique(size)[::-1]
    if len(levels) > 12:
        levels = np.unique(np.quantile(levels, np.linspace(0, 1, 12), method="nearest"))[::-1]
    best_cost, best = np.inf, np.zeros(m, dtype=bool)
    for threshold in [np.inf, *levels]:
        wide = size > threshold
        local = matrix[~wide]
        label = _components(local)
        rows_in = np.bincount(label[local.indices[local.indptr[:-1]]] if local.nnz else np.zeros(0, np.int64),
                              minlength=label.max() + 1 if len(label) else 0)
        cols_in = np.bincount(label) if len(label) else np.zeros(0)
        small, large = np.minimum(rows_in, cols_in), np.maximum(rows_in, cols_in)
        g = int(wide.sum())
        cost = float((small.astype(float) ** 2 * large).sum()) + float(g) * g * c + 2.0 * g * c * min(m, c)
        if cost < best_cost:
            best_cost, best = cost, wide
    return best


def _orthonormal_rows(dense: np.ndarray, tolerance: float) -> np.ndarray:
    """An orthonormal basis (as rows) of the row space of a small dense matrix."""
    if dense.size == 0:
        return np.zeros((0, dense.shape[1]))
    try:
        _, s, vt = np.linalg.svd(dense, full_matrices=False)
    except np.linalg.LinAlgError:  # LAPACK's divide and conquer (gesdd) can fail to converge; QR iteration won't
        import scipy.linalg

        _, s, vt = scipy.linalg.svd(dense, full_matrices=False, lapack_driver="gesvd")
    return vt[: int((s > tolerance * max(1.0, s.max(initial=0.0))).sum())]


class _RowSpace:
    """The row space of a block's published sets, over classes of atoms that no published set separates.

    The basis comes in two mutually orthogonal parts: a block-diagonal one from the cells that stay inside
    one connected block (a municipality and its sub-cells, say), and the wide cells (region, sex, …) after
    projecting those blocks out. Exact, and cheap when the tables have the usual local structure.
    """

    def __init__(self, block: _Block, set_pub: np.ndarray) -> None:
        self.pub = np.flatnonzero(set_pub)
        published_proto = set_pub[block.proto_set]
        reduced = []
        for p in range(len(block.parts)):  # a loop over partitions: the published part of each atom's signature
            col = block.atom_sig[:, p]
            q = np.where(col >= 0, block.proto_lookup[p][np.maximum(col, 0)], -1)
            ok = q >= 0
            ok[ok] = published_proto[q[ok]]
            reduced.append(np.where(ok, col, -1))
        klass = _compact(reduced, block.natoms)
        nclass = int(klass.max()) + 1 if len(klass) else 0
        self.members = _incidence(np.arange(block.natoms), klass, (block.natoms, nclass))
        self.size = np.bincount(klass, minlength=nclass).astype(np.float64)
        matrix = (block.sets[self.pub] @ self.members).tocsr()
        matrix.data[:] = 1.0  # a set holds a class whole or not at all
        self.matrix = matrix
        self.by_class = matrix.tocsc()
        self.outside = np.diff(self.by_class.indptr) == 0  # classes in no published set
        eps = np.finfo(float).eps
        nonempty = matrix[np.diff(matrix.indptr) > 0]
        # small enough for one dense SVD (the default tables): no split
        wide = _split(nonempty) if nonempty.shape[0] * nclass > DENSE_LIMIT else np.ones(nonempty.shape[0], bool)
        local = nonempty[~wide]
        label = _components(local)
        order = np.argsort(label, kind="stable")
        starts = np.searchsorted(label[order], np.arange(label.max() + 2 if len(label) else 1))
        row_label = label[local.indices[local.indptr[:-1]]] if local.nnz else np.zeros(0, np.int64)
        rows_by_label = np.argsort(row_label, kind="stable")
        row_starts = np.searchsorted(row_label[rows_by_label], np.arange(label.max() + 2 if len(label) else 1))
        pieces_r, pieces_c, pieces_v, rank = [], [], [], 0
        for b in range(len(starts) - 1):  # a loop over blocks; each block is one dense SVD
            rows = rows_by_label[row_starts[b]:row_starts[b + 1]]
            if len(rows) == 0:
                continue
            cols = order[starts[b]:starts[b + 1]]
            basis = _orthonormal_rows(local[rows][:, cols].toarray(), max(len(rows), len(cols)) * eps * 10)
            k = basis.shape[0]
            pieces_r.append(np.repeat(cols, k))
            pieces_c.append(np.tile(np.arange(rank, rank + k), len(cols)))
            pieces_v.append(basis.T.reshape(-1))
            rank += k
        self.local = sparse.csr_matrix(
            (np.concatenate(pieces_v) if pieces_v else np.zeros(0),
             (np.concatenate(pieces_r) if pieces_r else np.zeros(0, np.int64),
              np.concatenate(pieces_c) if pieces_c else np.zeros(0, np.int64))), shape=(nclass, rank))
        globe = nonempty[wide]
        rest = globe.toarray() - ((globe @ self.local) @ self.local.T).toarray() if globe.shape[0] else \
            np.zeros((0, nclass))
        self.wide = _orthonormal_rows(np.asarray(rest), 1e-9)  # rounding of the projection is ~1e-14

    def _reduce(self, vectors: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Vectors over classes (0/1), and whether each is whole: it holds every class it touches entirely and
        touches no class outside all published sets (otherwise it cannot be a published combination)."""
        counts = (vectors @ self.members).tocsr()
        counts.sum_duplicates()
        row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        split = (counts.data != self.size[counts.indices]) | self.outside[counts.indices]
        whole = np.ones(counts.shape[0], dtype=bool)
        whole[row_of[split]] = False
        counts.data[:] = 1.0
        return counts, whole

    def test(self, vectors: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Per vector: determined (in the row space) and its squared distance to it (inf: splits a class)."""
        reduced, whole = self._reduce(vectors)
        distance = np.full(vectors.shape[0], np.inf)
        rows = np.flatnonzero(whole)
        if len(rows):
            kept = reduced[rows]
            near = kept @ self.local
            far = np.asarray(kept @ self.wide.T)
            inside = np.asarray(near.multiply(near).sum(axis=1)).ravel() + (far ** 2).sum(axis=1)
            distance[rows] = np.maximum(np.diff(kept.indptr) - inside, 0.0)
        return distance <= TOLERANCE, distance


# --------------------------------------------------------------------------------------------------- the audit
def _family_denominators(values: pd.DataFrame, indicators: np.ndarray, members: np.ndarray
                         ) -> dict[int, np.ndarray]:
    """Who each indicator's cells hold, as far as the family's values go.

    A member's cells hold its denominator. A linked indicator X (its denominator inside a member A's, where
    A's value is a constant c) publishes through its n the sum of A's value over X's respondents of a cell —
    which is A's sum over X's respondents *and* every respondent of the cell where A's value is 0. So X's cells
    stand for that larger set; with c = 0 they reveal no sum of A's and hold no one here.
    """
    out = {}
    frame = {int(k): values.iloc[:, int(k)].to_numpy(dtype=np.float64, na_value=np.nan) for k in indicators}
    member_set = {int(m) for m in members}
    for k, y in frame.items():
        defined = ~np.isnan(y)
        if k in member_set:
            out[k] = defined
            continue
        out[k] = np.zeros(len(y), dtype=bool)
        for m in members:  # the member whose value is constant on X's denominator
            value = values.iloc[:, int(m)].to_numpy(dtype=np.float64, na_value=np.nan)
            inside = ~np.isnan(value)
            if (defined & ~inside).any() or not defined.any() or np.ptp(value[defined]) != 0:
                continue
            if value[defined][0] != 0:
                out[k] = defined | (inside & (value == 0))
            break
    return out


def _family_rows(cells: _Cells, family: Family, columns: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    index = {name: k for k, name in enumerate(columns)}
    members = np.array([index[m] for m in family.members if m in index], dtype=np.int64)
    linked = np.array([index[m] for m in family.linked if m in index], dtype=np.int64)
    rows = np.flatnonzero((np.isin(cells.indicator, members) & cells.linear) | np.isin(cells.indicator, linked))
    return rows, members


def audit(cells: pd.DataFrame, groupings: Sequence[Grouping], values: pd.DataFrame, min_n: int,
          family_list: Sequence[Family] | None = None, certify: float = 0.0) -> LinkedAudit:
    """Primary suppression and the linked-table protection of one wave's published cells.

    cells: one row per published cell (any index) with columns `grouping`, `key`, `indicator` (which
    respondents), and optionally `suppressed` (withheld already), `linear` (default True: the cell publishes
    sums over its respondents; False: only its count beside non-linear statistics), `strata` (a standardized
    row: the grouping of its standardization groups), `n` (checked against the respondents) and `label`
    (names the cell in errors). groupings: every grouping the cells name, over the rows of `values`.
    values: the wave's indicator columns (NaN = not in the denominator). family_list: default `families`.
    certify: seconds per family for the exact search for any small determined union (see `_smallest_union`)
    once the checked sets are safe; 0 = no search (the default: it costs seconds per family at pipeline scale).
    """
    if min_n < 1:
        raise ValueError("min_n must be at least 1")
    table = _read_cells(cells, groupings, values)
    withheld = table.given.copy()
    primary = (table.n > 0) & (table.n < min_n)
    withheld |= primary
    fams = tuple(family_list) if family_list is not None else tuple(
        families(values, list(pd.unique(values.columns[np.unique(table.indicator)]))))
    rounds: list[RoundStats] = []
    atoms = small_atoms = checked = 0
    max_det, min_und = 0.0, np.inf
    blocks = []
    uncertified: list[str] = []
    for f, family in enumerate(fams):
        rows, members = _family_rows(table, family, values.columns)
        if len(rows) == 0:
            continue
        block = _Block(table, rows, members, groupings, values, min_n)
        atoms += block.natoms
        small_atoms += block.small_atoms
        for r in itertools.count(1):
            result, det, und, count = block.evaluate(withheld, choose=True, certify=certify)
            checked += count
            max_det, min_und = max(max_det, det), min(min_und, und)
            if result.exposed == 0:
                blocks.append((rows, members, withheld[rows].copy()))  # not the block: it can be large
                if certify > 0 and not result.certified:
                    uncertified.append(", ".join(family.members))
                break
            added = block.withhold(withheld, result)
            rounds.append(RoundStats(f, r, dict(result.exposed_kinds), added))
            if added == 0:  # cannot happen: an exposed set always involves a published row
                raise RuntimeError(f"disclosure audit of {', '.join(family.members)} made no progress")
    # a later family may withhold rows of an earlier one (linked indicators): that only removes rows, but check
    left_open = sum(_Block(table, rows, members, groupings, values, min_n).evaluate(withheld, choose=False)[0].exposed
                    for rows, members, seen in blocks if (withheld[rows] != seen).any())
    secondary = withheld & ~table.given & ~primary
    index = table.index
    return LinkedAudit(
        n=pd.Series(table.n, index=index, name="n"),
        given=pd.Series(table.given, index=index, name="given"),
        primary=pd.Series(primary & ~table.given, index=index, name="primary"),
        secondary=pd.Series(secondary, index=index, name="secondary"),
        families=fams, rounds=tuple(rounds), atoms=atoms, small_atoms=small_atoms, sets_checked=checked,
        max_determined_distance=max_det, min_undetermined_distance=float(min_und), exposed_after=left_open,
        certified=None if certify <= 0 else not uncertified, uncertified=tuple(uncertified),
    )


def exposures(cells: pd.DataFrame, groupings: Sequence[Grouping], values: pd.DataFrame, min_n: int,
              withheld: pd.Series | np.ndarray, family_list: Sequence[Family] | None = None) -> pd.DataFrame:
    """The small sets still recoverable when the cells in `withheld` are not published: family, kind, n.

    Empty after `audit` (with its `suppressed`); used to record that in the audit and to show what today's
    suppression leaves open.
    """
    table = _read_cells(cells, groupings, values)
    hidden = np.asarray(withheld, dtype=bool).copy()
    fams = tuple(family_list) if family_list is not None else tuple(
        families(values, list(pd.unique(values.columns[np.unique(table.indicator)]))))
    out = []
    for f, family in enumerate(fams):
        rows, members = _family_rows(table, family, values.columns)
        if len(rows) == 0:
            continue
        block = _Block(table, rows, members, groupings, values, min_n)
        result, _, _, _ = block.evaluate(hidden, choose=False)
        for kind, count in result.exposed_kinds.items():
            out.append({"family": f, "members": ", ".join(family.members), "kind": kind, "count": count})
    return pd.DataFrame(out, columns=["family", "members", "kind", "count"])
