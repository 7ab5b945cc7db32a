"""Local knowledge joined with the numbers: the data behind the report's joint displays.

- `joint_display`: beside each indicator's result for an area, what local people said there (quotes only when
  marked public, counts by source otherwise), the actors working on the theme and the actions under way;
- `need_map`: themes × areas, marking where the indicator is clearly worse than the reference and no actor or
  action is registered, and where actors work on themes the numbers do not flag;
- `partnership_pack`: for one area, the indicators where it is worse or worsened, with what was said, who is
  active and what is under way;
- `action_follow_up`: an action's indicator before and after its start, in the areas it covers.

Publication flags are enforced in one place, `published_observations`: an observation marked `ei` is dropped
before any join (not even counted), and the text of one marked `vain yhteenveto` is blanked, so no function
here can show what may not be shown. Areas are matched through the catalogue's nesting: an observation made in
a village counts for its municipality ("within"), an actor serving the whole region works in each of its
municipalities ("wider"). Verdicts ("worse", "better", "no clear difference") come from the caller, who
computed them from the confidence intervals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.errors import AthError, close_matches
from ath_analysis.local.catalogue import AreaCatalogue, ThemeCatalogue
from ath_analysis.local.text import reading_note, tr
from ath_analysis.local.vocabulary import ACTIVITIES, ORGANISATION_TYPES, RAISED_BY, SOURCES, STATUSES, fold
from ath_analysis.local.workbook import LocalKnowledge

ACTIVE_STATUSES: tuple[str, ...] = ("planned", "ongoing")  # "under way": registered and not ended
_SCOPE_ORDER = {"here": 0, "wider": 1, "within": 2}
_STATUS_ORDER = {"ongoing": 0, "planned": 1, "ended": 2}

_VERDICTS = {
    "worse": "worse", "better": "better", "none": "none", "no clear difference": "none",
    "up_bad": "worse", "down_bad": "worse", "up_good": "better", "down_good": "better",
    "selvästi heikompi": "worse", "selvästi parempi": "better", "ei selvää eroa": "none",
    "reference": "reference", "vertailukohta": "reference",
}


def normalize_verdict(value: Any) -> str:
    """'worse' | 'better' | 'none' from the report's verdict words (also the change verdicts up_bad …),
    'reference' for the reference row itself, '' for anything else (a hidden cell)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _VERDICTS.get(" ".join(str(value).split()).casefold(), "")


def published_observations(knowledge: LocalKnowledge) -> pd.DataFrame:
    """The observations any output may use: `ei` dropped, the text of `vain yhteenveto` blanked."""
    observations = knowledge.observations
    kept = observations[observations["publication"] != "no"].copy()
    kept["text"] = kept["text"].where(kept["publication"] == "public", "")
    return kept.reset_index(drop=True)


# --- matching ---------------------------------------------------------------------------------------------------

def _relations(areas: AreaCatalogue, targets: Collection[str], allowed: Collection[str]) -> pd.DataFrame:
    """(area, item_area, scope): which registered areas count for each target area, and how."""
    rows = []
    for target in dict.fromkeys(targets):
        if "here" in allowed:
            rows.append((target, target, "here"))
        if "wider" in allowed:
            rows += [(target, a, "wider") for a in areas.ancestors(target)]
        if "within" in allowed:
            rows += [(target, a, "within") for a in areas.descendants(target)]
    return pd.DataFrame(rows, columns=["area", "item_area", "scope"])


def _long(items: pd.DataFrame, themes: ThemeCatalogue) -> pd.DataFrame:
    """One row per item × registered area × indicator it speaks about (a group theme stands for its members)."""
    if items.empty:
        return pd.DataFrame(columns=["item", "item_area", "theme", "indicator", "theme_match"])
    long = items[["id", "areas", "themes"]].rename(columns={"id": "item", "areas": "item_area", "themes": "theme"})
    long = long.explode("item_area").explode("theme").dropna(subset=["item_area", "theme"])
    long["indicator"] = long["theme"].map(lambda t: themes.indicators_of(t))
    long = long.explode("indicator").dropna(subset=["indicator"])
    long["theme_match"] = (long["theme"] == long["indicator"]).map({True: "indicator", False: "group"})
    return long.reset_index(drop=True)


