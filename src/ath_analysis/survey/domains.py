"""Domain cells: integer codes for every domain set, and one "finest" crossing shared by all of them.

Every row gets, for each domain set, the code of its cell (cells of the set's columns crossed; -1 when a
domain column is missing for the row, so the row is in no cell of that set). The finest crossing of all
domain columns (missing values kept as a level of their own) lets statistics that are sums over rows be
accumulated once and then aggregated to every domain set without reading the rows again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError
from ath_analysis.survey.validation import as_list, require_columns

ALL_LABEL = "all"  # domain_value of the whole-population cell
JOIN = " × "  # separator of crossed cell values in domain_value


@dataclass(frozen=True)
class ColumnCodes:
    codes: np.ndarray  # (n,) int64, -1 = missing
    uniques: pd.Index | pd.Categorical  # sorted distinct values


@dataclass(frozen=True)
class DomainSet:
    """The cells of one domain set, in sorted order of their values."""

    name: str
    columns: list[str]
    codes: np.ndarray  # (n,) int64 cell of each row, -1 = in no cell
    levels: np.ndarray  # (ncell, ncolumns) int64 codes into each column's uniques
    labels: pd.DataFrame  # (ncell, ncolumns) cell values

    @property
    def ncell(self) -> int:
        return len(self.levels)

    def value_strings(self, uniques_text: Mapping[str, np.ndarray]) -> np.ndarray:
        """domain_value of each cell: values joined with JOIN, ALL_LABEL for the whole population."""
        if not self.columns:
            return np.array([ALL_LABEL] * self.ncell, dtype=object)
        parts = [uniques_text[c][self.levels[:, j]] for j, c in enumerate(self.columns)]
        out = parts[0].astype(object)
        for part in parts[1:]:
            out = out + JOIN + part
        return out


def _factorize(series: pd.Series) -> ColumnCodes:
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:  # values that cannot be ordered (mixed types): keep first-seen order
        codes, uniques = pd.factorize(series, sort=False)
    return ColumnCodes(codes.astype(np.int64), uniques)


def format_value(value: object) -> str:
    """A cell value as text: integral floats without '.0' (codes read from SPSS are floats)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def cross(codes: Sequence[np.ndarray], cards: Sequence[int], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Occupied cells of crossed codes over n rows: (cell of each row or -1, level codes of each cell).

    Cells are in lexicographic order of the codes (first column slowest), i.e. sorted by value. With no
    columns, every row is in the single cell 0.
    """
    if not codes:
        return np.zeros(n, dtype=np.int64), np.zeros((1, 0), dtype=np.int64)
    valid = np.ones(n, dtype=bool)
    for c in codes:
        valid &= c >= 0
    every = bool(valid.all())
    size = int(np.prod([max(int(k), 1) for k in cards], dtype=object))
    if size < 2**62:
        key = np.zeros(n, dtype=np.int64)
        for c, k in zip(codes, cards, strict=True):
            key *= max(int(k), 1)
            key += c if every else np.where(c >= 0, c, 0)
        key_valid = key if every else key[valid]
        if size <= max(8 * n, 1 << 16):
            counts = np.bincount(key_valid, minlength=size)
            occupied = np.flatnonzero(counts)
            remap = np.cumsum(counts > 0) - 1
            inner = remap[key_valid]
        else:
            occupied, inner = np.unique(key_valid, return_inverse=True)
        levels = np.stack(np.unravel_index(occupied, [max(int(k), 1) for k in cards]), axis=1)
    else:  # astronomically many combinations: unique rows
        stacked = np.stack([c[valid] for c in codes], axis=1)
        levels, inner = np.unique(stacked, axis=0, return_inverse=True)
    if every:
        return inner.reshape(-1).astype(np.int64, copy=False), levels.astype(np.int64)
    cell = np.full(n, -1, dtype=np.int64)
    cell[valid] = inner.reshape(-1)
    return cell, levels.astype(np.int64)


@dataclass(frozen=True)
class DomainPlan:
    """All domain sets of one call, plus the finest crossing that refines each of them."""

    sets: list[DomainSet]
    columns: dict[str, ColumnCodes]
    fine: np.ndarray  # (n,) finest cell of each row
    nfine: int
    fine_rep: np.ndarray  # (nfine,) one row of each finest cell
    fine_columns: tuple[str, ...]  # the columns crossed into the finest cells, in order

    def set_of_fine(self, s: int) -> np.ndarray:
        """(nfine,) cell of set s that each finest cell falls in (-1 = none)."""
        return self.sets[s].codes[self.fine_rep]

    def uniques_text(self) -> dict[str, np.ndarray]:
        return {
            name: np.array([format_value(v) for v in np.asarray(cc.uniques, dtype=object)], dtype=object)
            for name, cc in self.columns.items()
        }


class ColumnCache:
    """Codes of a frame's domain columns and the finest crossings of them, each computed once.

    A `BoundDesign` keeps one, so repeated calls on the same frame do not factorize the same columns again.
    The frame must not change while the cache is in use.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._codes: dict[str, ColumnCodes] = {}
        self._fine: dict[tuple[str, ...], tuple[np.ndarray, int, np.ndarray]] = {}

    def codes(self, column: str) -> ColumnCodes:
        if column not in self._codes:
            self._codes[column] = _factorize(self.frame[column])
        return self._codes[column]

    def finest(self, columns: tuple[str, ...]) -> tuple[np.ndarray, int, np.ndarray]:
        """(finest cell of each row, number of cells, one row of each cell) of the crossing of `columns`;
        missing values are a level of their own here (code 0), so every row has a finest cell."""
        if columns not in self._fine:
            n = len(self.frame)
            fine, _ = cross([self.codes(c).codes + 1 for c in columns],
                            [len(self.codes(c).uniques) + 1 for c in columns], n)
            nfine = int(fine.max()) + 1 if n else 0
            fine_rep = np.empty(nfine, dtype=np.int64)
            fine_rep[fine] = np.arange(n)  # any row of the cell will do: all share every set's codes
            self._fine[columns] = (fine, nfine, fine_rep)
        return self._fine[columns]


def plan_domains(frame: pd.DataFrame, domain_sets: Mapping[str, Sequence[str]], extra: Sequence[str] = (),
                 cache: ColumnCache | None = None, first: Sequence[str] = ()) -> DomainPlan:
    """Code every domain set of `frame`; `extra` columns (e.g. age group) also enter the finest crossing.

    The finest crossing is over `first`, then the sets' columns, then `extra` (each column once): a fixed
    `first` (a bound design's domain columns) gives calls with different sets the same finest cells.
    """
    if not domain_sets:
        raise ValueError("domain_sets is empty: give at least one set, e.g. {'all': []}")
    cache = cache if cache is not None else ColumnCache(frame)
    parsed: dict[str, list[str]] = {}
    for name, cols in domain_sets.items():
        cols_list = as_list(cols, f"domain set '{name}'")
        require_columns(frame, cols_list, f"domain set '{name}'")
        parsed[str(name)] = cols_list
    require_columns(frame, extra, "standardization")
    wanted = list(dict.fromkeys([*first, *(c for cols in parsed.values() for c in cols), *extra]))
    columns = {c: cache.codes(c) for c in wanted}

    sets = []
    for name, cols in parsed.items():
        if len(cols) == 1:  # factorized codes are already the sorted, occupied cells
            codes = columns[cols[0]]
            cell, levels = codes.codes, np.arange(len(codes.uniques), dtype=np.int64)[:, None]
        else:
            cell, levels = cross([columns[c].codes for c in cols], [len(columns[c].uniques) for c in cols],
                                 len(frame))
        labels = pd.DataFrame({
            c: pd.Series(columns[c].uniques.take(levels[:, j]), name=c) for j, c in enumerate(cols)
        }) if cols else pd.DataFrame(index=range(1))
        sets.append(DomainSet(name, cols, cell, levels, labels))

    fine, nfine, fine_rep = cache.finest(tuple(wanted))
    return DomainPlan(sets, columns, fine, nfine, fine_rep, tuple(wanted))


def parent_cells(plan: DomainPlan, child: int, parent: int) -> np.ndarray:
    """The cell of set `parent` that holds each cell of set `child`; DataError unless every child cell lies
    inside one parent cell (e.g. each municipality inside one region), which is what makes the child's
    respondents a subset of the parent's."""
    c_set, p_set = plan.sets[child], plan.sets[parent]
    c_of, p_of = plan.set_of_fine(child), plan.set_of_fine(parent)
    inside = c_of >= 0
    text = plan.uniques_text()
    child_values = c_set.value_strings(text)
    out = np.full(c_set.ncell, -1, dtype=np.int64)
    orphan = inside & (p_of < 0)
    if orphan.any():
        cell = child_values[c_of[np.flatnonzero(orphan)[0]]]
        raise DataError(f"domain set '{c_set.name}' is not nested in '{p_set.name}': cell '{cell}' has respondents "
                        f"with no value of {', '.join(repr(c) for c in p_set.columns)}")
    out[c_of[inside]] = p_of[inside]
    clash = np.flatnonzero(inside & (out[np.where(inside, c_of, 0)] != p_of))
    if clash.size:
        cell = c_of[clash[0]]
        parent_values = p_set.value_strings(text)
        spans = ", ".join(f"'{v}'" for v in parent_values[np.unique(p_of[c_of == cell])][:5])
        raise DataError(f"domain set '{c_set.name}' is not nested in '{p_set.name}': cell '{child_values[cell]}' "
                        f"has respondents in {spans}")
    return out
