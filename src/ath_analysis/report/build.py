"""One area's report end to end: content, figures, HTML, Excel workbook and formatted CSV, all or nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ath_analysis import __version__
from ath_analysis.atomic import atomic_outputs
from ath_analysis.errors import ConfigError, close_matches
from ath_analysis.indicators.definitions import Indicator, canonical_variables, load_indicators
from ath_analysis.places import Places
from ath_analysis.report import cards, excel, figure_cache, figures, html, maps, overview, provenance, sae
from ath_analysis.report.content import (
    POOLED,
    REGION_DOMAIN,
    AreaSpec,
    IndicatorContent,
    ReportData,
)
from ath_analysis.report.local_page import local_links
from ath_analysis.report.processes import in_background, map_indexed
from ath_analysis.report.settings import ReportSettings
from ath_analysis.report.style import (
    figure_style,
    fmt_count,
    fmt_date,
    fmt_difference,
    fmt_estimate,
    fmt_number,
)
from ath_analysis.report.summary import GENERIC_ADJUSTERS, indicator_summary
from ath_analysis.report.text import STRINGS, adjusters_text, tr, tr_or
from ath_analysis.report.verdicts import Differences, read_differences
from ath_analysis.results.io import read_optional_table
from ath_analysis.yaml_files import read_yaml

MODEL_REQUIRED = ["indicator", "wave", "comparison", "adjustment", "level", "estimate", "ci_low", "ci_high"]


def spec_problems(spec: AreaSpec, domains: Sequence[str], comparisons: Sequence[str] | None = None) -> list[str]:
    """Domain sets (and comparisons) an area's report names that the estimate (compare) stage does not make."""
    known = list(domains)
    problems = []
    for key, names in (("focus.domain", [spec.focus_domain]), ("compare", spec.compare), ("trend", spec.trend)):
        problems += [f"report.areas.{spec.name}.{key}: unknown domain set '{n}'{close_matches(n, known)}"
                     for n in names if n not in known]
    if comparisons is not None:
        problems += [f"report.areas.{spec.name}.comparisons: unknown comparison '{n}'"
                     f"{close_matches(n, list(comparisons))} (compare.comparisons has {', '.join(comparisons)})"
                     for n in spec.comparisons if n not in comparisons]
    return problems


def check_spec(spec: AreaSpec, domains: Sequence[str]) -> None:
    """Every domain set an area's report names must be one the estimate stage makes (a typo names the key)."""
    problems = spec_problems(spec, domains)
    if problems:
        raise ConfigError("invalid report configuration:\n  " + "\n  ".join(problems))


def read_models(path: str | Path | None) -> pd.DataFrame | None:
    """The model table when there is one with rows; None otherwise (the report then shows crude values)."""
    models = read_optional_table(path, MODEL_REQUIRED, "model table")
    if models is None:
        return None
    defaults = {"is_reference": False, "suppressed": False, "flag": "", "adjusters": "", "level_label": None,
                "difference": float("nan"), "diff_ci_low": float("nan"), "diff_ci_high": float("nan"),
                "n": pd.NA, "status": "ok", "kind": None, "year": pd.NA}
    for column, value in defaults.items():
        if column not in models:
            models[column] = value
    models["wave"] = models["wave"].astype(str)
    models["level"] = models["level"].astype(str)
    return models if len(models) else None


def _section_title(domain: str, spec: AreaSpec, data: ReportData) -> str:
    if domain == "focus":
        return spec.title_in(data.lang)
    return tr_or(f"domain_{domain}", data.lang, domain)


def _table_rows(content: IndicatorContent, spec: AreaSpec, data: ReportData) -> list[dict[str, Any]]:
    rows, previous = [], None
    for record in content.table.to_dict("records"):
        section = record["section"]
        record["section_title"] = "" if section in (REGION_DOMAIN, "focus") or section == previous else \
            _section_title(section, spec, data)
        previous = section
        rows.append(record)
    return rows