def _match(items: pd.DataFrame, cells: pd.DataFrame, areas: AreaCatalogue, themes: ThemeCatalogue,
           scopes: Collection[str]) -> pd.DataFrame:
    """Items (observations, actors, actions) that speak about each (indicator, area) cell, one row per pair.

    An item reached in several ways keeps the closest scope (here, then wider, then within) and the direct
    theme over the group.
    """
    columns = ["indicator", "area", "item", "item_area", "scope", "theme_match"]
    if items.empty or cells.empty:
        return pd.DataFrame(columns=columns)
    relations = _relations(areas, cells["area"].unique(), scopes)
    pairs = _long(items, themes).merge(relations, on="item_area")
    pairs = pairs.merge(cells[["indicator", "area"]].drop_duplicates(), on=["indicator", "area"])
    pairs["_order"] = pairs["scope"].map(_SCOPE_ORDER) * 2 + (pairs["theme_match"] == "group")
    pairs = pairs.sort_values(["indicator", "area", "item", "_order"]).drop_duplicates(["indicator", "area", "item"])
    return pairs[columns].reset_index(drop=True)


def _area_cells(results: pd.DataFrame, areas: AreaCatalogue, themes: ThemeCatalogue) -> pd.DataFrame:
    """Rows of a result table that describe a known area and a known indicator, with the area's code."""
    missing = [c for c in ("indicator", "domain", "domain_value") if c not in results.columns]
    if missing:
        raise AthError(f"result table: missing column(s) {', '.join(missing)}")
    codes = [areas.for_cell(str(d), str(v)) for d, v in zip(results["domain"], results["domain_value"],
                                                            strict=True)]
    out = results.assign(area=codes)
    out = out[out["area"].notna() & out["indicator"].isin(themes.indicators)]
    return out.reset_index(drop=True)


def _label_items(frame: pd.DataFrame, areas: AreaCatalogue, themes: ThemeCatalogue, lang: str) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(indicator_label=pd.Series(dtype=str), area_label=pd.Series(dtype=str))
    return frame.assign(indicator_label=[themes.label(i, lang) for i in frame["indicator"]],
                        area_label=[areas.label(a, lang) for a in frame["area"]])


def _join_texts(values: Sequence[str], limit: int = 6) -> str:
    values = list(dict.fromkeys(v for v in values if v))
    more = len(values) - limit
    return "; ".join(values[:limit]) + (f"; … (+{more})" if more > 0 else "")


# --- 3. joint display -------------------------------------------------------------------------------------------

@dataclass
class JointDisplay:
    """The local knowledge beside each (indicator, area) result.

    cells: the result rows (with `area`, labels and summary columns: n_quotes, n_summary_only, said,
        actors_text, actions_text, n_actors, n_actions, example).
    quotes: the public observations (indicator, area, id, date, source, raised_by, text, observed_in, scope).
    counts: published observations counted by (indicator, area, source, publication).
    actors: actors working on the theme there (indicator, area, id, name, type, activities, scope).
    actions: actions under way on the theme there (indicator, area, id, title, status, start, end, scope).
    """

    cells: pd.DataFrame
    quotes: pd.DataFrame
    counts: pd.DataFrame
    actors: pd.DataFrame
    actions: pd.DataFrame
    note: str
    example: bool = False


