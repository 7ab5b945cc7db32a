"""Area comparisons of many indicators from cell sufficient statistics: the compare stage's models, at scale.

`compare_indicators` returns, for one data set (a wave, or the waves pooled), the rows of every indicator ×
comparison × adjustment (crude; adjusted) × level that ``ath_analysis.results.comparisons.compare_data`` returns — the
same columns, values, statuses and messages (see that module for their meaning) — but computed as follows:

* once per data set: the design, the indicators as one float matrix, each model variable's level codes
  (values as text, converted once per distinct value, not per respondent);
* once per comparison: the atoms of (comparison level × adjusters [× wave] × design unit) of the domain
  (`CellModelData`) and the per-atom sums of every indicator (`CellModelData.sums`, one grouped pass);
* per model (comparison level vs the rest, crude or adjusted): its cells and atoms (`CellModel`), the
  aggregate of the sums, and one batched fit per family for all its indicators (`fit_cells`), with the
  margins (`cell_margins`) and the comparison's Wald test (`cell_wald`) batched the same way.

Nothing in the per-model loop reads respondents, indexes pandas objects or converts strings (messages are
formatted only for the rows that are not ok). The library knows nothing of the config: the caller gives the
design, the domain mask of each comparison's ``within`` and the comparisons' levels.

Where the result differs from ``compare_data`` (tests/test_cells_compare.py checks the rest is equal):

* a linear model whose respondents form a single covariate cell (e.g. "the rest" of a crude each-vs-rest
  model when the level has no respondents in the wave) is fitted; statsmodels cannot start it (its first
  scale estimate is 0/0) and compare_data reports the model as failed;
* a comparison whose domain has no respondents gives "no respondents in the domain" rows for the crude and
  the adjusted model (compare_data raises IndexError building the adjusted model's levels);
* the columns are in the order of `ROW_COLUMNS` (compare_data's follow its first row's keys; the set of
  columns is the same); an indicator with infinite values is a DataError naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ath_analysis.errors import DataError
from ath_analysis.models.cellglm import INVALID_RESPONSE, CellFits, cell_margins, cell_wald, fit_cells
from ath_analysis.models.cells import CellModel, CellModelData, CellTerm, ModelSums
from ath_analysis.survey.design import Design, ResolvedDesign, resolve_design
from ath_analysis.survey.intervals import t_quantile
from ath_analysis.survey.validation import require_columns

OK, NOT_ESTIMABLE, FAILED = "ok", "not estimable", "failed"
REST_PREFIX = "not "  # level of "the rest of the domain" in each-vs-rest comparisons: "not 491"
_CMP = "_comparison_level"  # the comparison's term in the models (named as in compare.py)
_REST = "_rest"
_WITHIN = "_within:"  # the domain flags of the comparisons' `within`s in the shared grouping
MARGIN_STATISTICS = ["estimate", "se", "ci_low", "ci_high", "difference", "diff_se", "diff_ci_low", "diff_ci_high"]
ODDS = ["odds_ratio", "or_ci_low", "or_ci_high"]
TEST = ["term_p_value", "df"]
BASE = ["comparison", "adjustment", "adjusters", "reference_level", "level", "is_reference", "n", "status",
        "message"]
ROW_COLUMNS = [*BASE, *MARGIN_STATISTICS, *ODDS, *TEST, "indicator", "kind"]


class ComparisonSpec(Protocol):
    """What `compare_indicators` reads of a comparison (``ath_analysis.results.comparisons.Comparison`` has it)."""

    @property
    def name(self) -> str: ...
    @property
    def variable(self) -> str: ...
    @property
    def reference(self) -> str | None: ...
    @property
    def within(self) -> str: ...
    @property
    def each_vs_rest(self) -> bool: ...


class IndicatorSpec(Protocol):
    """What `compare_indicators` reads of an indicator: its column and kind ("proportion" → logistic model,
    anything else → linear)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...


def text(values: pd.Series) -> pd.Series:
    """Category codes as text (whole-number floats such as sex 1.0 as "1"), missing as <NA>."""
    if pd.api.types.is_float_dtype(values):
        values = values.astype("Int64")
    return values.astype("string")