def _notes(content: IndicatorContent, data: ReportData) -> list[str]:
    settings, lang = data.settings, data.lang
    notes = []
    shown = pd.concat([content.table, content.trend], ignore_index=True)
    if shown["suppressed"].astype(bool).any() or any(c.rows["suppressed"].astype(bool).any()
                                                      for c in content.comparisons):
        notes.append(tr("note_suppressed", lang, min_n=settings.min_n))
    if (content.table["mark"] == "*").any():
        if content.kind == "proportion":
            notes.append(tr("note_imprecise_proportion", lang, width=fmt_number(100 * settings.max_ci_width, lang, 0)))
        else:
            notes.append(tr("note_imprecise_mean", lang, cv=fmt_number(100 * settings.max_cv, lang, 0)))
    return notes


def _value_pairs(rows: pd.DataFrame, label_of: Any = None) -> list[tuple[str, str]]:
    """(label, formatted value) of the rows a figure draws, for its text table and alt text."""
    out = []
    for record in rows.to_dict("records"):
        label = label_of(record) if label_of else str(record.get("label", ""))
        out.append((label, str(record.get("estimate_text") or "–") + str(record.get("mark") or "")))
    return out


def _alt(title: str, pairs: Sequence[tuple[str, str]], lang: str, limit: int = 14) -> str:
    """An alt text that says the values, not only the title ("…: Mikkeli 9,8 %; Juva 6,5 % …")."""
    shown = "; ".join(f"{label} {value.split(' (')[0]}" for label, value in pairs[:limit])
    more = "" if len(pairs) <= limit else (" …" if lang != "fi" else " …")
    return f"{title}: {shown}{more}" if shown else title


def _figures(content: IndicatorContent, spec: AreaSpec, data: ReportData, directory: Path,
             map_inputs: maps.MapInputs) -> tuple[list, list]:
    """Make, save and embed the indicator's figures: (before the table, after the table), each with the values
    it draws as a text table and in its alt text."""
    lang, ind = data.lang, content.indicator.id
    region = data.region_name()
    label = content.label
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []

    def keep(figure: Figure | None, stem: str, kind: str, title: str, caption: str, target: list,
             pairs: Sequence[tuple[str, str]]) -> None:
        if figure is None:
            return
        item = html.embed(figures.save_figure(figure, directory, stem), _alt(title, pairs, lang), caption)
        if item is not None:
            target.append({**item, "kind": kind, "table": list(pairs)})

    table_pairs = _value_pairs(content.table)
    with figure_style():
        keep(figures.areas_figure(content, spec, data), f"{ind}_areas", "areas", f"{label}, {content.latest_year}",
             tr("fig_areas_caption", lang, label=label, year=content.latest_year, region=region), before,
             table_pairs)
        comparison = figures.comparison_figure(content, data)
        if comparison is not None:
            if any(c.from_models for c in content.comparisons):
                modelled = next(c for c in content.comparisons if c.from_models)
                source = tr("pooled_source", lang) if modelled.source == POOLED else \
                    tr("wave_source", lang, year=modelled.year or modelled.source)
                caption = tr("fig_urban_caption", lang, label=label, source=source,
                             adj=adjusters_text(modelled.adjusters, lang) or GENERIC_ADJUSTERS[lang])
            else:
                caption = tr("fig_urban_caption_crude", lang, label=label, year=content.comparisons[0].year)
            pairs = []
            for c in content.comparisons:
                for record in c.rows.to_dict("records"):
                    hidden = bool(record.get("suppressed")) or pd.isna(record.get("estimate"))
                    text = "–" if hidden else fmt_estimate(record["estimate"], record["ci_low"], record["ci_high"],
                                                           content.kind, lang)
                    how = tr(f"adjustment_{record.get('adjustment', 'crude')}", lang)
                    pairs.append((f"{record['label']} ({how})", text))
            keep(comparison, f"{ind}_urbanrural", "urbanrural", label, caption, after, pairs)
        trend_pairs = _value_pairs(content.trend, lambda r: f"{r['label']} {r['year']}")
        keep(figures.trend_figure(content, data), f"{ind}_trend", "trend", label,
             tr("fig_trend_caption", lang, label=label), after, trend_pairs)
        captions = {"map": tr("fig_verdict_map_caption", lang, label=label, year=content.latest_year)
                    if map_inputs.municipal is not None else
                    tr("fig_map_caption", lang, label=label, year=content.latest_year,
                       size=tr("map_size_respondents", lang)),
                    "subarea_map": tr("fig_subarea_map_caption", lang, label=label, year=content.latest_year),
                    "village_map": tr("fig_village_map_caption", lang, label=label, year=content.latest_year)}
        for stem, figure in maps.area_maps(content, spec, data, map_inputs).items():
            keep(figure, f"{ind}_{stem}", "map", f"{label}, {content.latest_year}", captions[stem], after,
                 table_pairs)
    return before, after


