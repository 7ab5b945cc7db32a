"""A design bound to one frame: what every estimation call on that frame would otherwise redo, done once.

Binding resolves the design (strata, PSUs, FPC, lonely PSUs) and keeps, as calls need them, the codes of the
domain columns, the validated variables and the per-variable sums of the one pass over the rows (by atom:
finest cell × stratum or PSU). A later call with other domain sets over the same finest cells skips the
pass and only aggregates; give `domains` when binding to make the finest cells the same for every call.

>>> bound = Design("w", strata="stratum").bind(frame, domains=["municipality", "sex"])  # doctest: +SKIP
>>> estimate(bound, ["smoker"], by="municipality")  # doctest: +SKIP
>>> estimate(bound, ["smoker"], by="sex")  # the pass is reused  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError
from ath_analysis.survey.design import Design, ResolvedDesign, resolve_design
from ath_analysis.survey.domains import ColumnCache, DomainPlan, plan_domains
from ath_analysis.survey.linearization import (
    AtomSummer,
    Engine,
    RowAtoms,
    RowWeights,
    Standardizer,
    SumsOf,
    row_atoms,
)
from ath_analysis.survey.validation import as_list, binary_state, numeric_values, require_columns

if TYPE_CHECKING:
    from ath_analysis.survey.estimate import Kind
    from ath_analysis.survey.intervals import CIMethod
    from ath_analysis.survey.standardize import Standardization


class BoundDesign:
    """A `Design` applied to one frame (the WHOLE sample of the design), with its resolution cached.

    design: the design; frame: its data, which must not change while the bound design is in use.
    domains: columns whose crossing is the finest level of every call, so that calls with different domain
        sets over these columns share one pass over the rows. Empty: each call's own columns.
    resolved: the `ResolvedDesign` (per-row codes and per-stratum variance constants), for code that needs
        the design's arrays (survey GLMs, `ath_analysis.survey.scores.design_covariance`).
    keep: keep checked variables and atom sums for later calls (False: the bound design of one call).

    Pass it to `estimate`, `estimate_domains` and `parent_differences` in place of (frame, design), or use
    the methods of the same names. Cached sums take (atoms × a few) floats per variable and finest level;
    `clear()` drops them.
    """

    def __init__(self, design: Design, frame: pd.DataFrame, domains: Sequence[str] | str = (),
                 keep: bool = True) -> None:
        if not isinstance(design, Design):
            raise TypeError(f"design must be a Design, got {type(design).__name__}")
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
        if len(frame) == 0:
            raise DataError("the data has no rows")
        self.design = design
        self.frame = frame
        self.domains: tuple[str, ...] = tuple(as_list(domains, "domains"))
        require_columns(frame, self.domains, "domain")
        self.resolved: ResolvedDesign = resolve_design(frame, design)
        self._rows = RowWeights(self.resolved)
        self._columns = ColumnCache(frame)
        self._values: dict[tuple[str, bool], np.ndarray] = {}
        self._atoms: dict[tuple[str, ...], RowAtoms] = {}
        self._summers: dict[tuple[tuple[str, ...], str], AtomSummer] = {}
        self._sums: dict[tuple[tuple[str, ...], str, str], tuple[np.ndarray, float]] = {}
        self._keep = keep  # False for the bound design of one call: nothing would reuse the variables or sums
        self._scratch: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"BoundDesign({self.design!r}, {len(self.frame)} rows, domains={list(self.domains)})"

    @property
    def n(self) -> int:
        return len(self.frame)

    def clear(self) -> None:
        """Forget cached variables and sums (the design's resolution and column codes stay)."""
        self._values.clear()
        self._summers.clear()
        self._sums.clear()

    # -- what the estimators use ------------------------------------------------------------------------
    def values(self, column: str, kind: str) -> np.ndarray:
        """The variable as the one pass reads it: state codes of a proportion (`binary_state`), float64 with
        NaN for missing otherwise; DataError naming it if it is not numeric, not 0/1 for a proportion or
        infinite for a mean or total."""
        key = (column, kind == "proportion")
        if key in self._values:
            return self._values[key]
        values = numeric_values(self.frame, column, kind, check_binary=False)
        if kind == "proportion":
            values = binary_state(values, column)
        if self._keep:
            self._values[key] = values
        return values

    def plan(self, domain_sets: Mapping[str, Sequence[str]], extra: Sequence[str] = ()) -> DomainPlan:
        """Domain cells of the sets, with the bound `domains` first in the finest crossing."""
        return plan_domains(self.frame, domain_sets, extra, cache=self._columns, first=self.domains)

    def engine(self, plan: DomainPlan, kind: str, std: Standardizer | None) -> tuple[Engine, SumsOf]:
        """The linearization engine for `plan`, and its source of (cached) per-variable atom sums."""
        fine = plan.fine_columns
        if fine not in self._atoms:
            self._atoms[fine] = row_atoms(self.resolved, plan)
        atoms = self._atoms[fine]
        if (fine, kind) not in self._summers:
            self._summers[(fine, kind)] = AtomSummer(self.resolved, atoms, kind, self._rows)
        summer = self._summers[(fine, kind)]

        def sums_of(columns: list[str]) -> Iterator[tuple[np.ndarray, float]]:
            if not self._keep:  # one call: one buffer, overwritten variable by variable as they are used
                if self._scratch is None or self._scratch.shape != (atoms.natom, len(summer.names)):
                    self._scratch = np.empty((atoms.natom, len(summer.names)))
                for column in columns:
                    yield self._scratch, summer(self.values(column, kind), self._scratch)
                return
            todo = list(dict.fromkeys(c for c in columns if (fine, kind, c) not in self._sums))
            if todo:  # one block for the new variables: fresh memory is costly to touch page by page
                block = np.empty((len(todo), atoms.natom, len(summer.names)))
                for i, column in enumerate(todo):
                    self._sums[(fine, kind, column)] = (block[i], summer(self.values(column, kind), block[i]))
            yield from (self._sums[(fine, kind, c)] for c in columns)

        return Engine(self.resolved, plan, atoms, kind, std), sums_of

    # -- the estimators as methods ----------------------------------------------------------------------
    def estimate(self, variables: list[str] | str, by: list[str] | str | None = None, kind: Kind = "proportion",
                 ci: CIMethod | None = None, level: float = 0.95,
                 standardize: Standardization | None = None) -> pd.DataFrame:
        """`ath_analysis.survey.estimate` on this frame and design."""
        from ath_analysis.survey.estimate import estimate

        return estimate(self, variables=variables, by=by, kind=kind, ci=ci, level=level, standardize=standardize)

    def estimate_domains(self, variables: list[str] | str, domain_sets: Mapping[str, Sequence[str]],
                         kind: Kind = "proportion", ci: CIMethod | None = None, level: float = 0.95,
                         standardize: Standardization | None = None) -> pd.DataFrame:
        """`ath_analysis.survey.estimate_domains` on this frame and design."""
        from ath_analysis.survey.estimate import estimate_domains

        return estimate_domains(self, variables=variables, domain_sets=domain_sets, kind=kind, ci=ci, level=level,
                                standardize=standardize)

    def parent_differences(self, variables: list[str] | str, domain_sets: Mapping[str, Sequence[str]],
                           parents: Mapping[str, str] | Sequence[tuple[str, str]] | str,
                           kind: Kind = "proportion", level: float = 0.95,
                           standardize: Standardization | None = None) -> pd.DataFrame:
        """`ath_analysis.survey.parent_differences` on this frame and design."""
        from ath_analysis.survey.contrast import parent_differences

        return parent_differences(self, variables=variables, domain_sets=domain_sets, parents=parents, kind=kind,
                                  level=level, standardize=standardize)


def bind(data: pd.DataFrame | BoundDesign, design: Design | None) -> BoundDesign:
    """The bound design of a call: `data` itself, or (data, design) bound for this call only."""
    if isinstance(data, BoundDesign):
        if design is not None and design != data.design:
            raise ValueError(f"the bound design is {data.design!r}; do not pass another design ({design!r})")
        return data
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame or a BoundDesign, got {type(data).__name__}")
    if design is None:
        raise TypeError("design is required with a DataFrame (or pass design.bind(frame))")
    return BoundDesign(design, data, keep=False)