def text_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(code of every row, −1 = missing; the sorted distinct texts) of `text(values)`, converting each distinct
    value once rather than every row."""
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=True)
    as_text = text(pd.Series(uniques, dtype=values.dtype)).to_numpy(dtype=object, na_value=None)
    levels = sorted({t for t in as_text if t is not None})
    position = pd.Index(levels).get_indexer(as_text)  # distinct values with the same text share a code
    out = np.where(codes >= 0, position[np.maximum(codes, 0)], -1) if len(position) else codes
    return np.asarray(out, dtype=np.int64), levels


class _Rows:
    """The output rows of one model: (K indicators × G levels) arrays, flattened indicator-major."""

    def __init__(self, K: int, G: int) -> None:
        self.n = np.zeros((K, G), dtype=np.int64)
        self.status = np.full((K, G), OK, dtype=object)
        self.message = np.full((K, G), "", dtype=object)
        self.values = {c: np.full((K, G), np.nan) for c in [*MARGIN_STATISTICS, *ODDS, *TEST]}
        self.margins_set = np.zeros((K, G), dtype=bool)
        self.odds_set = np.zeros((K, G), dtype=bool)
        self.test_set = np.zeros((K, G), dtype=bool)

    def set_all(self, where: np.ndarray, status: str, message: str | np.ndarray) -> None:
        """Status and message of every level of the indicators in `where` (K,)."""
        self.status[where] = status
        if isinstance(message, str):
            self.message[where] = message
        else:
            self.message[where] = np.asarray(message, dtype=object)[where][:, None]


def _model_rows(model: CellModel | None, ms: ModelSums | None, binomial: np.ndarray, ids: Sequence[str],
                levels: Sequence[str], reference: str, level: float) -> _Rows:
    """Statistics, statuses and messages of one model for every indicator (as compare._rows_of_model)."""
    K, G = len(ids), len(levels)
    rows = _Rows(K, G)
    if model is None or ms is None:
        rows.set_all(np.ones(K, dtype=bool), NOT_ESTIMABLE, "no respondents in the domain")
        return rows
    by_level = model.level_sums(ms.cells, _CMP)  # (G, q, K): the levels of the term are `levels` in order
    q = ms.quantities.index
    n = np.rint(by_level[:, q("n"), :].T).astype(np.int64)
    npos = by_level[:, q("npos"), :].T
    none = binomial[:, None] & (npos > 0) & (by_level[:, q("gt0"), :].T == 0)
    every = binomial[:, None] & (npos > 0) & (by_level[:, q("lt1"), :].T == 0) & ~none
    separated = none | every
    rows.n = n
    ref = 0  # the reference is the first level
    empty = n.sum(axis=1) == 0
    rows.set_all(empty, NOT_ESTIMABLE, np.array([f"no respondent in the domain has a value for {i}" for i in ids],
                                                dtype=object))
    no_reference = ~empty & (n[:, ref] == 0)
    rows.set_all(no_reference, NOT_ESTIMABLE, f"the reference level {reference} has no respondents")
    reference_separated = ~empty & ~no_reference & separated[:, ref]
    for who, mask in (("no respondent", none), ("every respondent", every)):
        rows.set_all(reference_separated & mask[:, ref], NOT_ESTIMABLE,
                     f"perfect prediction: {who} in the reference level {reference} has the outcome")
    fitting = ~(empty | no_reference | reference_separated)
    level_names = np.asarray(levels, dtype=object)
    lacking = fitting[:, None] & (n == 0)
    rows.status[lacking] = NOT_ESTIMABLE
    for k, g in zip(*np.nonzero(lacking), strict=True):
        rows.message[k, g] = f"level {levels[g]} has no respondents"
    dropped = fitting[:, None] & ~lacking & separated
    rows.status[dropped] = NOT_ESTIMABLE
    notes = np.full(K, "", dtype=object)
    for k, g in zip(*np.nonzero(dropped), strict=True):
        who = "no respondent" if none[k, g] else "every respondent"
        rows.message[k, g] = f"perfect prediction: {who} in level {levels[g]} has the outcome"
        notes[k] = (notes[k] + "; " if notes[k] else "") + f"level {level_names[g]} (perfect prediction) is left " \
                                                            "out of the model"
    for family, members in (("binomial", binomial), ("gaussian", ~binomial)):
        which = np.flatnonzero(fitting & members)
        if len(which):
            fits = fit_cells(model, ms.take(which), family, exclude={_CMP: dropped[which]})
            _fill(rows, fits, which, notes, level)
    return rows


def _fill(rows: _Rows, fits: CellFits, which: np.ndarray, notes: np.ndarray, level: float) -> None:
    """The fitted statistics of the indicators `which` into `rows` (their ok levels only)."""
    reason, message = fits.reason, fits.message
    for j in np.flatnonzero(reason != ""):
        k = which[j]
        ok = rows.status[k] == OK
        status = NOT_ESTIMABLE if reason[j] in ("perfect prediction", "no respondents") else FAILED
        text_ = f"the model could not be fitted ({message[j]})" if reason[j] == INVALID_RESPONSE else message[j]
        rows.status[k, ok] = status
        rows.message[k, ok] = text_
    good = np.flatnonzero(fits.ok)
    if not len(good):
        return
    fits = fits.take(good)
    ks = which[good]
    term = fits.model.term(_CMP)
    margins = cell_margins(fits, _CMP, list(term.levels), term.levels[0], level)
    test = cell_wald(fits, term.name)
    df = fits.df_resid.astype(np.float64)
    ok = rows.status[ks] == OK  # (k, G)
    for c in MARGIN_STATISTICS:
        block = rows.values[c][ks]
        block[ok] = margins[c][ok]
        rows.values[c][ks] = block
    rows.margins_set[ks] = ok
    for c in ("diff_ci_low", "diff_ci_high"):
        rows.values[c][ks, 0] = np.nan  # the reference row has no interval of its difference
    if fits.is_binomial:
        t = t_quantile(1 - (1 - level) / 2, df)[:, None]
        columns = term.level_column  # (G,), −1 for the reference
        b = np.where(columns >= 0, fits.coefficients[:, np.maximum(columns, 0)], np.nan)
        variances = np.diagonal(fits.covariance, axis1=1, axis2=2)[:, np.maximum(columns, 0)]
        se = np.sqrt(variances)
        with np.errstate(over="ignore", invalid="ignore"):
            odds = {"odds_ratio": np.exp(b), "or_ci_low": np.exp(b - t * se), "or_ci_high": np.exp(b + t * se)}
        odds["odds_ratio"][:, columns < 0] = 1.0
        odds["or_ci_low"][:, columns < 0] = np.nan
        odds["or_ci_high"][:, columns < 0] = np.nan
        for c in ODDS:
            block = rows.values[c][ks]
            block[ok] = odds[c][ok]
            rows.values[c][ks] = block
        rows.odds_set[ks] = ok
    estimate = margins["estimate"]
    unfit = ok & ~np.isfinite(estimate)
    status, message = rows.status[ks], rows.message[ks]
    status[unfit] = NOT_ESTIMABLE
    message[unfit] = "the level's margin cannot be estimated from the model"
    noted = ok & ~unfit & (notes[ks] != "")[:, None]
    message[noted] = np.broadcast_to(notes[ks][:, None], noted.shape)[noted]
    rows.status[ks], rows.message[ks] = status, message
    rows.values["term_p_value"][ks] = test["p"][:, None]
    rows.values["df"][ks] = df[:, None]
    rows.test_set[ks] = True


def compare_indicators(
    frame: pd.DataFrame,
    design: Design | ResolvedDesign,
    indicators: Sequence[IndicatorSpec],
    comparisons: Sequence[ComparisonSpec],
    levels: Mapping[str, Sequence[str]],
    adjusters: Sequence[str],
    domains: Mapping[str, np.ndarray],
    *,
    level: float = 0.95,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Rows of every indicator × comparison × adjustment × level on one data set, as ``compare_data``.

    design: the data set's design (resolved on the whole `frame`). levels: comparison name -> its levels
    (the reference first for a reference comparison). domains: a comparison's ``within`` -> bool mask of the
    frame's rows the comparison's models are for. extra: variables in every model (the pooled data's wave).
    Columns: `ROW_COLUMNS` (a statistic column only when some row has it, as compare_data's records).
    """
    rd = design if isinstance(design, ResolvedDesign) else resolve_design(frame, design)
    ids = [i.id for i in indicators]
    names = list(dict.fromkeys([*(c.variable for c in comparisons), *adjusters, *extra]))
    require_columns(frame, names, "comparison or adjuster")
    require_columns(frame, ids, "indicator")
    for comparison in comparisons:
        if comparison.within not in domains:
            raise ValueError(f"comparison {comparison.name}: no domain mask for within={comparison.within!r}")
        if comparison.name not in levels:
            raise ValueError(f"comparison {comparison.name}: no levels given")
    binomial = np.array([i.kind == "proportion" for i in indicators], dtype=bool)
    values = np.empty((len(frame), len(ids)))
    for j, indicator in enumerate(ids):
        try:
            values[:, j] = frame[indicator].to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise DataError(f"indicator '{indicator}' is not numeric ({frame[indicator].dtype})") from exc
    # one grouping of all the comparisons' respondents, and one pass over them for every indicator
    codes: dict[str, tuple[np.ndarray, Sequence[Any]]] = {v: text_codes(frame[v]) for v in names}
    withins = list(dict.fromkeys(c.within for c in comparisons))
    union = np.zeros(len(frame), dtype=bool)
    for within in withins:
        inside = np.asarray(domains[within], dtype=bool)
        codes[_WITHIN + within] = (inside.astype(np.int64), [False, True])
        union |= inside
    everyone = CellModelData.from_codes(rd, codes, union)
    all_sums = everyone.sums(values, ids) if len(ids) else None
    blocks: list[dict[str, Any]] = []
    for comparison in comparisons:
        chosen = tuple(a for a in adjusters if a != comparison.variable)
        variables = list(dict.fromkeys([comparison.variable, *chosen, *extra]))
        data = everyone.collapse(variables, where={_WITHIN + comparison.within: [True]})
        comparison_levels = list(levels[comparison.name])
        if comparison.each_vs_rest:
            groups: list[tuple[CellTerm, list[str], str]] = []
            for lv in comparison_levels:
                term = CellTerm.level_vs_rest(data, comparison.variable, lv, variable=_CMP, rest=_REST)
                groups.append((term, [REST_PREFIX + lv, lv], REST_PREFIX + lv))
        else:
            reference = str(comparison.reference)
            model_levels = [reference, *[lv for lv in comparison_levels if lv != reference]]
            observed = [lv for lv in data.present_levels(comparison.variable) if lv not in model_levels]
            if observed:
                raise DataError(f"comparison {comparison.name}: {comparison.variable} has values outside its levels "
                                f"{model_levels}: {sorted(observed)[:5]}")
            groups = [(CellTerm(comparison.variable, _CMP, tuple(model_levels), reference), model_levels, reference)]
        sums = data.sums_from(all_sums) if all_sums is not None else None
        for term, model_levels, reference in groups:
            for adjustment, model_adjusters in (("crude", ()), ("adjusted", chosen)):
                model = data.model([term, *model_adjusters, *extra])
                ms = model.aggregate(sums) if sums is not None and model.n_cells else None
                rows = _model_rows(model if model.n_cells else None, ms, binomial, ids, model_levels, reference,
                                   level)
                blocks.append({"comparison": comparison.name, "adjustment": adjustment,
                               "adjusters": "+".join(model_adjusters), "reference": reference,
                               "levels": model_levels, "rows": rows})
    return _frame(blocks, ids, [i.kind for i in indicators])