def _write_cards(data: ReportData, items: Sequence[dict[str, Any]], folder: Path, cards_dir: str | Path | None
                 ) -> list[dict[str, str]]:
    """The municipal cards (HTML per card and one PDF) written to `folder`; their links (none without cards)."""
    return cards.write_cards(data, items, folder, Path(cards_dir)) if cards_dir is not None else []


def _figure_keys(contents: Sequence[IndicatorContent], spec: AreaSpec, data: ReportData,
                 map_inputs: maps.MapInputs, small_areas: pd.DataFrame | None) -> list[str | None]:
    """Each indicator's figure-cache key: everything its figures are drawn from (None: not cacheable)."""
    try:
        shared = figure_cache.digest(
            figure_cache.code_fingerprint(), spec, map_inputs, data.lang, data.synthetic, data.wave_years,
            data.wave_names, data.labels, data.settings, data.region_name(), data.region_code, data.level,
            data.model_wave)
    except figure_cache.Undigestible:
        return [None] * len(contents)
    rows = dict(tuple(data.estimates.groupby("indicator", sort=False)))
    areas = dict(tuple(small_areas.groupby("indicator", sort=False))) if small_areas is not None else {}
    keys: list[str | None] = []
    for content in contents:
        ind = content.indicator.id
        try:
            keys.append(figure_cache.digest(shared, content, rows.get(ind), areas.get(ind)))
        except figure_cache.Undigestible:
            keys.append(None)
    return keys


def _indicator_figures(contents: Sequence[IndicatorContent], spec: AreaSpec, data: ReportData, directory: Path,
                       map_inputs: maps.MapInputs, small_areas: pd.DataFrame | None,
                       cache: tuple[Path | None, Sequence[str | None]], index: int
                       ) -> tuple[list, list, dict[str, Any] | None]:
    """The figures of indicator `index` (before and after its table) and its villages' part: one worker's job
    (taken from the figure cache when it holds them)."""
    content = contents[index]

    def draw(folder: Path) -> tuple[list, list, dict[str, Any] | None]:
        before, after = _figures(content, spec, data, folder, map_inputs)
        villages = _small_area_part(content, spec, data, small_areas, folder) \
            if small_areas is not None and content.kind == "proportion" else None
        return before, after, villages

    cache_dir, keys = cache
    before, after, villages = figure_cache.cached(cache_dir, keys[index], directory, draw)
    return list(before), list(after), villages


def tidy_rows(data: ReportData, spec: AreaSpec, contents: Sequence[IndicatorContent]) -> pd.DataFrame:
    """Every wave's rows the report draws on (region, the area, compared areas, trend and comparison domains),
    with verdicts against the same wave's region value and the report's formatted text."""
    domains = list(dict.fromkeys([REGION_DOMAIN, spec.focus_domain, *spec.compare, *spec.trend,
                                  *spec.comparisons]))
    parts = []
    for content in contents:
        indicator = content.indicator
        rows = data._rows(indicator, domains).copy()
        keep = (rows["domain"] != spec.focus_domain) | (rows["domain_value"] == spec.focus_value) | \
            rows["domain"].isin([*spec.compare, *spec.trend, *spec.comparisons])
        rows = rows[keep]
        rows["verdict"] = [
            "reference" if d == REGION_DOMAIN else data.verdict(indicator, r, "region")
            for d, r in zip(rows["domain"], rows.to_dict("records"), strict=True)
        ]
        rows["area"] = [data.label(d, v, spec) for d, v in zip(rows["domain"], rows["domain_value"], strict=True)]
        rows["indicator_label"] = content.label
        rows["group"] = content.group
        parts.append(data.format_rows(rows, indicator.kind))
    table = pd.concat(parts, ignore_index=True)
    table = table.drop_duplicates(["indicator", "wave", "domain", "domain_value", "standardized"])
    order = {d: k for k, d in enumerate(domains)}
    table = table.assign(_d=table["domain"].map(order)).sort_values(["_d", "domain_value"], kind="stable")
    ind_order = {c.indicator.id: k for k, c in enumerate(contents)}
    table = table.assign(_i=table["indicator"].map(ind_order)).sort_values(["_i", "year", "_d"], kind="stable")
    if "synthetic" not in table:
        table["synthetic"] = data.synthetic
    return table.drop(columns=["_d", "_i"]).reset_index(drop=True)


