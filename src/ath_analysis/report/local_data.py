"""The published numbers the local-knowledge outputs stand beside: one report area's latest cells and verdicts.

Read from the GATED tables only (`reports/tables/estimates.parquet` and `differences.parquet`): the local page
and the partnership pack never see respondent data nor a table before the publication gate. Every verdict comes
from the published differences table — a difference is clear when its 95 % CI excludes 0 (`differs`) — so the
local outputs and the differences table can never disagree; the indicator's `higher_is_better` only says
whether a clear difference is better or worse. A suppressed cell keeps its identity and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ath_analysis.errors import ConfigError, DataError
from ath_analysis.indicators.definitions import Indicator
from ath_analysis.local.catalogue import AreaCatalogue, ThemeCatalogue
from ath_analysis.local.joins import (
    JointDisplay,
    PartnershipPack,
    follow_ups,
    joint_display,
    need_map,
    partnership_pack,
)
from ath_analysis.local.workbook import LocalKnowledge

ESTIMATE_COLUMNS = ("indicator", "kind", "wave", "year", "domain", "domain_value", "domain_label", "estimate",
                    "ci_low", "ci_high", "standardized", "suppressed")
DIFFERENCE_COLUMNS = ("indicator", "wave", "domain", "domain_value", "reference", "difference", "differs",
                      "standardized", "suppressed")
REFERENCES = ("region", "country")  # what an area is judged against (the previous survey gives the change)
ROLES = ("focus", "compare", "reference")


@dataclass(frozen=True)
class LocalArea:
    """One configured report area (`report.areas.<name>`) as the local outputs need it."""

    name: str
    title: Mapping[str, str]
    focus_domain: str
    focus_value: str
    compare: Sequence[str] = ()
    labels_en: Mapping[str, str] = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["fi"]

    def label(self, text: str, lang: str) -> str:
        """An area label in `lang`: the report's English names of Finnish labels (place names stay)."""
        return self.labels_en.get(text, text) if lang == "en" else text


def local_area(name: str, spec: Mapping[str, Any], region_code: str) -> LocalArea:
    """The report area `name` from its `report.areas` block (defaults filled by the schema)."""
    focus = spec.get("focus") or {"domain": "region", "value": region_code}
    return LocalArea(name=name, title={"fi": str(spec["name_fi"]), "en": str(spec.get("name_en") or spec["name_fi"])},
                     focus_domain=str(focus["domain"]), focus_value=str(focus["value"]),
                     compare=[str(c) for c in spec.get("compare") or []],
                     labels_en={str(k): str(v) for k, v in (spec.get("labels_en") or {}).items()})


