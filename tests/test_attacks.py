"""Attacks on published tables, written as an outsider would: only published numbers and the cell definitions.

Each attack recovers n, n_positive and weight_sum (hence the prevalence) of groups that were not published.
Every test shows the attack recovering a group of 0 < n < min_n respondents exactly without the linked audit
(with primary suppression only, or with the former per-partition complementary suppression kept in
tests/legacy_disclosure.py), and recovering
no such group after the audit. The tables are made here from small synthetic frames (numpy, fixed seeds),
independently of the audit.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from ath_analysis.disclosure.linked import Family, Grouping, audit

from .legacy_disclosure import complementary_disclosure

SUMS = ["n", "n_positive", "weight_sum"]
JOIN = " × "


# ------------------------------------------------------------------------------------------ making the tables
def labels_of(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Each respondent's cell of a domain set: its values joined with ' × ' (missing: in no cell)."""
    text = frame[columns[0]].astype(str)
    for column in columns[1:]:
        text = text + JOIN + frame[column].astype(str)
    return text.where(frame[columns].notna().all(axis=1))


def publish(frame: pd.DataFrame, domain_sets: dict[str, list[str]], indicators: list[str]) -> pd.DataFrame:
    """The full table (nothing suppressed): one row per indicator × domain cell with its sums."""
    rows = []
    for indicator in indicators:
        y = frame[indicator]
        inside = y.notna()
        for name, columns in domain_sets.items():
            cell = labels_of(frame, columns)
            data = pd.DataFrame({"cell": cell, "y": y, "w": frame["weight"]})[inside & cell.notna()]
            grouped = data.groupby("cell", sort=True)
            for key, part in grouped:
                rows.append({"indicator": indicator, "domain": name, "domain_value": key, "n": len(part),
                             "n_positive": float(part["y"].sum()), "weight_sum": float(part["w"].sum())})
    table = pd.DataFrame(rows)
    table["estimate"] = 0.5  # not used by the attacks (they use the sums); present for the disclosure rules
    table[["se", "ci_low", "ci_high", "deff", "cv"]] = [0.01, 0.4, 0.6, 1.0, 0.02]
    table["wave"], table["standardized"], table["kind"] = "w1", False, "proportion"
    return table


def audited(frame: pd.DataFrame, table: pd.DataFrame, domain_sets: dict[str, list[str]], min_n: int
            ) -> tuple[pd.DataFrame, pd.Series]:
    """The table as the linked audit publishes it, and the audit's withheld mask."""
    groupings = [Grouping.from_labels(name, labels_of(frame, columns)) for name, columns in domain_sets.items()]
    cells = table.rename(columns={"domain": "grouping", "domain_value": "key"})[["grouping", "key", "indicator"]]
    result = audit(cells, groupings, frame[list(dict.fromkeys(table["indicator"]))], min_n)
    return blank(table, result.suppressed.to_numpy()), result.suppressed


def primary_only(table: pd.DataFrame, min_n: int) -> pd.DataFrame:
    small = (table["n"] > 0) & (table["n"] < min_n)
    return blank(table, small.to_numpy())


def per_partition(table: pd.DataFrame, domain_sets: dict[str, list[str]], min_n: int) -> pd.DataFrame:
    """The former disclosure control: primary plus complementary suppression along every partition."""
    return complementary_disclosure(table, min_n, 1.0, 1.0, domain_sets, region_code="R")


def blank(table: pd.DataFrame, hidden: np.ndarray) -> pd.DataFrame:
    out = table.copy()
    out["suppressed"] = hidden
    out[SUMS] = out[SUMS].astype(float).mask(np.repeat(hidden[:, None], len(SUMS), axis=1))
    return out


def truth(frame: pd.DataFrame, members: pd.Series, indicator: str) -> tuple[int, float, float]:
    inside = members & frame[indicator].notna()
    return int(inside.sum()), float(frame.loc[inside, indicator].sum()), float(frame.loc[inside, "weight"].sum())