def model_rows(data: ReportData, spec: AreaSpec, contents: Sequence[IndicatorContent]) -> pd.DataFrame | None:
    """The model rows behind the report's crude/adjusted figures, with formatted text."""
    parts = []
    for content in contents:
        for comparison in content.comparisons:
            if not comparison.from_models:
                continue
            rows = comparison.rows.copy()
            rows["indicator_label"] = content.label
            rows["area"] = rows["label"]
            rows["kind"] = content.kind
            hidden = rows["suppressed"].astype(bool)
            rows["estimate_text"] = ["–" if h else fmt_estimate(v, lo, hi, content.kind, data.lang)
                                     for v, lo, hi, h in zip(rows["estimate"], rows["ci_low"], rows["ci_high"],
                                                             hidden, strict=True)]
            rows["difference_text"] = [
                "" if h or pd.isna(d) or ref else fmt_difference(d, lo, hi, content.kind, data.lang)
                for d, lo, hi, h, ref in zip(rows["difference"], rows["diff_ci_low"], rows["diff_ci_high"], hidden,
                                             rows["is_reference"].astype(bool), strict=True)]
            rows["synthetic"] = data.synthetic
            parts.append(rows)
    return pd.concat(parts, ignore_index=True) if parts else None


def _small_area_part(content: IndicatorContent, spec: AreaSpec, data: ReportData, table: pd.DataFrame,
                     directory: Path) -> dict[str, Any] | None:
    """The indicator's sub-section on villages and districts: the table rows and the shown-estimate figure."""
    rows = sae.area_rows(table, content)
    if rows.empty:
        return None
    lang, label = data.lang, content.label
    year = int(rows["year"].iloc[0])
    area = spec.title_in(lang)
    reference = sae.focus_value(content, data, spec.focus_domain, spec.focus_value)
    with figure_style():
        figure = sae.shown_figure(rows, content, area, reference, data)
        saved = figures.save_figure(figure, directory, f"{content.indicator.id}_small_areas") if figure else None
    caption = tr("sae_fig_caption", lang, label=label, year=year, area=area)
    if content.standardized:
        caption += " " + tr("sae_crude_note", lang)
    pairs = [(str(r["area_label"]), sae.shown_text(r, lang)) for r in rows.to_dict("records")]
    item = html.embed(saved, _alt(f"{label}, {year}", pairs, lang), caption)
    if item is not None:
        item["kind"] = "small-areas"
        item["table"] = []
    return {
        "caption": tr("sae_table_caption", lang, label=label, year=year),
        "rows": sae.table_rows(rows, data),
        "figure": item,
        "note": tr("sae_table_note", lang, min_n=data.settings.min_n,
                   cv=fmt_number(100 * float(data.settings.small_area_model["max_direct_cv"]), lang, 0))
        + (" " + tr("sae_crude_note", lang) if content.standardized else ""),
    }


