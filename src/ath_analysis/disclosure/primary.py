"""Disclosure control and precision flags on the tidy estimate table.

A cell from fewer respondents than `min_n` is not published: its estimate, interval and counts are blanked
and it is flagged (primary suppression). Where such a cell could be recovered by subtracting its published
siblings from their published total, more cells are suppressed (complementary suppression). A published cell
whose interval is too wide is flagged, not hidden, so the reader sees the number and reads it with care.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ath_analysis.areas import COUNTRY

SUPPRESSED_COLUMNS = ["n", "n_positive", "weight_sum", "estimate", "se", "ci_low", "ci_high", "deff", "cv"]
FLAG_SMALL_N = "small n"
FLAG_NO_RESPONDENTS = "no respondents"
FLAG_LOW_PRECISION = "low precision"
FLAG_COMPLEMENTARY = "complementary suppression"
SUBAREA_COLUMNS = {"subarea", "subarea_group"}
NATIONAL_PARTS = {"maakunta", "hyvinvointialue"}
CELL_KEYS = ["indicator", "wave", "standardized"]
JOIN = " × "

KeyOf = Callable[[pd.Series], pd.Series]


def _constant(value: str) -> KeyOf:
    return lambda values: pd.Series(value, index=values.index)


def _without_part(dropped: int) -> KeyOf:
    def key(values: pd.Series) -> pd.Series:
        parts = values.astype(str).str.split(JOIN, regex=False, expand=True)
        kept = [parts[j] for j in parts.columns if j != dropped]
        return kept[0].str.cat(kept[1:], sep=JOIN) if len(kept) > 1 else kept[0]

    return key


def partition_relations(domain_sets: Mapping[str, Sequence[str]], region_code: str,
                        subarea_municipality: str | None = None) -> list[tuple[str, str, KeyOf]]:
    """(child set, parent set, child domain_value → parent domain_value) for every set whose cells add up.

    A single-column set partitions the region (the sub-areas partition their municipality; the maakunnat and
    hyvinvointialueet partition the country); a crossed set partitions each of its one-column-smaller sets that
    is also estimated.
    """
    by_columns = {tuple(columns): name for name, columns in domain_sets.items()}
    region = by_columns.get(("region",))
    municipality = by_columns.get(("municipality",))
    country = by_columns.get(("country",))
    relations: list[tuple[str, str, KeyOf]] = []
    for name, columns in domain_sets.items():
        if len(columns) == 1 and columns[0] in NATIONAL_PARTS:
            if country:
                relations.append((name, country, _constant(COUNTRY)))
        elif len(columns) == 1 and columns[0] == "country":
            continue
        elif len(columns) == 1 and columns[0] in SUBAREA_COLUMNS:
            if municipality and subarea_municipality:
                relations.append((name, municipality, _constant(subarea_municipality)))
        elif len(columns) == 1 and columns[0] != "region":
            if region:
                relations.append((name, region, _constant(region_code)))
        elif len(columns) > 1:
            for dropped in range(len(columns)):
                parent = by_columns.get(tuple(c for j, c in enumerate(columns) if j != dropped))
                if parent:
                    relations.append((name, parent, _without_part(dropped)))
    return relations


def _exposed_siblings(table: pd.DataFrame, n_all: pd.Series, child: str, parent: str, key_of: KeyOf) -> pd.Index:
    """Published cells to suppress so that no lone suppressed cell of `child` can be recovered from `parent`."""
    rows = table.index[table["domain"] == child]
    if len(rows) == 0:
        return rows
    children = table.loc[rows, [*CELL_KEYS, "suppressed"]].assign(
        key=key_of(table.loc[rows, "domain_value"]).to_numpy(), n_all=n_all.loc[rows].to_numpy()
    )
    parents = table.loc[table["domain"] == parent, [*CELL_KEYS, "domain_value", "suppressed"]].rename(
        columns={"domain_value": "key", "suppressed": "parent_suppressed"}
    )
    children = children.reset_index().merge(parents, on=[*CELL_KEYS, "key"], how="left").set_index("index")
    group = [*CELL_KEYS, "key"]
    # a cell with no respondents reveals nothing; only cells with a few respondents need protecting
    secret = children["suppressed"] & (children["n_all"] > 0)
    lone = secret.groupby([children[c] for c in group], sort=False).transform("sum") == 1
    published_parent = children["parent_suppressed"].eq(False)
    candidates = children[lone & published_parent & ~children["suppressed"]]
    chosen = candidates.sort_values("n_all", kind="stable").groupby(group, sort=False).head(1)
    return chosen.index


def apply_disclosure(
    table: pd.DataFrame,
    min_n: int,
    max_ci_width: float,
    max_cv: float,
    domain_sets: Mapping[str, Sequence[str]] | None = None,
    region_code: str = "",
    subarea_municipality: str | None = None,
) -> pd.DataFrame:
    """Add `suppressed` and `flag`; blank every published quantity of suppressed cells.

    Precision is judged by the CI width for proportions (in proportion units) and by the coefficient of
    variation for means, whose scale differs from indicator to indicator. With `domain_sets`, complementary
    suppression protects each primary-suppressed cell along every partition it belongs to.
    """
    out = table.copy()
    n_all = out["n"].astype("float64")
    n = n_all.to_numpy()
    empty = n == 0
    small = ~empty & (n < min_n)
    width = (out["ci_high"] - out["ci_low"]).to_numpy(float)
    is_mean = (out["kind"] == "mean").to_numpy() if "kind" in out else np.zeros(len(out), bool)
    imprecise = ~small & ~empty & np.where(is_mean, out["cv"].to_numpy(float) > max_cv, width > max_ci_width)
    out["suppressed"] = small | empty
    out["flag"] = np.select([empty, small, imprecise], [FLAG_NO_RESPONDENTS, FLAG_SMALL_N, FLAG_LOW_PRECISION], "")
    if domain_sets:
        relations = partition_relations(domain_sets, region_code, subarea_municipality)
        changed = True
        while changed:  # a few rounds at most: each round only adds suppressions
            changed = False
            for child, parent, key_of in relations:
                extra = _exposed_siblings(out, n_all, child, parent, key_of)
                if len(extra):
                    out.loc[extra, "suppressed"] = True
                    out.loc[extra, "flag"] = FLAG_COMPLEMENTARY
                    changed = True
    hidden = out["suppressed"].to_numpy()
    for column in SUPPRESSED_COLUMNS:
        if column in out:
            out[column] = out[column].astype("float64").mask(hidden)
    return out