def value(table: pd.DataFrame, indicator: str, domain: str, key: str) -> np.ndarray | None:
    """A published cell's sums, or None if it is not published (suppressed or absent)."""
    row = table[(table["indicator"] == indicator) & (table["domain"] == domain) & (table["domain_value"] == key)]
    if len(row) == 0 or row["suppressed"].iloc[0]:
        return None
    return row[SUMS].iloc[0].to_numpy(float)


def small_recoveries(recovered: list[tuple[str, np.ndarray]], min_n: int) -> list[tuple[str, np.ndarray]]:
    return [(name, sums) for name, sums in recovered if 0 < round(sums[0]) < min_n]


# -------------------------------------------------------------------------------------------------- frames
def frame_of(seed: int, n: int, municipalities: dict[str, float]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = list(municipalities)
    p = np.array(list(municipalities.values()))
    frame = pd.DataFrame({
        "region": "R",
        "municipality": rng.choice(names, n, p=p / p.sum()),
        "sex": rng.choice(["1", "2"], n),
        "age": rng.integers(20, 96, n),
        "weight": rng.gamma(4.0, 5.0, n),
    })
    frame["y"] = (rng.random(n) < 0.25).astype(float)
    frame.loc[rng.random(n) < 0.03, "y"] = np.nan  # a few item non-responses
    return frame


# ------------------------------------------------------------------------------------------------- attacks
def attack_partition(table: pd.DataFrame, indicator: str, total: tuple[str, str], parts: str,
                     members: list[str] | None = None) -> list[tuple[str, np.ndarray]]:
    """One-step subtraction: a published total minus all published parts of a partition of it (the cells of
    `parts` that lie in the total: `members`, default all)."""
    whole = value(table, indicator, *total)
    rows = table[(table["indicator"] == indicator) & (table["domain"] == parts)]
    if members is not None:
        rows = rows[rows["domain_value"].isin(members)]
    hidden = rows[rows["suppressed"]]
    if whole is None or len(hidden) != 1:
        return []
    others = rows.loc[~rows["suppressed"], SUMS].to_numpy(float).sum(axis=0)
    return [(f"{parts}={hidden['domain_value'].iloc[0]}", whole - others)]


def attack_margins(table: pd.DataFrame, indicator: str, inner: str, margins: dict[str, int], parents: dict[str, str]
                   ) -> list[tuple[str, np.ndarray]]:
    """Subtraction along each margin of a crossed set: margin cell minus the published crossed cells in it."""
    out = []
    rows = table[(table["indicator"] == indicator) & (table["domain"] == inner)]
    parts = rows["domain_value"].str.split(JOIN, regex=False, expand=True)
    for margin, position in margins.items():
        for key, group in rows.groupby(parts[position]):
            whole = value(table, indicator, parents[margin], key)
            hidden = group[group["suppressed"]]
            if whole is not None and len(hidden) == 1:
                out.append((hidden["domain_value"].iloc[0],
                            whole - group.loc[~group["suppressed"], SUMS].to_numpy(float).sum(axis=0)))
    return out


def attack_nested_denominators(table: pd.DataFrame, wide: str, narrow: str) -> list[tuple[str, np.ndarray]]:
    """An indicator published beside the same one with a narrower denominator: subtract cell by cell."""
    out = []
    for (domain, key), _ in table.groupby(["domain", "domain_value"]):
        a, b = value(table, wide, domain, key), value(table, narrow, domain, key)
        if a is not None and b is not None:
            out.append((f"{domain}={key}", a - b))  # the cell's respondents outside the narrow denominator
    return out


def attack_overlapping_ages(table: pd.DataFrame, indicator: str, municipalities: list[str]
                            ) -> list[tuple[str, np.ndarray]]:
    """[municipality, age_group] and [municipality, age_group2] cut the ages at different points: solve, per
    municipality, the published equations for the four age pieces 20–54, 55–64, 65–74, 75+ exactly."""
    pieces = ["20–54", "55–64", "65–74", "75+"]
    cells = {("municipality", None): [1, 1, 1, 1],
             ("municipality_age", "20–54"): [1, 0, 0, 0], ("municipality_age", "55–74"): [0, 1, 1, 0],
             ("municipality_age", "75+"): [0, 0, 0, 1],
             ("municipality_age2", "20–64"): [1, 1, 0, 0], ("municipality_age2", "65+"): [0, 0, 1, 1]}
    out = []
    for m in municipalities:
        rows, rhs = [], []
        for (domain, age), row in cells.items():
            sums = value(table, indicator, domain, m if age is None else f"{m}{JOIN}{age}")
            if sums is not None:
                rows.append(row)
                rhs.append(sums)
        for k, piece in enumerate(pieces):  # is e_k a rational combination of the published rows?
            combination = _solve([[Fraction(v) for v in r] for r in rows], [Fraction(int(j == k)) for j in range(4)])
            if combination is not None:
                out.append((f"{m} {piece}", sum(float(c) * r for c, r in zip(combination, rhs, strict=True))))
    return out


def _solve(rows: list[list[Fraction]], target: list[Fraction]) -> list[Fraction] | None:
    """Coefficients c with Σ c_i rows_i = target, exactly, or None (Gauss–Jordan on the transposed system)."""
    if not rows:
        return None
    m, k = len(rows), len(target)
    augmented = [[rows[i][j] for i in range(m)] + [target[j]] for j in range(k)]
    pivots, r = [], 0
    for c in range(m):
        p = next((i for i in range(r, k) if augmented[i][c] != 0), None)
        if p is None:
            continue
        augmented[r], augmented[p] = augmented[p], augmented[r]
        augmented[r] = [v / augmented[r][c] for v in augmented[r]]
        for i in range(k):
            if i != r and augmented[i][c] != 0:
                f = augmented[i][c]
                augmented[i] = [a - f * b for a, b in zip(augmented[i], augmented[r], strict=True)]
        pivots.append(c)
        r += 1
    if any(all(v == 0 for v in row[:m]) and row[m] != 0 for row in augmented):
        return None
    solution = [Fraction(0)] * m
    for i, c in enumerate(pivots):
        solution[c] = augmented[i][m]
    return solution


# ---------------------------------------------------------------------------------------------------- tests
def test_one_step_subtraction_within_a_partition():
    frame = frame_of(1, 800, {"A": 0.45, "B": 0.35, "C": 0.18, "D": 0.02})
    sets = {"region": ["region"], "municipality": ["municipality"]}
    table = publish(frame, sets, ["y"])
    plain = primary_only(table, 30)
    found = small_recoveries(attack_partition(plain, "y", ("region", "R"), "municipality"), 30)
    assert [name for name, _ in found] == ["municipality=D"]
    assert tuple(found[0][1]) == pytest.approx(truth(frame, frame["municipality"] == "D", "y"))
    published, _ = audited(frame, table, sets, 30)
    assert small_recoveries(attack_partition(published, "y", ("region", "R"), "municipality"), 30) == []


def test_nested_denominator_indicator_reveals_the_oldest_of_every_cell():
    frame = frame_of(2, 1500, {"A": 0.4, "B": 0.3, "C": 0.2, "D": 0.1})
    frame["y_u80"] = frame["y"].where(frame["age"] < 80)
    sets = {"region": ["region"], "municipality": ["municipality"], "sex": ["sex"],
            "municipality_sex": ["municipality", "sex"]}
    table = publish(frame, sets, ["y", "y_u80"])
    for without in (primary_only(table, 30), per_partition(table, sets, 30)):
        found = small_recoveries(attack_nested_denominators(without, "y", "y_u80"), 30)
        assert len(found) >= 3  # the 80+ of small municipalities and municipality × sex cells
        name, sums = found[0]
        domain, key = name.split("=")
        old = (labels_of(frame, sets[domain]) == key) & (frame["age"] >= 80)
        assert tuple(sums) == pytest.approx(truth(frame, old, "y"))
    published, withheld = audited(frame, table, sets, 30)
    assert small_recoveries(attack_nested_denominators(published, "y", "y_u80"), 30) == []
    assert withheld.sum() < len(table) / 2  # protection, not a blackout


def test_overlapping_age_domain_sets_reveal_55_64_and_65_74():
    frame = frame_of(3, 1200, {"A": 0.5, "B": 0.3, "C": 0.2})
    frame["age_group"] = pd.cut(frame["age"], [19, 54, 74, 200], labels=["20–54", "55–74", "75+"]).astype(str)
    frame["age_group2"] = pd.cut(frame["age"], [19, 64, 200], labels=["20–64", "65+"]).astype(str)
    # few respondents aged 55–74 in C: its 55–64 and 65–74 pieces are small
    frame = frame[~((frame["municipality"] == "C") & frame["age"].between(55, 74) & (frame.index % 5 != 0))]
    frame = frame.reset_index(drop=True)
    sets = {"region": ["region"], "municipality": ["municipality"],
            "municipality_age": ["municipality", "age_group"], "municipality_age2": ["municipality", "age_group2"]}
    table = publish(frame, sets, ["y"])
    for without in (primary_only(table, 30), per_partition(table, sets, 30)):
        found = small_recoveries(attack_overlapping_ages(without, "y", ["A", "B", "C"]), 30)
        recovered = dict(found)
        assert "C 55–64" in recovered  # 20–64 minus 20–54
        assert tuple(recovered["C 55–64"]) == pytest.approx(truth(frame, (frame["municipality"] == "C")
                                                                  & frame["age"].between(55, 64), "y"))
        assert recovered["C 55–64"][0] < 15
    published, _ = audited(frame, table, sets, 30)
    assert small_recoveries(attack_overlapping_ages(published, "y", ["A", "B", "C"]), 30) == []


def test_urban_rural_refinement_at_a_high_min_n():
    rng = np.random.default_rng(4)
    n = 3000
    classes = ["K1", "K2", "K3", "M4", "M5", "M6", "M7"]
    frame = pd.DataFrame({"region": "R", "urban_rural": rng.choice(classes, n, p=[.3, .2, .03, .2, .07, .1, .1]),
                          "weight": rng.gamma(4.0, 5.0, n), "y": (rng.random(n) < 0.3).astype(float)})
    frame["urban_rural_group"] = np.where(frame["urban_rural"].str.startswith("K"), "urban", "rural")
    sets = {"region": ["region"], "urban_rural": ["urban_rural"], "urban_rural_group": ["urban_rural_group"]}
    table = publish(frame, sets, ["y"])
    min_n = 150
    former = per_partition(table, sets, min_n)
    assert former.loc[former["domain_value"] == "K3", "suppressed"].all()
    assert former["suppressed"].sum() == 2  # K3 and, as its complement in the partition of the region, M5

    def attack(published: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
        out = []
        for group in ("urban", "rural"):
            whole = value(published, "y", "urban_rural_group", group)
            members = [c for c in classes if c.startswith("K" if group == "urban" else "M")]
            rows = published[(published["domain"] == "urban_rural") & published["domain_value"].isin(members)]
            hidden = rows[rows["suppressed"]]
            if whole is not None and len(hidden) == 1:
                others = rows.loc[~rows["suppressed"], SUMS].sum().to_numpy()
                out.append((hidden["domain_value"].iloc[0], whole - others))
        return out

    found = small_recoveries(attack(former), min_n)
    assert [name for name, _ in found] == ["K3", "M5"] or [name for name, _ in found] == ["K3"]
    assert tuple(dict(found)["K3"]) == pytest.approx(truth(frame, frame["urban_rural"] == "K3", "y"))
    published, _ = audited(frame, table, sets, min_n)
    assert small_recoveries(attack(published), min_n) == []


def test_municipality_by_sex_margins():
    frame = frame_of(5, 900, {"A": 0.5, "B": 0.3, "C": 0.14, "D": 0.06})
    sets = {"region": ["region"], "municipality": ["municipality"], "sex": ["sex"],
            "municipality_sex": ["municipality", "sex"]}
    table = publish(frame, sets, ["y"])

    def attack(published: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
        found = attack_margins(published, "y", "municipality_sex", {"municipality": 0, "sex": 1},
                               {"municipality": "municipality", "sex": "sex"})
        found += attack_partition(published, "y", ("region", "R"), "municipality")
        return found

    found = small_recoveries(attack(primary_only(table, 30)), 30)
    assert found
    name, sums = found[0]
    members = labels_of(frame, ["municipality", "sex"]) == name
    assert tuple(sums) == pytest.approx(truth(frame, members, "y"))
    published, _ = audited(frame, table, sets, 30)
    assert small_recoveries(attack(published), 30) == []


def test_sub_areas_of_the_small_area_table_inside_a_published_group():
    """The estimate table's sub-area group minus the small-area table's published sub-areas in it."""
    rng = np.random.default_rng(6)
    n = 700
    areas = {"v1": "villages", "v2": "villages", "v3": "villages", "t1": "town", "t2": "town"}
    frame = pd.DataFrame({"subarea": rng.choice(list(areas), n, p=[.3, .3, .02, .2, .18]),
                          "weight": rng.gamma(4.0, 5.0, n), "y": (rng.random(n) < 0.3).astype(float)})
    frame["subarea_group"] = frame["subarea"].map(areas)
    sets = {"subarea_group": ["subarea_group"], "subarea": ["subarea"]}
    table = publish(frame, sets, ["y"])
    villages = ["v1", "v2", "v3"]
    found = small_recoveries(attack_partition(primary_only(table, 30), "y", ("subarea_group", "villages"),
                                              "subarea", villages), 30)
    assert [name for name, _ in found] == ["subarea=v3"]
    assert tuple(found[0][1]) == pytest.approx(truth(frame, frame["subarea"] == "v3", "y"))
    published, _ = audited(frame, table, sets, 30)
    assert small_recoveries(attack_partition(published, "y", ("subarea_group", "villages"), "subarea", villages),
                            30) == []


def test_an_indicator_among_the_positives_of_another_gives_their_number_away():
    """'Quit attempts among daily smokers' per municipality: its n is the number of daily smokers there, so the
    smoking cell withheld as a complement is no protection — unless the audit links the two indicators."""
    rng = np.random.default_rng(7)
    sizes, smokers = {"A": 12, "B": 40, "C": 200}, {"A": 3, "B": 36, "C": 40}
    municipality = np.concatenate([[m] * k for m, k in sizes.items()])
    smoking = np.concatenate([np.r_[np.ones(smokers[m]), np.zeros(k - smokers[m])] for m, k in sizes.items()])
    frame = pd.DataFrame({"region": "R", "municipality": municipality, "weight": rng.gamma(4.0, 5.0, len(smoking)),
                          "y": smoking})
    frame["quit"] = np.where(frame["y"] == 1, (rng.random(len(frame)) < 0.5).astype(float), np.nan)
    sets = {"region": ["region"], "municipality": ["municipality"]}
    table = publish(frame, sets, ["y", "quit"])
    table = table[~((table["indicator"] == "quit") & (table["domain"] == "region"))].reset_index(drop=True)

    def attack(published: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
        """Smokers of the suppressed municipality: region's smokers minus the others', read from either table."""
        region = value(published, "y", "region", "R")
        if region is None:
            return []
        hidden, known = [], 0.0
        for m in sizes:
            smoking_cell = value(published, "y", "municipality", m)
            quit_cell = value(published, "quit", "municipality", m)
            if smoking_cell is not None:
                known += smoking_cell[1]
            elif quit_cell is not None:
                known += quit_cell[0]  # the number of smokers
            else:
                hidden.append(m)
        if len(hidden) != 1:
            return []
        m = hidden[0]
        return [(m, np.array([sizes[m], region[1] - known, np.nan]))]

    groupings = [Grouping.from_labels(name, labels_of(frame, columns)) for name, columns in sets.items()]
    cells = table.rename(columns={"domain": "grouping", "domain_value": "key"})[["grouping", "key", "indicator"]]
    unlinked = audit(cells, groupings, frame[["y", "quit"]], 30,
                     family_list=[Family(("y",)), Family(("quit",))])
    found = small_recoveries(attack(blank(table, unlinked.suppressed.to_numpy())), 30)
    assert [(name, sums[1]) for name, sums in found] == [("A", 3.0)]  # the 3 smokers of A, exactly
    linked = audit(cells, groupings, frame[["y", "quit"]], 30)
    assert linked.families[0] == Family(("y",), ("quit",))
    assert small_recoveries(attack(blank(table, linked.suppressed.to_numpy())), 30) == []