def _require(table: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(f"{name}: missing column(s) {', '.join(missing)} (rerun the publish and differences rules)")


def _verdict(differs: Any, difference: Any, suppressed: Any, higher_is_better: bool) -> str:
    """'worse' | 'better' | 'none' from a published difference row; '' when it is hidden or absent."""
    hidden = suppressed is not None and not pd.isna(suppressed) and bool(suppressed)
    if hidden or differs is None or pd.isna(differs) or difference is None or pd.isna(difference):
        return ""
    if not bool(differs):
        return "none"
    return "better" if (float(difference) > 0) == higher_is_better else "worse"


def _preferred(rows: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, wave and domain: the age-standardized rows where the domain has them, else the crude ones
    (as the report shows them)."""
    has_std = rows.groupby(["indicator", "wave", "domain"])["standardized"].transform("any")
    return rows[rows["standardized"].astype(bool) == has_std.astype(bool)]


def combined_verdict(verdicts: Sequence[str]) -> str:
    """Worse than any reference is worse; then better; then no clear difference; '' when none is known."""
    for word in ("worse", "better", "none"):
        if word in verdicts:
            return word
    return ""


def area_cells(
    estimates: pd.DataFrame,
    differences: pd.DataFrame,
    indicators: Sequence[Indicator],
    areas: AreaCatalogue,
    area: LocalArea,
    region_code: str,
) -> pd.DataFrame:
    """The latest published cell of each indicator for the report's area, its compared areas and its references.

    One row per indicator × shown area: `role` focus (the report's area), compare (its `compare` domain sets)
    or reference (the region, when the report is not about the region, and the whole country); `area` is the
    catalogue code (empty for the country); estimate, ci_low, ci_high (NaN when suppressed); `verdict_region`,
    `verdict_country` (vs the reference), `change` (vs the previous survey), each worse/better/none or '';
    `verdict` combined over region and country; `previous_year`. The latest wave is the latest in which the
    focus area has a row.
    """
    _require(estimates, ESTIMATE_COLUMNS, "estimate table")
    _require(differences, DIFFERENCE_COLUMNS, "differences table")
    est = estimates.assign(domain_value=estimates["domain_value"].astype(str))
    diff = differences.assign(domain_value=differences["domain_value"].astype(str))
    focus = (est["domain"] == area.focus_domain) & (est["domain_value"] == area.focus_value)
    if not focus.any():
        raise ConfigError(f"report area '{area.name}': its focus {area.focus_domain}={area.focus_value} has no row "
                          f"in the estimate table")
    roles = pd.Series("", index=est.index)
    roles[est["domain"].isin(area.compare)] = "compare"
    if area.focus_domain != "region":
        roles[(est["domain"] == "region") & (est["domain_value"] == str(region_code))] = "reference"
    roles[est["domain"] == "country"] = "reference"
    roles[focus] = "focus"
    est = est.assign(role=roles)
    est = est[est["role"] != ""]
    by_id = {i.id: i for i in indicators}
    est = est[est["indicator"].isin(list(by_id))]
    latest = est[est["role"] == "focus"].groupby("indicator")["year"].max()
    years = sorted(est["year"].unique())
    est = est[est["year"] == est["indicator"].map(latest)]
    cells = _preferred(est).drop_duplicates(["indicator", "domain", "domain_value"]).copy()
    keys = ["indicator", "wave", "domain", "domain_value", "standardized"]
    diff = diff.assign(standardized=diff["standardized"].astype(bool))
    cells["standardized"] = cells["standardized"].astype(bool)
    better = {i: ind.higher_is_better for i, ind in by_id.items()}
    for reference, column in (("region", "verdict_region"), ("country", "verdict_country"), ("previous", "change")):
        part = diff[diff["reference"] == reference].drop_duplicates(keys)
        merged = cells[keys].merge(part[[*keys, "difference", "differs", "suppressed"]], on=keys, how="left")
        cells[column] = [
            _verdict(d, v, s, better[i]) for i, d, v, s in
            zip(merged["indicator"], merged["differs"], merged["difference"], merged["suppressed"], strict=True)]
    hidden = cells["suppressed"].astype(bool)
    cells.loc[hidden, ["estimate", "ci_low", "ci_high"]] = float("nan")
    cells.loc[hidden, ["verdict_region", "verdict_country", "change"]] = ""
    cells["verdict"] = [combined_verdict([r, c]) for r, c in zip(cells["verdict_region"], cells["verdict_country"],
                                                                 strict=True)]
    cells["area"] = [areas.for_cell(d, v) or "" for d, v in zip(cells["domain"], cells["domain_value"], strict=True)]
    cells["previous_year"] = [max((y for y in years if y < year), default=None) for year in cells["year"]]
    order = {i.id: n for n, i in enumerate(indicators)}
    cells = cells.assign(_i=cells["indicator"].map(order), _r=cells["role"].map({r: n for n, r in enumerate(ROLES)}),
                         _d=cells["domain"].map({"region": 0, "country": 1}).fillna(0))
    cells = cells.sort_values(["_i", "_r", "_d", "domain_value"]).drop(columns=["_i", "_r", "_d"])
    return cells.reset_index(drop=True)


def verdict_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """The verdicts of the report's own areas (focus and compared) as the need map takes them: one row per
    indicator, area and reference (region, country) with a published verdict."""
    own = cells[cells["role"].isin(["focus", "compare"]) & (cells["area"] != "")]
    parts = [own.assign(reference=reference, verdict=own[f"verdict_{reference}"]) for reference in REFERENCES]
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["verdict"] != ""]
    return rows[["indicator", "domain", "domain_value", "reference", "verdict"]].reset_index(drop=True)


def report_areas(cells: pd.DataFrame) -> list[str]:
    """Catalogue codes of the report's own areas, the focus first."""
    own = cells[cells["role"].isin(["focus", "compare"]) & (cells["area"] != "")]
    return list(dict.fromkeys(own.sort_values("role", key=lambda r: r.map({"focus": 0, "compare": 1}),
                                              kind="stable")["area"]))


@dataclass
class LocalOutputs:
    """Everything the local page and the partnership pack of one report area show, computed once.

    cells: `area_cells`; joint: the joint display of the focus and compared areas; need: the need map of the
    report's own areas (`areas_shown`, the focus first); follow: the follow-up of the actions that concern the
    focus area; pack: the partnership pack of the focus area.
    """

    area: LocalArea
    focus: str
    lang: str
    synthetic: bool
    knowledge: LocalKnowledge
    areas: AreaCatalogue
    themes: ThemeCatalogue
    indicators: Sequence[Indicator]
    cells: pd.DataFrame
    joint: JointDisplay
    need: pd.DataFrame
    follow: pd.DataFrame
    pack: PartnershipPack
    areas_shown: list[str]

    @property
    def example(self) -> bool:
        return bool(self.knowledge.example)

    def area_label(self, code: str) -> str:
        """The area's name in the page's language (the report's `labels_en` first, as the main report)."""
        finnish = self.areas.label(code, "fi")
        if self.lang == "en" and finnish in self.area.labels_en:
            return self.area.labels_en[finnish]
        return self.areas.label(code, self.lang)


def prepare_local(
    estimates: pd.DataFrame,
    differences: pd.DataFrame,
    knowledge: LocalKnowledge,
    areas: AreaCatalogue,
    themes: ThemeCatalogue,
    indicators: Sequence[Indicator],
    area: LocalArea,
    region_code: str,
    *,
    lang: str = "fi",
    synthetic: bool = False,
) -> LocalOutputs:
    """The joins of `ath_analysis.local.joins` on the published cells of one report area."""
    cells = area_cells(estimates, differences, indicators, areas, area, region_code)
    focus = areas.for_cell(area.focus_domain, area.focus_value)
    if focus is None:
        raise ConfigError(f"report area '{area.name}': its focus {area.focus_domain}={area.focus_value} is not an "
                          f"area the local-knowledge workbook knows")
    own = cells[cells["role"].isin(["focus", "compare"]) & (cells["area"] != "")]
    shown = report_areas(cells)
    joint = joint_display(own, knowledge, areas, themes, lang=lang)
    need = need_map(verdict_rows(cells), knowledge, areas, themes, lang=lang)
    need = need[need["area"].isin(shown)].reset_index(drop=True)
    follow = follow_ups(knowledge, estimates, areas, lang=lang)
    if not follow.empty:
        follow = follow[[areas.relation(focus, a) != "" for a in follow["action_area"]]].reset_index(drop=True)
    pack = partnership_pack(focus, own, knowledge, areas, themes, lang=lang)
    return LocalOutputs(area=area, focus=focus, lang=lang, synthetic=synthetic, knowledge=knowledge, areas=areas,
                        themes=themes, indicators=list(indicators), cells=cells, joint=joint, need=need,
                        follow=follow, pack=pack, areas_shown=shown)


__all__ = ["LocalArea", "LocalOutputs", "area_cells", "combined_verdict", "local_area", "prepare_local",
           "report_areas", "verdict_rows"]