def _frame(blocks: list[dict[str, Any]], ids: Sequence[str], kinds: Sequence[str]) -> pd.DataFrame:
    """The rows of all models as one DataFrame (model, then indicator, then level order)."""
    K = len(ids)
    if not blocks or not K:
        return pd.DataFrame()
    columns: dict[str, list[np.ndarray]] = {c: [] for c in ROW_COLUMNS}
    present = {"margins": False, "odds": False, "test": False}
    for block in blocks:
        rows: _Rows = block["rows"]
        G = len(block["levels"])
        size = K * G
        columns["comparison"].append(np.full(size, block["comparison"], dtype=object))
        columns["adjustment"].append(np.full(size, block["adjustment"], dtype=object))
        columns["adjusters"].append(np.full(size, block["adjusters"], dtype=object))
        columns["reference_level"].append(np.full(size, block["reference"], dtype=object))
        columns["level"].append(np.tile(np.asarray(block["levels"], dtype=object), K))
        columns["is_reference"].append(np.tile(np.arange(G) == 0, K))
        columns["n"].append(rows.n.reshape(-1))
        columns["status"].append(rows.status.reshape(-1))
        columns["message"].append(rows.message.reshape(-1))
        for c in [*MARGIN_STATISTICS, *ODDS, *TEST]:
            columns[c].append(rows.values[c].reshape(-1))
        columns["indicator"].append(np.repeat(np.asarray(ids, dtype=object), G))
        columns["kind"].append(np.repeat(np.asarray(kinds, dtype=object), G))
        present["margins"] |= bool(rows.margins_set.any())
        present["odds"] |= bool(rows.odds_set.any())
        present["test"] |= bool(rows.test_set.any())
    keep = [c for c in ROW_COLUMNS if not ((c in MARGIN_STATISTICS and not present["margins"])
                                          or (c in ODDS and not present["odds"])
                                          or (c in TEST and not present["test"]))]
    return pd.DataFrame({c: np.concatenate(columns[c]) for c in keep})
