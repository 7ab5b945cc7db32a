"""The dated successor table: which municipality an abolished code joined, and when.

Three kinds of source are combined, each checked against the others:

* the yearly municipality lists (1 January of consecutive years): a code in year Y−1's list and not in year Y's
  was abolished on Y-01-01 — dated, but without its successor;
* a list of abolished municipalities and the municipality each joined (Statistics Finland's, undated);
* optionally a dated merger table such as the project's `config/areas/municipal_mergers.csv`
  (old_code, old_name, new_code, new_name, effective), which dates mergers older than the first yearly list and
  names successors the other lists do not know yet (e.g. 588 Pertunmaa → 507 Mäntyharju on 2025-01-01).

A merger that cannot be dated from the lists or the table is kept undated with `known_by`, the 1 January of the
first yearly list (it had happened by then). A code with two or more successors is a split (`split` is true):
the sources give no population shares, so resolving it is left to the caller (see `NationalRegister`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ath_analysis.register.common import RegisterError, shown

SUCCESSOR_COLUMNS = ["old_code", "old_name", "new_code", "new_name", "effective", "known_by", "split", "source"]
DATED_COLUMNS = ["old_code", "new_code", "effective"]


def _reachable(start: str, target: str, graph: Mapping[str, Iterable[str]]) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        code = frontier.pop()
        for nxt in graph.get(code, ()):
            if nxt == target:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


def _check_cycles(graph: Mapping[str, Iterable[str]]) -> None:
    for code in graph:
        if _reachable(code, code, graph):
            raise RegisterError(f"successor table: municipality {code} is its own successor through a chain")


def build_successors(
    lists: pd.DataFrame,
    abolished: pd.DataFrame,
    abolished_source: str,
    dated: pd.DataFrame | None = None,
    dated_source: str = "",
) -> tuple[pd.DataFrame, list[str]]:
    """The successor table (SUCCESSOR_COLUMNS) and notes for the manifest.

    lists: normalized municipality lists (year, code, name_fi …) of consecutive years.
    abolished: old_code, new_code (optionally old_name, new_name); rows with old_code == new_code are ignored.
    dated: old_code, new_code, effective (optionally old_name, new_name).
    Contradictions between the sources, and codes that vanish from the lists with no known successor, raise.
    """
    years = sorted(int(y) for y in lists["year"].unique())
    first, last = years[0], years[-1]
    first_day = f"{first}-01-01"
    presence = lists.groupby("code")["year"].agg(["min", "max"])
    list_names = lists.sort_values("year").groupby("code")["name_fi"].last().to_dict()

    abolished = abolished[abolished["old_code"] != abolished["new_code"]]
    dated = dated if dated is not None else pd.DataFrame(columns=DATED_COLUMNS)
    graph: dict[str, set[str]] = {}
    for frame in (abolished, dated):
        for old, new in zip(frame["old_code"], frame["new_code"], strict=True):
            graph.setdefault(old, set()).add(new)
    _check_cycles(graph)

    names = dict(list_names)
    for frame in (abolished, dated):
        for side in ("old", "new"):
            if f"{side}_name" in frame:
                for code, name in zip(frame[f"{side}_code"], frame[f"{side}_name"], strict=True):
                    if isinstance(name, str) and name and code not in list_names:
                        names.setdefault(code, name)

    vanished = presence[presence["max"] < last]
    vanished_on = {code: f"{int(top) + 1}-01-01" for code, top in vanished["max"].items()}
    by_dated = {old: group for old, group in dated.groupby("old_code")}
    by_abolished = {old: group for old, group in abolished.groupby("old_code")}

    rows: list[dict[str, object]] = []
    unknown_successor: list[str] = []
    for old in sorted(set(by_dated) | set(by_abolished) | set(vanished_on)):
        label = f"municipality {old} ({names.get(old, 'name unknown')})"
        if old in presence.index and presence.loc[old, "max"] == last:
            where = dated_source if old in by_dated else abolished_source
            raise RegisterError(f"{where}: {label} is listed as abolished but is in force in the {last} list")
        listed_on = vanished_on.get(old)
        if old in by_dated:
            group = by_dated[old]
            successors = list(group["new_code"])
            dates = sorted(set(group["effective"]))
            if len(dates) != 1:
                raise RegisterError(f"{dated_source}: {label} has several merger dates: {', '.join(dates)}")
            effective = dates[0]
            if listed_on and effective != listed_on:
                raise RegisterError(f"{dated_source}: {label} merged on {effective}, but the yearly lists show it "
                                    f"ending on {listed_on}")
            if not listed_on and old not in presence.index and effective > first_day:
                raise RegisterError(f"{dated_source}: {label} merged on {effective}, but it is already missing "
                                    f"from the {first} list")
            for other in by_abolished.get(old, pd.DataFrame(columns=["new_code"]))["new_code"]:
                if other not in successors and not any(
                    _reachable(s, other, graph) or _reachable(other, s, graph) for s in successors
                ):
                    raise RegisterError(f"{dated_source}: {label} joined {shown(successors)}, but "
                                        f"{abolished_source} says it joined {other}")
            source = dated_source + ("; date agrees with the yearly lists" if listed_on else "")
        elif old in by_abolished:
            successors = list(by_abolished[old]["new_code"])
            effective = listed_on or ""
            source = abolished_source + ("; dated by the yearly lists" if listed_on else "")
        else:
            last_listed = int(presence.loc[old, "max"])
            unknown_successor.append(f"{old} {names.get(old, '')} (last listed {last_listed})")
            continue
        for new in sorted(set(successors)):
            rows.append({
                "old_code": old, "old_name": names.get(old, ""), "new_code": new, "new_name": names.get(new, ""),
                "effective": effective, "known_by": effective or first_day,
                "split": len(set(successors)) > 1, "source": source,
            })
    if unknown_successor:
        raise RegisterError(
            f"municipality code(s) {shown(unknown_successor)} vanish from the yearly lists, but no source names the "
            "municipality they joined; add them to the dated merger table (old_code, old_name, new_code, new_name, "
            "effective)"
        )
    table = pd.DataFrame(rows, columns=SUCCESSOR_COLUMNS)
    notes = []
    ends = set(table["new_code"]) - set(presence.index) - set(table["old_code"])
    for end in sorted(ends):
        olds = table.loc[table["new_code"] == end, "old_code"]
        notes.append(f"successor code {end} is in no municipality list and has no successor itself; "
                     f"code(s) {shown(olds)} cannot be mapped to a municipality")
    undated = int((table["effective"] == "").sum())
    if undated:
        notes.append(f"{undated} merger(s) older than the {first} list have no date (known_by {first_day})")
    splits = sorted(set(table.loc[table["split"], "old_code"]))
    if splits:
        notes.append(f"{len(splits)} code(s) have more than one successor (splits, no shares given): {shown(splits)}")
    return table, notes
