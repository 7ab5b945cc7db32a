"""Today's former disclosure rule, kept as a test baseline: complementary suppression along each partition.

The pipeline no longer uses it: the publication gate (`ath_analysis.disclosure.published`) audits all published
tables together. The attack tests show what this rule leaves recoverable (tests/test_attacks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from ath_analysis.areas import COUNTRY
from ath_analysis.disclosure.primary import FLAG_COMPLEMENTARY, SUPPRESSED_COLUMNS, apply_disclosure

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


def complementary_disclosure(table: pd.DataFrame, min_n: int, max_ci_width: float, max_cv: float,
                             domain_sets: Mapping[str, Sequence[str]], region_code: str,
                             subarea_municipality: str | None = None) -> pd.DataFrame:
    """Primary suppression, then complementary suppression of each lone small cell along every partition."""
    out = apply_disclosure(table, min_n, max_ci_width, max_cv)
    n_all = table["n"].astype("float64")
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