def _small_area_overview(table: pd.DataFrame, data: ReportData, directory: Path) -> dict[str, Any] | None:
    """The report's one small-area overview: the plain-language note and the CV figure."""
    lang, settings = data.lang, data.settings
    summary = sae.cv_summary(table, list(data.wave_years))
    if summary.empty:
        return None
    year = int(summary["year"].iloc[0])
    with figure_style():
        figure = sae.cv_figure(summary, data)
        saved = figures.save_figure(figure, directory, "small_areas_cv") if figure else None
    item = html.embed(saved, tr("sae_cv_title", lang, year=year), tr("sae_cv_caption", lang, year=year))
    if item is not None:
        item["kind"] = "small-areas-cv"
        item["table"] = [(str(r["label"]), fmt_count(r["n"], lang)) for r in summary.to_dict("records")]
    return {"intro": tr("sae_intro", lang, min_n=settings.min_n,
                        cv=fmt_number(100 * float(settings.small_area_model["max_direct_cv"]), lang, 0)),
            "figure": item}


OWN_DEFINITION = re.compile(r"^\s*Projektin rajaus\s*(\([^)]*\))?\s*:\s*", re.IGNORECASE)


def _definition(source: str | None, lang: str) -> str:
    """The indicator's definition as readers see it: THL's wording as given; a definition the project made
    itself says so plainly (no notes to developers such as "THL's rule not found")."""
    text = str(source or "").strip()
    if OWN_DEFINITION.match(text):
        text = f"{tr('definition_own', lang)}: {OWN_DEFINITION.sub('', text)}"
    return text


def _mentions_standardization(text: str | None) -> bool:
    return bool(re.search(r"ikävakioi|age-standardi", str(text or ""), re.IGNORECASE))


def _waves_text(data: ReportData) -> str:
    return ", ".join(data.wave_names[w] for w in data.wave_years)


def _overview_context(data: ReportData, contents: Sequence[IndicatorContent], spec: AreaSpec) -> dict[str, Any]:
    """The overview table (indicators × latest, previous, change, region, koko maa, verdict) and the lists of
    what got worse and what improved."""
    lang = data.lang
    table = overview.overview(data, contents, spec.focus_domain, spec.focus_value)
    latest = max(c.latest_year for c in contents)
    previous = [c.previous_year for c in contents if c.previous_year is not None]
    prev = max(previous) if previous else None
    return {
        "caption": tr("overview_caption", lang, area=spec.title_in(lang), year=latest),
        "intro": tr("overview_intro", lang, references=tr(
            "overview_references_region" if spec.focus_domain != REGION_DOMAIN else "overview_references_country",
            lang, region=data.region_name())),
        "groups": overview.grouped(table, data.region_name(), lang),
        "has_region": spec.focus_domain != REGION_DOMAIN,
        "has_previous": prev is not None,
        "region": data.region_name(),
        "latest_header": tr("col_latest", lang, year=latest),
        "previous_header": tr("col_previous", lang, year=prev) if prev else "",
        "worsened_title": tr("worsened_title", lang, prev=prev, year=latest) if prev else "",
        "improved_title": tr("improved_title", lang, prev=prev, year=latest) if prev else "",
        "worsened": overview.changes(table, "worse"),
        "improved": overview.changes(table, "better"),
        "table": table,
    }


def _disclosure_methods(audit: Mapping[str, Any] | None, estimates: pd.DataFrame, data: ReportData) -> dict[str, Any]:
    """What is protected and how, with the publication audit's own figures (all waves together)."""
    lang, min_n = data.lang, data.settings.min_n
    clopper = int((estimates.get("ci_method", pd.Series(dtype=str)) == "clopper-pearson").sum())
    out: dict[str, Any] = {"paragraphs": tr("methods_protection_text", lang, min_n=min_n), "rows": [],
                           "clopper": tr("methods_clopper_text", lang, n=fmt_count(clopper, lang))}
    if not audit:
        return out
    for wave, figures_ in audit.get("waves", {}).items():
        out["rows"].append({
            "wave": data.wave_names.get(wave, wave),
            "cells": fmt_count(figures_.get("cells"), lang),
            "published": fmt_count(figures_.get("published"), lang),
            "primary": fmt_count(int(figures_.get("withheld_given", 0)) + int(figures_.get("withheld_primary", 0)),
                                 lang),
            "secondary": fmt_count(figures_.get("withheld_secondary"), lang),
            "atoms": fmt_count(figures_.get("atoms"), lang),
        })
    return out


