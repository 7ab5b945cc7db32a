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


def _graph(frames: Iterable[pd.DataFrame]) -> dict[str, set[str]]:
    """Every code's successors in any source, so chains and contradictions can be followed."""
    graph: dict[str, set[str]] = {}
    for frame in frames:
        for old, new in zip(frame["old_code"], frame["new_code"], strict=True):
            graph.setdefault(old, set()).add(new)
    return graph


def _names(list_names: Mapping[str, str], frames: Iterable[pd.DataFrame]) -> dict[str, str]:
    """Names from the lists first, then from the other sources for codes the lists do not have."""
    names = dict(list_names)
    for frame in frames:
        for side in ("old", "new"):
            if f"{side}_name" in frame:
                for code, name in zip(frame[f"{side}_code"], frame[f"{side}_name"], strict=True):
                    if isinstance(name, str) and name and code not in list_names:
                        names.setdefault(code, name)
    return names


def _merger_date(group: pd.DataFrame, label: str, listed_on: str | None, in_lists: bool, first: int,
                 dated_source: str) -> str:
    """The one date the dated table gives a merger, checked against what the yearly lists show."""
    dates = sorted(set(group["effective"]))
    if len(dates) != 1:
        raise RegisterError(f"{dated_source}: {label} has several merger dates: {', '.join(dates)}")
    effective = dates[0]
    if listed_on and effective != listed_on:
        raise RegisterError(f"{dated_source}: {label} merged on {effective}, but the yearly lists show it "
                            f"ending on {listed_on}")
    if not listed_on and not in_lists and effective > f"{first}-01-01":
        raise RegisterError(f"{dated_source}: {label} merged on {effective}, but it is already missing "
                            f"from the {first} list")
    return effective


def _check_agreement(label: str, successors: list[str], others: Iterable[str], graph: Mapping[str, Iterable[str]],
                     dated_source: str, abolished_source: str) -> None:
    """The undated list may name a successor's predecessor or successor, but not another municipality."""
    for other in others:
        if other not in successors and not any(
            _reachable(s, other, graph) or _reachable(other, s, graph) for s in successors
        ):
            raise RegisterError(f"{dated_source}: {label} joined {shown(successors)}, but "
                                f"{abolished_source} says it joined {other}")


def _rows(old: str, successors: list[str], effective: str, known_by: str, source: str,
          names: Mapping[str, str]) -> list[dict[str, object]]:
    """One row per successor, so a split shows as several rows with `split` true."""
    return [{
        "old_code": old, "old_name": names.get(old, ""), "new_code": new, "new_name": names.get(new, ""),
        "effective": effective, "known_by": effective or known_by,
        "split": len(set(successors)) > 1, "source": source,
    } for new in sorted(set(successors))]


def _notes(table: pd.DataFrame, listed: Iterable[str], first: int) -> list[str]:
    """What the manifest should say: dead-end successors, undated mergers and splits."""
    first_day = f"{first}-01-01"
    notes = []
    ends = set(table["new_code"]) - set(listed) - set(table["old_code"])
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
    return notes


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
    graph = _graph((abolished, dated))
    _check_cycles(graph)
    names = _names(list_names, (abolished, dated))

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
            successors = list(by_dated[old]["new_code"])
            effective = _merger_date(by_dated[old], label, listed_on, old in presence.index, first, dated_source)
            others = by_abolished.get(old, pd.DataFrame(columns=["new_code"]))["new_code"]
            _check_agreement(label, successors, others, graph, dated_source, abolished_source)
            source = dated_source + ("; date agrees with the yearly lists" if listed_on else "")
        elif old in by_abolished:
            successors = list(by_abolished[old]["new_code"])
            effective = listed_on or ""
            source = abolished_source + ("; dated by the yearly lists" if listed_on else "")
        else:
            last_listed = int(presence.loc[old, "max"])
            unknown_successor.append(f"{old} {names.get(old, '')} (last listed {last_listed})")
            continue
        rows += _rows(old, successors, effective, first_day, source, names)
    if unknown_successor:
        raise RegisterError(
            f"municipality code(s) {shown(unknown_successor)} vanish from the yearly lists, but no source names the "
            "municipality they joined; add them to the dated merger table (old_code, old_name, new_code, new_name, "
            "effective)"
        )
    table = pd.DataFrame(rows, columns=SUCCESSOR_COLUMNS)
    return table, _notes(table, presence.index, first)