def _quotes(knowledge: LocalKnowledge, cells: pd.DataFrame, areas: AreaCatalogue, themes: ThemeCatalogue,
            lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    observations = published_observations(knowledge)
    matched = _match(observations, cells, areas, themes, ("here", "within"))
    joined = matched.merge(observations.rename(columns={"id": "item"}), on="item")
    counts = (joined.groupby(["indicator", "area", "source", "publication"], as_index=False)
              .size().rename(columns={"size": "n"}))
    counts["source_label"] = [SOURCES.label(s, lang) for s in counts["source"]]
    public = joined[joined["publication"] == "public"].sort_values(["indicator", "area", "date", "item"])
    quotes = pd.DataFrame({
        "indicator": public["indicator"], "area": public["area"], "id": public["item"], "date": public["date"],
        "source": [SOURCES.label(s, lang) for s in public["source"]],
        "raised_by": [RAISED_BY.label(r, lang) for r in public["raised_by"]],
        "text": public["text"], "observed_in": [areas.label(a, lang) for a in public["item_area"]],
        "scope": public["scope"], "theme_match": public["theme_match"],
    })
    return quotes.reset_index(drop=True), counts


def _actors(knowledge: LocalKnowledge, cells: pd.DataFrame, areas: AreaCatalogue, themes: ThemeCatalogue,
            lang: str) -> pd.DataFrame:
    actors = knowledge.actors
    matched = _match(actors, cells, areas, themes, ("here", "wider", "within"))
    joined = matched.merge(actors.rename(columns={"id": "item", "areas": "areas_served"}), on="item")
    joined = joined.sort_values(["indicator", "area", "scope", "name"], key=_scope_key)
    return pd.DataFrame({
        "indicator": joined["indicator"], "area": joined["area"], "id": joined["item"], "name": joined["name"],
        "type": [ORGANISATION_TYPES.label(t, lang) for t in joined["type"]],
        "activities": ["; ".join(ACTIVITIES.label(a, lang) for a in acts) for acts in joined["activities"]],
        "areas_served": ["; ".join(areas.label(a, lang) for a in served) for served in joined["areas_served"]],
        "scope": joined["scope"], "theme_match": joined["theme_match"],
    }).reset_index(drop=True)


def _actions(knowledge: LocalKnowledge, cells: pd.DataFrame, areas: AreaCatalogue, themes: ThemeCatalogue,
             lang: str, statuses: Collection[str]) -> pd.DataFrame:
    actions = knowledge.actions[knowledge.actions["status"].isin(statuses)]
    matched = _match(actions, cells, areas, themes, ("here", "wider", "within"))
    joined = matched.merge(actions.rename(columns={"id": "item"}).drop(columns=["areas", "themes"]), on="item")
    joined = joined.assign(_status=joined["status"].map(_STATUS_ORDER)).sort_values(
        ["indicator", "area", "_status", "title"])
    return pd.DataFrame({
        "indicator": joined["indicator"], "area": joined["area"], "id": joined["item"], "title": joined["title"],
        "status_code": joined["status"], "status": [STATUSES.label(s, lang) for s in joined["status"]],
        "start": joined["start"], "end": joined["end"], "follow_indicator": joined["follow_indicator"],
        "scope": joined["scope"], "theme_match": joined["theme_match"],
    }).reset_index(drop=True)


def _scope_key(column: pd.Series) -> pd.Series:
    return column.map(_SCOPE_ORDER) if column.name == "scope" else column


def _counts_text(counts: pd.DataFrame, lang: str) -> pd.Series:
    """Per (indicator, area): 'haastattelu 1, kumppanuuspöytä 2' over all published observations."""
    if counts.empty:
        return pd.Series(dtype=str)
    by_source = counts.groupby(["indicator", "area", "source_label"], as_index=False)["n"].sum()
    by_source["part"] = by_source["source_label"] + " " + by_source["n"].astype(str)
    return by_source.groupby(["indicator", "area"])["part"].agg(", ".join)


def joint_display(
    results: pd.DataFrame,
    knowledge: LocalKnowledge,
    areas: AreaCatalogue,
    themes: ThemeCatalogue,
    *,
    lang: str = "fi",
    statuses: Collection[str] = ACTIVE_STATUSES,
) -> JointDisplay:
    """Local knowledge beside each result row for an area (rows for other domains, e.g. sex, are left out).

    results: the caller's rows, with at least indicator, domain, domain_value (e.g. the tidy estimate table
        of one wave, with the report's verdict); its other columns are kept.
    statuses: which actions count as under way (default: planned and ongoing).
    """
    cells = _area_cells(results, areas, themes)
    keys = cells[["indicator", "area"]].drop_duplicates()
    quotes, counts = _quotes(knowledge, keys, areas, themes, lang)
    actors = _actors(knowledge, keys, areas, themes, lang)
    actions = _actions(knowledge, keys, areas, themes, lang, statuses)
    index = pd.MultiIndex.from_frame(cells[["indicator", "area"]])
    n_quotes = quotes.groupby(["indicator", "area"]).size()
    n_summary = counts[counts["publication"] == "summary_only"].groupby(["indicator", "area"])["n"].sum()
    said = _counts_text(counts, lang)
    names = actors.groupby(["indicator", "area"])["name"].agg(lambda s: _join_texts(list(s)))
    titles = actions.assign(text=actions["title"] + " (" + actions["status"] + ")").groupby(
        ["indicator", "area"])["text"].agg(lambda s: _join_texts(list(s)))
    out = _label_items(cells, areas, themes, lang)
    out["n_quotes"] = n_quotes.reindex(index).fillna(0).astype(int).to_numpy()
    out["n_summary_only"] = n_summary.reindex(index).fillna(0).astype(int).to_numpy()
    out["said"] = said.reindex(index).fillna("").to_numpy()
    out["n_actors"] = actors.groupby(["indicator", "area"]).size().reindex(index).fillna(0).astype(int).to_numpy()
    out["actors_text"] = names.reindex(index).fillna("").to_numpy()
    out["n_actions"] = actions.groupby(["indicator", "area"]).size().reindex(index).fillna(0).astype(int).to_numpy()
    out["actions_text"] = titles.reindex(index).fillna("").to_numpy()
    out["example"] = knowledge.example
    return JointDisplay(out, quotes, counts, actors, actions, reading_note("joint", lang, example=knowledge.example),
                        knowledge.example)


# --- 4. where need meets no one ---------------------------------------------------------------------------------

FINDINGS: tuple[str, ...] = ("need_no_one", "need_partly", "need_met", "active_not_flagged", "active_not_judged",
                             "")


def _verdict_cells(verdicts: pd.DataFrame, areas: AreaCatalogue, themes: ThemeCatalogue,
                   verdict_column: str, reference_column: str | None) -> pd.DataFrame:
    if verdict_column not in verdicts.columns:
        raise AthError(f"verdict table: missing column '{verdict_column}'"
                       f"{close_matches(verdict_column, list(map(str, verdicts.columns)))}")
    cells = _area_cells(verdicts, areas, themes)
    compared = np.array([normalize_verdict(v) != "reference" for v in cells[verdict_column]], dtype=bool)
    cells = cells[compared]  # the reference area itself has no verdict (a bool array: empty stays a row mask)
    cells = cells.assign(
        _verdict=[normalize_verdict(v) for v in cells[verdict_column]],
        _reference=(cells[reference_column].astype(str) if reference_column and reference_column in cells
                    else "region"),
    )
    # several references (region, country): worse than any of them is worse; then better; then no difference
    ranks = ("worse", "better", "none", "")
    cells["_rank"] = cells["_verdict"].map({v: i for i, v in enumerate(ranks)})
    summary = cells.groupby(["indicator", "area"], sort=False)["_rank"].min().map(dict(enumerate(ranks)))
    worse = cells[cells["_verdict"] == "worse"].drop_duplicates(["indicator", "area", "_reference"])
    worse_than = worse.sort_values("_reference").groupby(["indicator", "area"])["_reference"].agg("; ".join)
    out = pd.DataFrame({"verdict": summary})
    out["worse_than"] = worse_than.reindex(out.index).fillna("")
    return out.reset_index()


def need_map(
    verdicts: pd.DataFrame,
    knowledge: LocalKnowledge,
    areas: AreaCatalogue,
    themes: ThemeCatalogue,
    *,
    lang: str = "fi",
    verdict_column: str = "verdict",
    reference_column: str | None = "reference",
    statuses: Collection[str] = ACTIVE_STATUSES,
) -> pd.DataFrame:
    """Themes × areas: where the indicator is clearly worse and no one works on it, and where actors work on
    themes the numbers do not flag.

    verdicts: rows with indicator, domain, domain_value and `verdict_column` ("worse" / "better" / "no clear
        difference", or the report's "none"); optionally `reference_column` naming what it was compared with
        ("region", "country"): a cell worse than any reference is a need. Give one row per indicator, area
        and reference (e.g. the age-standardized row where there is one, not both).
    Returns one row per (indicator, area) that has a verdict or registered activity, with `verdict`,
    `worse_than`, `coverage` (here / wider / within / none: the closest registered actor or action),
    `n_actors`, `n_actions`, `actors`, `actions`, `finding` (one of FINDINGS) and `finding_text`.
    Findings: need_no_one (worse, nothing registered in or around the area), need_partly (worse, activity only
    in part of the area), need_met (worse, activity in the area or a wider one), active_not_flagged (actors or
    actions registered in the area itself, but not worse), active_not_judged (activity registered in the area,
    which has no verdict: no estimate, a hidden one, or the reference area itself).
    """
    judged = _verdict_cells(verdicts, areas, themes, verdict_column, reference_column)
    active = knowledge.actions[knowledge.actions["status"].isin(statuses)]
    registered = pd.concat([_long(knowledge.actors, themes), _long(active, themes)], ignore_index=True)
    own = registered.rename(columns={"item_area": "area"})[["indicator", "area"]]
    own = own[own["area"].isin(areas.codes)]
    cells = pd.concat([judged[["indicator", "area"]], own], ignore_index=True).drop_duplicates()
    actors = _match(knowledge.actors, cells, areas, themes, ("here", "wider", "within"))
    actions = _match(active, cells, areas, themes, ("here", "wider", "within"))
    names = dict(zip(knowledge.actors["id"], knowledge.actors["name"], strict=True))
    titles = dict(zip(active["id"], active["title"], strict=True))
    both = pd.concat([actors.assign(kind="actor", text=actors["item"].map(names)),
                      actions.assign(kind="action", text=actions["item"].map(titles))], ignore_index=True)
    out = cells.merge(judged, on=["indicator", "area"], how="left")
    out[["verdict", "worse_than"]] = out[["verdict", "worse_than"]].fillna("")
    keys = pd.MultiIndex.from_frame(out[["indicator", "area"]])
    best = both.assign(_order=both["scope"].map(_SCOPE_ORDER)).groupby(["indicator", "area"])["_order"].min()
    order_to_scope = {v: k for k, v in _SCOPE_ORDER.items()}
    out["coverage"] = best.reindex(keys).map(order_to_scope).fillna("none").to_numpy()
    here = both[both["scope"] == "here"].groupby(["indicator", "area"]).size().reindex(keys).fillna(0).to_numpy()
    for kind, column in (("actor", "n_actors"), ("action", "n_actions")):
        part = both[both["kind"] == kind]
        out[column] = part.groupby(["indicator", "area"]).size().reindex(keys).fillna(0).astype(int).to_numpy()
        out[column.replace("n_", "")] = (part.groupby(["indicator", "area"])["text"]
                                         .agg(lambda s: _join_texts(list(s))).reindex(keys).fillna("").to_numpy())
    worse = out["verdict"] == "worse"
    judged_not_worse = out["verdict"].isin(["better", "none"])
    out["finding"] = ""
    out.loc[worse & (out["coverage"] == "none"), "finding"] = "need_no_one"
    out.loc[worse & (out["coverage"] == "within"), "finding"] = "need_partly"
    out.loc[worse & out["coverage"].isin(["here", "wider"]), "finding"] = "need_met"
    out.loc[judged_not_worse & (here > 0), "finding"] = "active_not_flagged"
    out.loc[(out["verdict"] == "") & (here > 0), "finding"] = "active_not_judged"
    out["finding_text"] = [tr(f"finding_{f}", lang) for f in out["finding"]]
    out = _label_items(out, areas, themes, lang)
    out["level"] = [areas[a].level for a in out["area"]]
    out["example"] = knowledge.example
    rank = {f: i for i, f in enumerate(FINDINGS)}
    out = out.assign(_rank=out["finding"].map(rank)).sort_values(["_rank", "indicator", "area"])
    columns = ["indicator", "indicator_label", "area", "area_label", "level", "verdict", "worse_than", "coverage",
               "n_actors", "n_actions", "actors", "actions", "finding", "finding_text", "example"]
    return out[columns].reset_index(drop=True)


def need_matrix(need: pd.DataFrame, *, findings: Collection[str] = FINDINGS[:-1]) -> pd.DataFrame:
    """The need map as a themes × areas table of finding codes ('' where nothing is to be said)."""
    shown = need[need["finding"].isin(findings)]
    if shown.empty:
        return pd.DataFrame()
    return shown.pivot_table(index="indicator_label", columns="area_label", values="finding", aggfunc="first",
                             fill_value="")


def need_note(lang: str = "fi", *, example: bool = False) -> str:
    """The plain-language reading note of the need map."""
    return reading_note("need", lang, example=example)


# --- 5. partnership-table pack ----------------------------------------------------------------------------------

@dataclass
class PartnershipPack:
    """What a partnership table for one area starts from.

    indicators: the area's result rows where it is clearly worse than the reference or has worsened
        (`reason`: worse, worsened or both), worst first.
    quotes / counts: the published observations in the area (and inside it), on any theme; flagged themes first.
    actors: every actor active in the area (here, in a wider area or in part of it), `on_flagged` when one of
        its themes is a flagged indicator.
    actions: the actions under way there.
    wishes: what the active actors wish for, with how many wish it.
    gaps: the need map's rows for the area where need meets no one.
    """

    area: str
    area_label: str
    indicators: pd.DataFrame
    quotes: pd.DataFrame
    counts: pd.DataFrame
    actors: pd.DataFrame
    actions: pd.DataFrame
    wishes: pd.DataFrame
    gaps: pd.DataFrame
    note: str
    example: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _in_area(items: pd.DataFrame, area: str, areas: AreaCatalogue, scopes: Collection[str]) -> pd.DataFrame:
    """Items registered in `area` (or around it, by `scopes`), with their closest scope."""
    if items.empty:
        return items.assign(scope=pd.Series(dtype=str))
    scope = [min((areas.relation(area, a) for a in registered if areas.relation(area, a) in scopes),
                 key=lambda s: _SCOPE_ORDER[s], default="") for registered in items["areas"]]
    out = items.assign(scope=scope)
    return out[out["scope"] != ""].reset_index(drop=True)


def partnership_pack(
    area: str,
    results: pd.DataFrame,
    knowledge: LocalKnowledge,
    areas: AreaCatalogue,
    themes: ThemeCatalogue,
    *,
    lang: str = "fi",
    verdict_column: str = "verdict",
    change_column: str | None = "change",
    statuses: Collection[str] = ACTIVE_STATUSES,
) -> PartnershipPack:
    """The pack for a partnership table in `area` (a code or name the catalogue knows).

    results: result rows (indicator, domain, domain_value, `verdict_column`, optionally `change_column` with
        the change since the previous survey: worse/better/no clear difference or the report's up_bad …), plus
        any columns to show (estimate, ci_low, ci_high …).
    """
    code = areas.resolve(area)
    if code is None:
        raise AthError(f"partnership pack: unknown area '{area}'{areas.hint(area)}")
    cells = _area_cells(results, areas, themes)
    cells = cells[cells["area"] == code].copy()
    cells["_verdict"] = [normalize_verdict(v) for v in cells.get(verdict_column, pd.Series("", index=cells.index))]
    if change_column and change_column in cells.columns:
        cells["_change"] = [normalize_verdict(v) for v in cells[change_column]]
    else:
        cells["_change"] = ""
    worse, worsened = cells["_verdict"] == "worse", cells["_change"] == "worse"
    flagged = cells[worse | worsened].copy()
    flagged["reason"] = [("both" if w and c else "worse" if w else "worsened") for w, c in
                         zip(worse[worse | worsened], worsened[worse | worsened], strict=True)]
    flagged = flagged.assign(_rank=flagged["reason"].map({"both": 0, "worse": 1, "worsened": 2}))
    flagged = flagged.sort_values(["_rank", "indicator"]).drop(columns=["_rank", "_verdict", "_change"])
    flagged = _label_items(flagged, areas, themes, lang)
    flagged["reason_text"] = [
        ", ".join(tr(f"reason_{r}", lang) for r in (["worse", "worsened"] if reason == "both" else [reason]))
        for reason in flagged["reason"]]
    flagged_ids = set(flagged["indicator"])
    flagged_themes = flagged_ids | {themes[i].group for i in flagged_ids if themes[i].group}

    observations = _in_area(published_observations(knowledge), code, areas, ("here", "within"))
    on_flagged = [bool(set(t) & flagged_themes) for t in observations["themes"]]
    observations = observations.assign(on_flagged=on_flagged).sort_values(["on_flagged", "date", "id"],
                                                                          ascending=[False, True, True])
    public = observations[observations["publication"] == "public"]
    quotes = pd.DataFrame({
        "id": public["id"], "date": public["date"],
        "themes": ["; ".join(themes.label(t, lang) for t in ts) for ts in public["themes"]],
        "source": [SOURCES.label(s, lang) for s in public["source"]],
        "raised_by": [RAISED_BY.label(r, lang) for r in public["raised_by"]],
        "text": public["text"], "observed_in": ["; ".join(areas.label(a, lang) for a in a_) for a_ in public["areas"]],
        "on_flagged": public["on_flagged"],
    }).reset_index(drop=True)
    long = observations.explode("themes")
    counts = (long.groupby(["themes", "source", "publication"], as_index=False).size()
              .rename(columns={"themes": "theme", "size": "n"}))
    counts["theme_label"] = [themes.label(t, lang) for t in counts["theme"]]
    counts["source_label"] = [SOURCES.label(s, lang) for s in counts["source"]]

    actors = _in_area(knowledge.actors, code, areas, ("here", "wider", "within"))
    covered = [bool({i for t in ts for i in themes.indicators_of(t)} & flagged_ids) for ts in actors["themes"]]
    actor_table = pd.DataFrame({
        "id": actors["id"], "name": actors["name"],
        "type": [ORGANISATION_TYPES.label(t, lang) for t in actors["type"]],
        "themes": ["; ".join(themes.label(t, lang) for t in ts) for ts in actors["themes"]],
        "activities": ["; ".join(ACTIVITIES.label(a, lang) for a in acts) for acts in actors["activities"]],
        "target_groups": ["; ".join(g) for g in actors["target_groups"]],
        "resources": actors["resources"], "challenges": actors["challenges"],
        "wishes": ["; ".join(w) for w in actors["wishes"]], "scope": actors["scope"], "on_flagged": covered,
    }).sort_values(["on_flagged", "scope", "name"], ascending=[False, True, True], key=_scope_key)
    wishes = actors[["id", "wishes"]].explode("wishes").dropna(subset=["wishes"])
    wishes = wishes.assign(key=wishes["wishes"].map(fold))
    wish_table = (wishes.groupby("key").agg(wish=("wishes", "first"), n_actors=("id", "nunique"))
                  .sort_values(["n_actors", "wish"], ascending=[False, True]).reset_index(drop=True))

    underway = knowledge.actions[knowledge.actions["status"].isin(statuses)]
    actions = _in_area(underway, code, areas, ("here", "wider", "within"))
    action_table = pd.DataFrame({
        "id": actions["id"], "title": actions["title"],
        "status": [STATUSES.label(s, lang) for s in actions["status"]],
        "themes": ["; ".join(themes.label(t, lang) for t in ts) for ts in actions["themes"]],
        "actors": ["; ".join(_actor_names(knowledge, ids)) for ids in actions["actors"]],
        "start": actions["start"], "end": actions["end"], "scope": actions["scope"],
        "on_flagged": [bool({i for t in ts for i in themes.indicators_of(t)} & flagged_ids)
                       for ts in actions["themes"]],
    })
    need = need_map(results, knowledge, areas, themes, lang=lang, verdict_column=verdict_column,
                    reference_column=None, statuses=statuses)
    gaps = need[(need["area"] == code) & (need["finding"] == "need_no_one")].reset_index(drop=True)
    return PartnershipPack(
        area=code, area_label=areas.label(code, lang), indicators=flagged.reset_index(drop=True),
        quotes=quotes, counts=counts.reset_index(drop=True), actors=actor_table.reset_index(drop=True),
        actions=action_table.reset_index(drop=True), wishes=wish_table, gaps=gaps,
        note=reading_note("pack", lang, example=knowledge.example), example=knowledge.example,
    )


def _actor_names(knowledge: LocalKnowledge, ids: Sequence[str]) -> list[str]:
    names = dict(zip(knowledge.actors["id"], knowledge.actors["name"], strict=True))
    return [names.get(i, i) for i in ids]


# --- 6. follow-up of actions ------------------------------------------------------------------------------------

FOLLOW_UP_COLUMNS = ["action", "action_title", "indicator", "action_area", "area", "area_label", "level", "wave",
                     "year", "period", "period_text", "estimate", "ci_low", "ci_high", "suppressed", "standardized",
                     "example"]


def _period(year: int, start: dt.date) -> str:
    return "before" if year < start.year else "after" if year > start.year else "start_year"


def action_follow_up(
    action: str,
    knowledge: LocalKnowledge,
    estimates: pd.DataFrame,
    areas: AreaCatalogue,
    *,
    lang: str = "fi",
    prefer_standardized: bool = True,
) -> pd.DataFrame:
    """The action's indicator to follow, wave by wave, in each area it covers, marked before / after its start.

    estimates: the tidy estimate table (indicator, wave, year, domain, domain_value, estimate, ci_low, ci_high,
        suppressed; with a `standardized` column, an area's age-standardized row is used where it has one,
        since a population's ageing changes a crude prevalence by itself; `prefer_standardized=False`: crude).
    A wave in the start year is "start_year" (the table has years, not fieldwork dates). An area without
    estimates (a village) is followed through the nearest area it lies in that has them (`area` differs from
    `action_area` then). Suppressed cells stay in the table, without values.
    """
    table = knowledge.actions
    match = table[table["id"].map(fold) == fold(action)]
    if match.empty:
        raise AthError(f"follow-up: no action '{action}' in {knowledge.source}"
                       f"{close_matches(action, list(table['id']) + list(table['title']))}")
    row = match.iloc[0]
    if not row["follow_indicator"]:
        raise AthError(f"follow-up: action '{row['id']}' ({row['title']}) has no indicator to follow "
                       f"(column 'seurattava mittari')")
    if row["start"] is None or pd.isna(row["start"]):
        raise AthError(f"follow-up: action '{row['id']}' ({row['title']}) has no start date (column 'alkaa')")
    missing = [c for c in ("indicator", "wave", "year", "domain", "domain_value", "estimate", "ci_low", "ci_high",
                           "suppressed") if c not in estimates.columns]
    if missing:
        raise AthError(f"follow-up: estimate table is missing column(s) {', '.join(missing)}")
    indicator, start = str(row["follow_indicator"]), row["start"]
    rows = estimates[estimates["indicator"] == indicator]
    rows = rows.assign(area=[areas.for_cell(str(d), str(v)) for d, v in
                             zip(rows["domain"], rows["domain_value"], strict=True)]).dropna(subset=["area"])
    if "standardized" in rows.columns:  # one row per area and wave: standardized where there is one (or crude)
        rows = rows.assign(_std=rows["standardized"].astype(bool))
        rows = rows.sort_values("_std", ascending=not prefer_standardized, kind="stable")
        rows = rows.drop_duplicates(["area", "wave"]).drop(columns="_std")
    with_estimates = set(rows["area"].dropna())
    parts = []
    for action_area in row["areas"]:
        used = next((a for a in (action_area, *areas.ancestors(action_area)) if a in with_estimates), None)
        if used is not None:
            parts.append(rows[rows["area"] == used].assign(action_area=action_area))
    if not parts:
        return pd.DataFrame(columns=FOLLOW_UP_COLUMNS)
    out = pd.concat(parts, ignore_index=True).sort_values(["action_area", "year", "wave"])
    out["action"], out["action_title"] = row["id"], row["title"]
    out["area_label"] = [areas.label(a, lang) for a in out["area"]]
    out["level"] = [areas[a].level for a in out["area"]]
    out["period"] = [_period(int(y), start) for y in out["year"]]
    out["period_text"] = [tr(f"period_{p}", lang) for p in out["period"]]
    if "standardized" not in out.columns:
        out["standardized"] = False
    hidden = out["suppressed"].astype(bool)
    out.loc[hidden, ["estimate", "ci_low", "ci_high"]] = float("nan")
    out["example"] = knowledge.example
    return out[FOLLOW_UP_COLUMNS].reset_index(drop=True)


def follow_ups(knowledge: LocalKnowledge, estimates: pd.DataFrame, areas: AreaCatalogue, *,
               lang: str = "fi") -> pd.DataFrame:
    """`action_follow_up` for every action that has an indicator to follow and a start date."""
    table = knowledge.actions
    ready = table[(table["follow_indicator"] != "") & table["start"].notna()]
    parts = [action_follow_up(a, knowledge, estimates, areas, lang=lang) for a in ready["id"]]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FOLLOW_UP_COLUMNS)


def follow_up_note(lang: str = "fi", *, example: bool = False) -> str:
    """The caveat printed with every follow-up: a survey difference is not an evaluation of the action."""
    return reading_note("follow_up", lang, example=example)


__all__ = [
    "ACTIVE_STATUSES", "FINDINGS", "JointDisplay", "PartnershipPack", "action_follow_up", "follow_up_note",
    "follow_ups", "joint_display", "need_map", "need_matrix", "need_note", "normalize_verdict",
    "published_observations",
]