def _methods(data: ReportData, estimates: pd.DataFrame, small_areas: bool = False,
             audit: Mapping[str, Any] | None = None) -> dict[str, Any]:
    settings, lang = data.settings, data.lang
    ages = sorted(estimates.loc[estimates["domain"] == settings.standardize_by, "domain_value"].unique())
    ci_method = tr_or(f"ci_method_{settings.ci_method}", lang, settings.ci_method)
    return {
        "data": tr("methods_data_text", lang, waves=_waves_text(data), min_age=settings.min_age,
                   region=data.region_name(), reference_date=fmt_date(settings.reference_date, lang)),
        "weighting": tr("methods_weighting_text", lang, level=fmt_number(100 * settings.level, lang, 0),
                        ci_method=ci_method),
        "standardization": tr("methods_standardization_text", lang, groups=", ".join(ages) or "–"),
        "models": tr("methods_models_text", lang),
        "change": tr("methods_change_text", lang),
        "disclosure": tr("methods_disclosure_text", lang, min_n=settings.min_n,
                         width=fmt_number(100 * settings.max_ci_width, lang, 0),
                         cv=fmt_number(100 * settings.max_cv, lang, 0)),
        "small_areas": sae.methods_text(settings.small_area_model, settings.min_n, lang) if small_areas else "",
        "protection": _disclosure_methods(audit, estimates, data),
    }


def _audit_table(prov: provenance.Provenance, data: ReportData) -> list[dict[str, Any]]:
    lang = data.lang
    rows = []
    for row in provenance.audit_rows(prov.audits, data.settings.waves):
        excluded = [f"{reason}: {fmt_count(n, lang)}" for reason, n in row["excluded"].items() if n]
        rows.append({
            "wave": row["wave"],
            "name": data.wave_names.get(row["wave"], row["wave"]),
            "fieldwork": fmt_date(row["fieldwork"], lang),
            "rows_read": fmt_count(row["rows_read"], lang),
            "excluded": "; ".join(excluded) or tr("audit_none", lang),
            "rows_kept": fmt_count(row["rows_kept"], lang),
            "in_region": fmt_count(row["in_region"], lang),
            "warnings": "; ".join(row["warnings"]),
        })
    return rows


def model_warnings(models: pd.DataFrame | None, spec: AreaSpec, data: ReportData) -> list[str]:
    """One line per model of this report's comparisons that could not be estimated, with its reason."""
    if models is None or "status" not in models or models.empty:
        return []
    bad = models[(models["status"].fillna("ok") != "ok") & models["comparison"].isin(list(spec.comparisons))]
    bad = bad.drop_duplicates(["indicator", "wave", "comparison", "adjustment", "message"])
    labels = {i.id: (i.label_en if data.lang == "en" else i.label_fi) for i in data.indicators}
    waves = {**data.wave_names, "pooled": tr("pooled", data.lang)}
    return [f"{labels.get(r.indicator, r.indicator)} – {waves.get(r.wave, r.wave)}, {r.comparison} "
            f"({tr('adjustment_' + r.adjustment, data.lang)}): {r.message}" for r in bad.itertuples(index=False)]


def _indicators(indicators_path: str | Path, variables_path: str | Path, estimates: pd.DataFrame) -> list[Indicator]:
    definitions = load_indicators(indicators_path, variables=canonical_variables(variables_path))
    present = set(estimates["indicator"])
    return [i for i in definitions if i.id in present]


