"""What a report shows: the rows of the estimate and model tables for one area, with the CI-based verdicts.

Everything here is a small aggregate table (one row per domain cell); nothing reads respondent data. There
is one verdict rule, stated in the report in plain words: a difference (area vs region, area vs koko maa,
change from the previous survey, an adjusted gap) is clear when the 95 % CI of the difference excludes zero.
The differences and their CIs come from the gated differences table (`report.verdicts`), never from comparing
two intervals here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ath_analysis.indicators.definitions import Indicator
from ath_analysis.report.style import fmt_count, fmt_estimate, fmt_interval, fmt_value
from ath_analysis.report.text import tr
from ath_analysis.report.verdicts import Differences, direction

if TYPE_CHECKING:
    from ath_analysis.report.settings import ReportSettings

REGION_DOMAIN = "region"
POOLED = "pooled"


@dataclass(frozen=True)
class AreaSpec:
    """One configured report (`report.areas.<name>` in config.yaml)."""

    name: str
    title: Mapping[str, str]
    focus_domain: str
    focus_value: str
    compare: Sequence[str]
    comparisons: Sequence[str]
    trend: Sequence[str]
    map: bool
    labels_en: Mapping[str, str] = field(default_factory=dict)
    small_areas: bool = False  # show the Fay–Herriot sub-area estimates (reports/tables/small_areas.parquet)

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["fi"]


def area_spec(name: str, spec: Mapping[str, Any], region_code: str) -> AreaSpec:
    """One configured area (`report.areas.<name>`, defaults filled by the schema) as a spec."""
    focus = spec.get("focus", {"domain": REGION_DOMAIN, "value": region_code})
    return AreaSpec(
        name=name,
        title={"fi": spec["name_fi"], "en": spec.get("name_en") or spec["name_fi"]},
        focus_domain=str(focus["domain"]),
        focus_value=str(focus["value"]),
        compare=list(spec.get("compare", [])),
        comparisons=list(spec.get("comparisons", [])),
        trend=list(spec.get("trend", [])),
        map=bool(spec.get("map", False)),
        labels_en=dict(spec.get("labels_en", {}) or {}),
        small_areas=bool(spec.get("small_areas", False)),
    )


def area_specs(report_config: Mapping[str, Any], region_code: str) -> dict[str, AreaSpec]:
    """The configured areas as specs (the schema has filled the defaults)."""
    return {name: area_spec(name, spec, region_code) for name, spec in report_config["areas"].items()}


@dataclass
class Comparison:
    """Crude and adjusted values of one comparison (e.g. urban vs rural) for one indicator."""

    comparison: str
    source: str  # "pooled" or a wave name
    year: int | None
    rows: pd.DataFrame  # level, label, adjustment, estimate, ci_low, ci_high, n, is_reference, suppressed, diff…
    adjusters: str
    from_models: bool


@dataclass
class IndicatorContent:
    indicator: Indicator
    label: str
    group: str
    standardized: bool
    latest_wave: str
    latest_year: int
    previous_wave: str | None
    previous_year: int | None
    region: pd.Series  # the region's latest row
    focus: pd.Series  # the report area's latest row (the region itself for the regional report)
    table: pd.DataFrame  # rows shown in the indicator's table (latest wave)
    trend: pd.DataFrame  # series × wave
    comparisons: list[Comparison]
    map_rows: pd.DataFrame
    change: dict[str, Any] | None
    summary: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.indicator.kind


def verdict(row: Mapping[str, Any], reference: float, higher_is_better: bool) -> str:
    """The former interval rule ('better' | 'worse' | 'none'; '' when hidden): the cell's CI lies above or below a
    reference point. The report's verdicts never use it (they are the differences table's `differs`); it is kept
    only for callers without a differences table (the maps' fallback)."""
    if row.get("suppressed") or _missing(row.get("ci_low")) or _missing(reference):
        return ""
    if row["ci_low"] > reference:
        return "better" if higher_is_better else "worse"
    if row["ci_high"] < reference:
        return "worse" if higher_is_better else "better"
    return "none"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


class ReportData:
    """The estimate and model tables prepared for one language; builds each indicator's content for an area."""

    def __init__(self, estimates: pd.DataFrame, models: pd.DataFrame | None, indicators: Sequence[Indicator],
                 labels: Mapping[str, Mapping[str, str]], settings: ReportSettings,
                 differences: Differences | None = None) -> None:
        self.lang = settings.language
        self.differences = differences if differences is not None else Differences(None)
        self._groups: dict[Any, pd.DataFrame] | None = None
        self._cache: dict[tuple[str, str], pd.DataFrame] = {}
        self._row_index: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
        self.settings = settings
        self.indicators = list(indicators)
        self.labels = labels
        self.region_code = settings.region_code
        self.level = settings.level
        self.estimates = estimates.copy()
        self.estimates["domain_value"] = self.estimates["domain_value"].astype(str)
        self.models = models if models is not None and len(models) else None
        self.model_wave = settings.model_wave
        waves = settings.waves
        years = self.estimates.drop_duplicates("wave").set_index("wave")["year"].astype(int).to_dict()
        self.wave_years: dict[str, int] = dict(sorted(years.items(), key=lambda kv: (kv[1], kv[0])))
        self.wave_names = {w: f"{waves.get(w, {}).get('survey', w)} {y}" for w, y in self.wave_years.items()}
        self.synthetic = bool(self.estimates.get("synthetic", pd.Series([False])).any()) or settings.synthetic

    # -- labels --------------------------------------------------------------------------------------------
    def label(self, domain: str, value: str, spec: AreaSpec | None = None, fallback: str | None = None) -> str:
        columns = self.settings.columns_of(domain)
        parts = str(value).split(" × ")
        names = [self.labels.get(c, {}).get(p, p) for c, p in zip(columns, parts, strict=False)]
        text = " × ".join(names) if names else (fallback or str(value))
        if self.lang == "en" and spec is not None:
            text = spec.labels_en.get(text, text)
        return text

    def level_label(self, comparison: str, level: Any, level_label: Any, spec: AreaSpec) -> str:
        """A model level's name: from the reference labels when known, else the model table's own label."""
        if str(level) in self.labels.get(self._column(comparison), {}):
            return self.label(comparison, str(level), spec)
        text = str(level if _missing(level_label) else level_label)
        return spec.labels_en.get(text, text) if self.lang == "en" else text

    def _label_order(self, domain: str, value: str) -> int:
        """Position of a value in its reference label list (urban before rural, K1 … M7), else last."""
        order = list(self.labels.get(self._column(domain), {}))
        return order.index(value) if value in order else len(order)

    def _column(self, domain: str) -> str:
        """The one analysis column of a single-column domain set; a crossed set's own name."""
        columns = self.settings.columns_of(domain)
        return columns[0] if len(columns) == 1 else domain

    def region_name(self) -> str:
        return self.labels.get(REGION_DOMAIN, {}).get(self.region_code, self.region_code)

    def indicator_label(self, indicator: Indicator) -> str:
        return indicator.label_en if self.lang == "en" else indicator.label_fi

    def indicator_group(self, indicator: Indicator) -> str:
        if self.lang == "en":
            return indicator.group_en or indicator.group or ""
        return indicator.group or ""

    # -- rows ----------------------------------------------------------------------------------------------
    def _rows(self, indicator: Indicator, domains: Sequence[str], waves: Sequence[str] | None = None
              ) -> pd.DataFrame:
        """Rows of an indicator for some domain sets, age-standardized where the indicator asks for it."""
        parts = [self._indexed(indicator, d) for d in dict.fromkeys(domains)]
        parts = [p for p in parts if len(p)]
        table = pd.concat(parts) if len(parts) > 1 else (parts[0] if parts else self.estimates.iloc[:0])
        if waves is not None:
            table = table[table["wave"].isin(list(waves))]
        return table

    def _indexed(self, indicator: Indicator, domain: str) -> pd.DataFrame:
        """One indicator's rows of one domain set (standardized where it asks for it), computed once."""
        key = (indicator.id, domain)
        if key not in self._cache:
            if self._groups is None:
                self._groups = {k: g for k, g in self.estimates.groupby(["indicator", "domain"], sort=False)}
            table = self._groups.get(key, self.estimates.iloc[:0])
            if indicator.standardize:
                # the standardized rows of a domain set when they exist, else its crude rows
                table = table[table["standardized"] == bool(table["standardized"].any())]
            else:
                table = table[~table["standardized"]]
            self._cache[key] = table
        return self._cache[key]

    def _row(self, indicator: Indicator, domain: str, value: str, wave: str) -> pd.Series | None:
        key = (indicator.id, domain)
        if key not in self._row_index:
            rows = self._indexed(indicator, domain)
            self._row_index[key] = {(str(v), str(w)): i for i, (v, w) in
                                    enumerate(zip(rows["domain_value"], rows["wave"], strict=True))}
        position = self._row_index[key].get((str(value), str(wave)))
        return None if position is None else self._indexed(indicator, domain).iloc[position]

    def indicator_waves(self, indicator: Indicator) -> list[str]:
        present = set(self.estimates.loc[self.estimates["indicator"] == indicator.id, "wave"])
        return [w for w in self.wave_years if w in present]

    def content(self, indicator: Indicator, spec: AreaSpec) -> IndicatorContent:
        waves = self.indicator_waves(indicator)
        latest = waves[-1]
        previous = waves[-2] if len(waves) > 1 else None
        region = self._row(indicator, REGION_DOMAIN, self.region_code, latest)
        if region is None:
            raise KeyError(f"no region row for indicator {indicator.id} in wave {latest}")
        focus = self._row(indicator, spec.focus_domain, spec.focus_value, latest)
        focus = region if focus is None else focus
        table = self._table(indicator, spec, latest, region)
        change = None
        if previous is not None:
            change = self.differences.change(indicator.id, latest, str(focus["domain"]), str(focus["domain_value"]),
                                             bool(focus["standardized"]), indicator.higher_is_better)
        map_rows = pd.DataFrame()
        if spec.map:
            map_rows = self._rows(indicator, ["municipality"], [latest]).copy()
            map_rows["label"] = [self.label("municipality", v) for v in map_rows["domain_value"]]
        return IndicatorContent(
            indicator=indicator,
            label=self.indicator_label(indicator),
            group=self.indicator_group(indicator),
            standardized=bool(indicator.standardize and bool(region["standardized"])),
            latest_wave=latest,
            latest_year=self.wave_years[latest],
            previous_wave=previous,
            previous_year=self.wave_years.get(previous) if previous else None,
            region=region,
            focus=focus,
            table=table,
            trend=self._trend(indicator, spec),
            comparisons=[c for c in (self._comparison(indicator, spec, name, latest) for name in spec.comparisons)
                         if c is not None],
            map_rows=map_rows,
            change=change,
        )

    def _table(self, indicator: Indicator, spec: AreaSpec, wave: str, region: pd.Series) -> pd.DataFrame:
        """Region, the report's area, then the compared areas (in code order), with verdicts and text."""
        parts = [self._rows(indicator, [REGION_DOMAIN], [wave]).assign(section=REGION_DOMAIN, role="region")]
        if spec.focus_domain != REGION_DOMAIN:
            focus = self._rows(indicator, [spec.focus_domain], [wave])
            parts.append(focus[focus["domain_value"] == spec.focus_value].assign(section="focus", role="focus"))
        for domain in spec.compare:
            parts.append(self._rows(indicator, [domain], [wave]).assign(section=domain, role="area"))
        table = pd.concat(parts, ignore_index=True)
        table["label"] = [self.label(d, v, spec) for d, v in zip(table["domain"], table["domain_value"],
                                                                 strict=True)]
        table["verdict"] = [
            "reference" if role == "region" else self.verdict(indicator, row, "region")
            for role, row in zip(table["role"], table.to_dict("records"), strict=True)
        ]
        return self.format_rows(table, indicator.kind)

    def difference(self, indicator: Indicator, row: Mapping[str, Any], reference: str) -> dict[str, Any] | None:
        """The published difference of an estimate row from `reference` (region, country or previous)."""
        return self.differences.get(indicator.id, str(row["wave"]), str(row["domain"]), str(row["domain_value"]),
                                    reference, bool(row["standardized"]))

    def verdict(self, indicator: Indicator, row: Mapping[str, Any], reference: str) -> str:
        """'better' | 'worse' | 'none' | '' of an estimate row against `reference`: the difference-CI rule."""
        if row.get("suppressed"):
            return ""
        return direction(self.difference(indicator, row, reference), indicator.higher_is_better)

    def format_rows(self, table: pd.DataFrame, kind: str) -> pd.DataFrame:
        """Add the text columns the HTML and Excel show: value, CI, n, mark, note and verdict words."""
        lang = self.lang
        out = table.copy()
        hidden = out["suppressed"].astype(bool).to_numpy()
        out["value_text"] = [("–" if h else fmt_value(v, kind, lang)) for v, h in zip(out["estimate"], hidden,
                                                                                       strict=True)]
        out["ci_text"] = [("–" if h else fmt_interval(lo, hi, kind, lang))
                          for lo, hi, h in zip(out["ci_low"], out["ci_high"], hidden, strict=True)]
        out["estimate_text"] = [("–" if h else fmt_estimate(v, lo, hi, kind, lang)) for v, lo, hi, h in
                                zip(out["estimate"], out["ci_low"], out["ci_high"], hidden, strict=True)]
        out["n_text"] = [("–" if h else fmt_count(n, lang)) for n, h in zip(out["n"], hidden, strict=True)]
        out["mark"] = np.where(~hidden & (out["flag"] == "low precision"), "*", "")
        notes = {"small n": tr("suppressed_small", lang, min_n=self.settings.min_n),
                 "complementary suppression": tr("suppressed_complementary", lang),
                 "no respondents": tr("suppressed_empty", lang)}
        out["hidden_note"] = [notes.get(f, "") if h else "" for f, h in zip(out["flag"], hidden, strict=True)]
        if "verdict" in out:
            words = {"better": tr("verdict_better", lang), "worse": tr("verdict_worse", lang),
                     "none": tr("verdict_none", lang), "reference": tr("verdict_reference", lang), "": ""}
            out["verdict_text"] = out["verdict"].map(words)
        return out

    def _trend(self, indicator: Indicator, spec: AreaSpec) -> pd.DataFrame:
        """Region, the report's area and the configured trend domains in every wave."""
        parts = [self._rows(indicator, [REGION_DOMAIN]).assign(series_order=0)]
        if spec.focus_domain != REGION_DOMAIN:
            focus = self._rows(indicator, [spec.focus_domain])
            parts.append(focus[focus["domain_value"] == spec.focus_value].assign(series_order=1))
        for k, domain in enumerate(spec.trend, start=2):
            parts.append(self._rows(indicator, [domain]).assign(series_order=k))
        trend = pd.concat(parts, ignore_index=True)
        trend["label"] = [self.label(d, v, spec) for d, v in zip(trend["domain"], trend["domain_value"],
                                                                 strict=True)]
        trend["wave_name"] = trend["wave"].map(self.wave_names)
        trend["_o"] = [self._label_order(d, v) for d, v in zip(trend["domain"], trend["domain_value"], strict=True)]
        trend = trend.sort_values(["series_order", "_o", "domain_value", "year"], kind="stable")
        trend = trend.drop(columns="_o").reset_index(drop=True)
        return self.format_rows(trend, indicator.kind)

    def _comparison(self, indicator: Indicator, spec: AreaSpec, comparison: str, latest: str
                    ) -> Comparison | None:
        """Crude and adjusted levels from the model table (pooled, else the latest wave there); crude estimates
        of the latest wave when the model table has nothing usable for this indicator."""
        models = self.models
        if models is not None:
            rows = models[(models["indicator"] == indicator.id) & (models["comparison"] == comparison)]
            if "status" in rows:
                rows = rows[rows["status"].fillna("ok") == "ok"]
            if len(rows):
                waves = set(rows["wave"].astype(str))
                if POOLED in waves and self.model_wave == POOLED:
                    source = POOLED
                else:
                    source = max(waves - {POOLED} or waves, key=lambda w: (self.wave_years.get(w, -1), w))
                rows = rows[rows["wave"].astype(str) == source].copy()
                if rows["adjustment"].eq("adjusted").any():
                    rows["label"] = [self.level_label(comparison, v, lab, spec)
                                     for v, lab in zip(rows["level"], rows["level_label"], strict=True)]
                    rows["suppressed"] = rows["suppressed"].fillna(False).astype(bool)
                    adjusters = rows.loc[rows["adjustment"] == "adjusted", "adjusters"].dropna()
                    year = self.wave_years.get(source)
                    return Comparison(comparison, source, year, rows.reset_index(drop=True),
                                      str(adjusters.iloc[0]) if len(adjusters) else "", True)
        crude = self.estimates[(self.estimates["indicator"] == indicator.id)
                               & (self.estimates["domain"] == comparison) & (self.estimates["wave"] == latest)
                               & ~self.estimates["standardized"]].copy()
        if crude.empty:
            return None
        crude = crude.assign(_o=[self._label_order(comparison, v) for v in crude["domain_value"]])
        crude = crude.sort_values(["_o", "domain_value"], kind="stable")
        crude["level"] = crude["domain_value"]
        crude["label"] = [self.label(comparison, v, spec) for v in crude["domain_value"]]
        crude["adjustment"] = "crude"
        crude["is_reference"] = False
        return Comparison(comparison, latest, self.wave_years[latest], crude.reset_index(drop=True), "", False)