def build_area_report(
    *,
    settings: ReportSettings,
    estimates_path: str | Path,
    models_path: str | Path | None,
    ingest_audits: Sequence[str | Path],
    geography_audits: Sequence[str | Path],
    indicators_path: str | Path,
    variables_path: str | Path,
    places: Places,
    html_path: str | Path,
    xlsx_path: str | Path,
    csv_path: str | Path,
    figures_dir: str | Path,
    centres_path: str | Path | None = None,
    boundaries_path: str | Path | None = None,
    register_path: str | Path | None = None,
    small_areas_path: str | Path | None = None,
    differences_path: str | Path | None = None,
    audit_path: str | Path | None = None,
    cards_dir: str | Path | None = None,
    excel_csv_path: str | Path | None = None,
    config_files: Sequence[str | Path] = (),
    settings_record: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
    processes: int = 1,
    figure_cache_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Write the area's HTML report, workbook, formatted table and figures (SVG); return a small summary.

    config_files and settings_record (the settings as given, e.g. the rule's params) go into the provenance.
    register_path: the national register's manifest (its municipal and postal-area boundaries draw the maps).
    differences_path: the gated differences table, the source of every verdict (without it no verdicts);
    audit_path: the publication audit (its figures go into the methods); cards_dir: where the municipal cards
    go (HTML per card and one PDF); excel_csv_path: the table again for Finnish Excel (`;`, decimal comma, BOM).
    processes: how many processes draw the indicators' figures (the report is the same with any number);
    figure_cache_dir: where an indicator's figures are kept to be copied, not drawn, when a rerun's inputs for
    them are the same (report.figure_cache; None: always drawn).
    """
    lang = settings.language
    spec = settings.area
    area = spec.name
    check_spec(spec, list(settings.domains))
    estimates = pd.read_parquet(estimates_path)
    models = read_models(models_path)
    small_areas = sae.read_small_areas(small_areas_path) if spec.small_areas else None
    labels = places.labels(read_yaml(variables_path), lang)
    difference_table = read_differences(differences_path)
    data = ReportData(estimates, models, _indicators(indicators_path, variables_path, estimates), labels, settings,
                      Differences(difference_table))
    publication_audit = json.loads(Path(audit_path).read_text(encoding="utf-8")) if audit_path else None
    contents = [data.content(indicator, spec) for indicator in data.indicators]
    for content in contents:
        content.summary = indicator_summary(content, spec, data)
    map_inputs = maps.load_map_inputs(
        register_dir=register_path, boundaries_path=boundaries_path,
        code_property=settings.boundaries_code_property, municipalities=places.municipalities,
        reference_date=settings.reference_date,
        subareas=places.subareas.table if places.subareas is not None else None,
        differences=difference_table, small_areas=small_areas,
        centres_path=centres_path if spec.map else None)

    figures_dir = Path(figures_dir)
    figures_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{figures_dir.name}.", suffix=".tmp", dir=figures_dir.parent))
    background = contextlib.ExitStack()
    try:
        card_items = cards.cards(data, contents, spec)
        # the cards' PDF is made beside the figures when there are processes to spare
        cards_written = background.enter_context(in_background(
            _write_cards, data, card_items, scratch / ".cards", cards_dir, enabled=processes > 1))
        groups: dict[str, list[dict[str, Any]]] = {}
        sa_overview = _small_area_overview(small_areas, data, scratch) if small_areas is not None else None
        keys = _figure_keys(contents, spec, data, map_inputs, small_areas) if figure_cache_dir else \
            [None] * len(contents)
        drawn = map_indexed(_indicator_figures, (contents, spec, data, scratch, map_inputs, small_areas,
                                                 (Path(figure_cache_dir) if figure_cache_dir else None, keys)),
                            len(contents), processes)
        for content, (before, after, small_area_part) in zip(contents, drawn, strict=True):
            indicator = content.indicator
            kind = content.kind
            groups.setdefault(content.group, []).append({
                "id": indicator.id,
                "label": content.label,
                "kind": kind,
                "standardized": content.standardized,
                "interpretation": indicator.interpretation_en if lang == "en" else indicator.interpretation_fi,
                "source": _definition(indicator.source, lang),
                "standardized_note": content.standardized and not _mentions_standardization(
                    indicator.interpretation_en if lang == "en" else indicator.interpretation_fi),
                "summary": content.summary,
                "figures_before": before,
                "figures_after": after,
                "rows": _table_rows(content, spec, data),
                "notes": _notes(content, data),
                "table_caption": tr("table_caption", lang, label=figures.figure_title(content, lang, year=False),
                                    year=content.latest_year),
                "value_header": tr(f"col_value_{kind}", lang),
                "verdict_header": tr("col_vs_region", lang, region=data.region_name()),
                "breakdowns": overview.breakdowns(data, content, spec.focus_domain, spec.focus_value),
                "verdict_region": data.region_name(),
                "breakdown_area": spec.title_in(lang) if spec.focus_domain != REGION_DOMAIN else "",
                "breakdown_caption": tr("breakdowns_caption", lang, label=content.label, year=content.latest_year),
                "small_areas": small_area_part,
            })
        tables = [estimates_path, *([models_path] if models_path and models is not None else []),
                  *([small_areas_path] if small_areas_path and small_areas is not None else [])]
        prov = provenance.collect(ingest_audits, geography_audits, config_files, tables, settings_record, now=now)
        title = tr("title", lang, area=spec.title_in(lang))
        card_links = cards_written()
        tidy = tidy_rows(data, spec, contents)
        modelled = model_rows(data, spec, contents)
        context = {
            "lang": lang,
            "version": __version__,
            "title": title,
            "subtitle": tr("subtitle", lang, waves=_waves_text(data)),
            "made": tr("made", lang, time=fmt_date(prov.made, lang)),
            "local_links": local_links(area, lang) if settings.local_knowledge else [],
            "synthetic": data.synthetic,
            "t": {k: v[lang] for k, v in STRINGS.items() if isinstance(v[lang], str)},
            "rule_area": tr("rule_area", lang, region=data.region_name()),
            "how_to_read": tr("how_to_read_long", lang, min_n=settings.min_n),
            "groups": [{"name": name, "items": items} for name, items in groups.items()],
            "small_areas": sa_overview,
            "overview": _overview_context(data, contents, spec),
            "cards": card_links,
            "methods": _methods(data, estimates, small_areas is not None, publication_audit),
            "audit": _audit_table(prov, data),
            "model_warnings": model_warnings(models, spec, data),
            "provenance": prov,
            "made_date": fmt_date(prov.made, lang),
            "footer": tr("footer", lang, xlsx=Path(xlsx_path).name, csv=f"tables/{Path(csv_path).name}",
                         excel_csv=f"tables/{Path(excel_csv_path or Path(csv_path).with_suffix('')).name}"
                         + ("" if excel_csv_path else "_excel.csv")),
        }
        page = html.render(context)
        group_frames = {name: frame for name, frame in tidy.groupby("group", sort=False)}
        about = {"title": title,
                 "notes": [tr("note_suppressed", lang, min_n=settings.min_n),
                           tr("rule_area", lang, region=data.region_name()), tr("rule_diff", lang)]}
        outputs = [html_path, xlsx_path, csv_path, *([excel_csv_path] if excel_csv_path else [])]
        with atomic_outputs(*outputs) as temporary:
            html_tmp, xlsx_tmp, csv_tmp = temporary[:3]
            html_tmp.write_text(page, encoding="utf-8")
            excel.write_workbook(xlsx_tmp, group_frames, modelled, about, prov, lang, data.synthetic,
                                 villages=sae.village_frame(small_areas, contents, data) if small_areas is not None
                                 else None,
                                 areas={item["name"]: cards.card_frame(item, lang) for item in card_items
                                        if item["domain"] == "municipality"},
                                 wave_names=data.wave_names)
            tidy[["group", *excel.TIDY_COLUMNS, "mark"]].to_csv(csv_tmp, index=False, float_format="%.10g",
                                                                lineterminator="\n")
            if excel_csv_path:
                excel.write_excel_csv(temporary[3], tidy, lang)
            for tmp in temporary:
                tmp.chmod(0o644)
            if cards_dir is not None:
                cards_path = Path(cards_dir)
                if cards_path.exists():
                    shutil.rmtree(cards_path)
                cards_path.parent.mkdir(parents=True, exist_ok=True)
                (scratch / ".cards").chmod(0o755)
                os.replace(scratch / ".cards", cards_path)
            if figures_dir.exists():
                shutil.rmtree(figures_dir)
            scratch.chmod(0o755)
            os.replace(scratch, figures_dir)
    finally:
        background.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return {"area": area, "indicators": len(contents), "figures": len(list(figures_dir.glob("*.svg"))),
            "cards": len(card_links), "card_pages": int(card_links[0]["pdf_pages"]) if card_links else 0}
