"""The reports as a reader meets them: HTML that parses and is self-contained, every indicator present, the
numbers in the text equal to those in the tables, suppressed cells shown as "–", the SYNTHETIC label, Finnish and
English, the workbook and figures, and no respondent-level data anywhere under reports/.

Most tests use a small hand-made estimate and model table (values chosen so that the verdicts are known); the
last ones run the real workflow in a scratch copy of the project.
"""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ath_analysis.config import load_config
from ath_analysis.report import build_area_report
from ath_analysis.report.maps import load_boundaries
from ath_analysis.report.settings import ReportSettings
from ath_analysis.report.style import (
    FOOTER_INCHES,
    fmt_count,
    fmt_date,
    fmt_difference,
    fmt_estimate,
    fmt_interval,
    fmt_value,
)
from ath_analysis.report.text import adjusters_text
from ath_analysis.report.verdicts import change_word, direction
from ath_analysis.results.estimates import ESTIMATE_COLUMNS

from .configured import params, places_of
from .conftest import ROOT, run_snakemake

NBSP, NNBSP = "\u00a0", "\u202f"
RESPONDENT_COLUMNS = {"respondent_id", "weight", "age", "stratum", "psu", "fpc", "postal_code"}


# --------------------------------------------------------------------------------------------- HTML parsing
class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.parts: list[str | Node] = []

    def text(self) -> str:
        text = "".join(p if isinstance(p, str) else " " + p.text() + " " for p in self.parts)
        return re.sub(r"[ \t\r\n]+", " ", text).strip()  # ASCII whitespace only: keep no-break spaces

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if cls and cls not in (node.attrs.get("class") or "").split():
                continue
            if any(node.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            found.append(node)
        return found


class Page(HTMLParser):
    """A strict little tree builder: every end tag must close the element that is open."""

    VOID = {"meta", "img", "br", "hr", "link", "input", "col", "source"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root
        self.errors: list[str] = []
        self.feed(text)
        self.close()
        if self.current is not self.root:
            self.errors.append(f"unclosed <{self.current.tag}>")

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        self.current.parts.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        self.current.parts.append(node)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.current.tag != tag:
            self.errors.append(f"</{tag}> closes <{self.current.tag}>")
            return
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def parse(path: Path) -> Page:
    page = Page(path.read_text(encoding="utf-8"))
    assert page.errors == [], page.errors[:5]
    return page


def number(text: str) -> float:
    """'24,3 %' / '−0,3' / '5 758' / '24.3%' → float."""
    text = text.replace(NNBSP, "").replace(NBSP, "").replace("%", "").replace("\u2212", "-").replace("*", "")
    text = text.strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    else:
        text = text.replace(",", "")
    return float(text)


def estimate_parts(text: str) -> tuple[float, float, float]:
    """'24,3 % (20,1–28,9)' → (24.3, 20.1, 28.9)."""
    match = re.match(r"(.+?)\s*\((.+?)[–]\s*(.+?)\)", text.replace(" – ", "–"))
    assert match, text
    return number(match.group(1)), number(match.group(2)), number(match.group(3))


def table_rows(page: Page, indicator: str) -> list[dict]:
    tables = page.root.find_all("table", cls="estimates", data_indicator=indicator)
    assert len(tables) == 1, indicator
    rows = []
    for tr in tables[0].find_all("tr"):
        if "data-domain" not in tr.attrs:
            continue
        cells = {}
        for cell in tr.children:
            classes = (cell.attrs.get("class") or "").split()
            key = cell.tag if cell.tag == "th" else (classes[1] if classes[0] == "num" else classes[0])
            cells[key] = cell.text()
        cells.update(role=tr.attrs["class"], domain=tr.attrs["data-domain"], code=tr.attrs["data-value"],
                     suppressed=tr.attrs["data-suppressed"] == "true", label=tr.children[0].text())
        rows.append(cells)
    return rows


def external_references(html: str) -> list[str]:
    refs = re.findall(r"""(?:src|href|action|data)\s*=\s*["']([^"']+)["']""", html)
    bad = [r for r in refs if not (r.startswith("#") or r.startswith("data:image/svg+xml;base64,"))]
    bad += re.findall(r"url\(\s*['\"]?(?!data:)[^)]+\)", html)
    bad += re.findall(r"@import", html)
    bad += re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, flags=re.IGNORECASE)
    return bad


# --------------------------------------------------------------------------------------------- hand-made tables
def _row(indicator, kind, wave, year, domain, value, label, n, estimate, se, low, high, flag="", standardized=False):
    suppressed = flag in ("small n", "complementary suppression", "no respondents")
    if suppressed:
        n = estimate = se = low = high = np.nan
    return {"indicator": indicator, "kind": kind, "wave": wave, "year": year, "domain": domain, "domain_value": value,
            "domain_label": label, "n": n,
            "n_positive": np.nan if kind == "mean" or suppressed else round(n * estimate),
            "weight_sum": np.nan if suppressed else 10.0 * n, "estimate": estimate, "se": se, "ci_low": low,
            "ci_high": high, "ci_method": "logit" if kind == "proportion" else "wald", "df": 100.0,
            "deff": np.nan if suppressed else 1.5, "cv": np.nan if suppressed else se / estimate,
            "standardized": standardized, "suppressed": suppressed, "flag": flag, "synthetic": True}


def hand_estimates() -> pd.DataFrame:
    """Two indicators × two waves; values chosen so each verdict is known.

    daily_smoking ts2022 (lower is better): region 10.0 %; Enonkoski 20.0 % (15.0–26.0) clearly worse; Mikkeli
    8.0 % (7.0–9.5) clearly better; Sulkava imprecise; Puumala suppressed (small n); Ristiina clearly worse;
    Anttola hidden (complementary suppression); 2018 → 2022 a clear fall (13.0 % → 10.0 %).
    """
    rows = []
    s, m = "daily_smoking", "mhi5_mean"
    for wave, year, d in (("finsote2018", 2018, 0.03), ("ts2022", 2022, 0.0)):
        p = "proportion"
        rows += [
            _row(s, p, wave, year, "region", "10", "Etelä-Savo", 2000, 0.10 + d, 0.005, 0.091 + d, 0.110 + d),
            _row(s, p, wave, year, "municipality", "046", "Enonkoski", 120, 0.20, 0.03, 0.15, 0.26),
            _row(s, p, wave, year, "municipality", "491", "Mikkeli", 900, 0.08 + d, 0.006, 0.07 + d, 0.095 + d),
            _row(s, p, wave, year, "municipality", "623", "Puumala", 20, 0, 0, 0, 0, flag="small n"),
            _row(s, p, wave, year, "municipality", "768", "Sulkava", 60, 0.09, 0.06, 0.02, 0.30, flag="low precision"),
            _row(s, p, wave, year, "urban_rural_group", "urban", "Kaupunkialueet", 1200, 0.09, 0.006, 0.079, 0.102),
            _row(s, p, wave, year, "urban_rural_group", "rural", "Maaseutualueet", 800, 0.12, 0.009, 0.103, 0.139),
            _row(s, p, wave, year, "urban_rural", "K1", "Sisempi kaupunkialue", 900, 0.085, 0.007, 0.072, 0.1),
            _row(s, p, wave, year, "urban_rural", "M7", "Harvaan asuttu maaseutu", 300, 0.14, 0.02, 0.1, 0.19),
            _row(s, p, wave, year, "subarea_group", "Mikkelin kaupunkialue", "Mikkelin kaupunkialue", 600, 0.07,
                 0.008, 0.056, 0.087),
            _row(s, p, wave, year, "subarea_group", "Ristiina", "Ristiina", 100, 0.15, 0.02, 0.11, 0.20),
            _row(s, p, wave, year, "subarea_group", "Anttola", "Anttola", 40, 0, 0, 0, 0,
                 flag="complementary suppression"),
            _row(s, p, wave, year, "subarea_group", "Suomenniemi", "Suomenniemi", 10, 0, 0, 0, 0, flag="small n"),
            _row(s, p, wave, year, "sex", "1", "Mies", 950, 0.12, 0.008, 0.105, 0.137),
            _row(s, p, wave, year, "sex", "2", "Nainen", 1050, 0.08, 0.006, 0.069, 0.093),
            _row(s, p, wave, year, "municipality_sex", "491 × 1", "Mikkeli × Mies", 430, 0.095, 0.01, 0.077, 0.117),
            _row(s, p, wave, year, "municipality_sex", "491 × 2", "Mikkeli × Nainen", 470, 0.065, 0.008, 0.05, 0.083),
        ]
        k = "mean"
        rows += [
            _row(m, k, wave, year, "region", "10", "Etelä-Savo", 2000, 70.0 + 10 * d, 0.3, 69.4 + 10 * d,
                 70.6 + 10 * d),
            _row(m, k, wave, year, "municipality", "046", "Enonkoski", 120, 72.5, 1.0, 70.5, 74.5),
            _row(m, k, wave, year, "municipality", "491", "Mikkeli", 900, 69.0, 0.5, 68.0, 70.0),
            _row(m, k, wave, year, "municipality", "623", "Puumala", 20, 0, 0, 0, 0, flag="small n"),
            _row(m, k, wave, year, "municipality", "768", "Sulkava", 60, 70.2, 2.0, 66.2, 74.2),
            _row(m, k, wave, year, "urban_rural_group", "urban", "Kaupunkialueet", 1200, 69.5, 0.4, 68.7, 70.3),
            _row(m, k, wave, year, "urban_rural_group", "rural", "Maaseutualueet", 800, 70.8, 0.5, 69.8, 71.8),
            _row(m, k, wave, year, "subarea_group", "Mikkelin kaupunkialue", "Mikkelin kaupunkialue", 600, 68.5,
                 0.6, 67.3, 69.7),
            _row(m, k, wave, year, "subarea_group", "Ristiina", "Ristiina", 100, 70.0, 1.5, 67.0, 73.0),
        ]
    table = pd.DataFrame(rows)
    table["n"] = table["n"].astype("Int64")
    table["n_positive"] = table["n_positive"].astype("Int64")
    return table[[*ESTIMATE_COLUMNS, "synthetic"]]


def _model(indicator, comparison, adjustment, level, label, is_ref, estimate, low, high, diff=np.nan,
           dlow=np.nan, dhigh=np.nan, suppressed=False, flag=""):
    return {"indicator": indicator, "kind": "proportion", "wave": "pooled", "year": pd.NA, "comparison": comparison,
            "adjustment": adjustment, "adjusters": "age_group + sex + education" if adjustment == "adjusted" else "",
            "level": level, "level_label": label, "reference_level": "urban" if comparison == "urban_rural_group"
            else "Mikkelin kaupunkialue", "is_reference": is_ref, "n": np.nan if suppressed else 500,
            "estimate": np.nan if suppressed else estimate, "se": 0.01, "ci_low": np.nan if suppressed else low,
            "ci_high": np.nan if suppressed else high, "difference": 0.0 if is_ref else diff, "diff_se": 0.01,
            "diff_ci_low": 0.0 if is_ref else dlow, "diff_ci_high": 0.0 if is_ref else dhigh, "odds_ratio": np.nan,
            "or_ci_low": np.nan, "or_ci_high": np.nan, "term_p_value": 0.01, "df": 100.0, "status": "ok",
            "message": "", "suppressed": suppressed, "flag": flag, "synthetic": True}


def hand_models() -> pd.DataFrame:
    """daily_smoking only (mhi5_mean has no model rows: the report shows crude values for it).

    Rural vs urban: crude +3.0 pp (1.0–5.0), adjusted +2.0 pp (0.2–3.8): a clear gap. Mikkeli: Ristiina vs the
    urban area adjusted +6.0 pp (1.0–11.0), clear; Anttola suppressed.
    """
    s, g, a = "daily_smoking", "urban_rural_group", "subarea_group"
    rows = [
        _model(s, g, "crude", "urban", "Kaupunkialueet", True, 0.09, 0.079, 0.102),
        _model(s, g, "crude", "rural", "Maaseutualueet", False, 0.12, 0.103, 0.139, 0.03, 0.01, 0.05),
        _model(s, g, "adjusted", "urban", "Kaupunkialueet", True, 0.095, 0.083, 0.108),
        _model(s, g, "adjusted", "rural", "Maaseutualueet", False, 0.115, 0.099, 0.133, 0.02, 0.002, 0.038),
        _model(s, a, "crude", "Mikkelin kaupunkialue", "Mikkelin kaupunkialue", True, 0.07, 0.056, 0.087),
        _model(s, a, "crude", "Ristiina", "Ristiina", False, 0.15, 0.11, 0.20, 0.08, 0.03, 0.13),
        _model(s, a, "crude", "Anttola", "Anttola", False, 0, 0, 0, suppressed=True, flag="small n"),
        _model(s, a, "adjusted", "Mikkelin kaupunkialue", "Mikkelin kaupunkialue", True, 0.072, 0.058, 0.089),
        _model(s, a, "adjusted", "Ristiina", "Ristiina", False, 0.132, 0.095, 0.18, 0.06, 0.01, 0.11),
        _model(s, a, "adjusted", "Anttola", "Anttola", False, 0, 0, 0, suppressed=True, flag="small n"),
    ]
    return pd.DataFrame(rows)


def hand_audits(directory: Path) -> list[Path]:
    paths = []
    for wave, year, read, kept in (("finsote2018", 2018, 2100, 2090), ("ts2022", 2022, 2050, 2050)):
        audit = {"wave": wave, "survey": "FinSote" if year == 2018 else "Terve Suomi", "year": year,
                 "file": f"data/raw/synthetic/{wave}.sav", "sha256": f"{year:064d}", "rows_read": read,
                 "rows_kept": kept, "excluded": {"age missing": read - kept, "age under 20": 0}, "warnings": [],
                 "synthetic": True}
        path = directory / wave / "audit_ingest.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(audit))
        (directory / wave / "audit_geography.json").write_text(json.dumps({"wave": wave, "in_region": kept - 5,
                                                                           "outside_region": 5}))
        paths.append(path)
    return paths




Z95 = 1.959963984540054


def _difference(area: pd.Series, reference: pd.Series, name: str, reference_value: str) -> dict:
    diff = float(area["estimate"]) - float(reference["estimate"])
    se = float(np.hypot(area["se"], reference["se"]))
    low, high = diff - Z95 * se, diff + Z95 * se
    return {"indicator": area["indicator"], "kind": area["kind"], "wave": area["wave"], "year": area["year"],
            "domain": area["domain"], "domain_value": area["domain_value"], "reference": name,
            "reference_domain": reference["domain"], "reference_value": reference_value,
            "estimate_area": area["estimate"], "estimate_reference": reference["estimate"], "difference": diff,
            "se": se, "ci_low": low, "ci_high": high, "df": 100.0, "differs": bool(low > 0 or high < 0),
            "standardized": bool(area["standardized"]), "suppressed": False, "flag": "", "source": "",
            "synthetic": True}


def hand_differences(estimates: pd.DataFrame) -> pd.DataFrame:
    """The differences table of the hand-made estimates: each published cell against the region (same wave) and
    against the previous wave (independent samples; the real stage linearizes area vs region on the design)."""
    rows = []
    shown = estimates[~estimates["suppressed"]]
    waves = sorted(shown["wave"].unique(), key=lambda w: int(shown.loc[shown["wave"] == w, "year"].iloc[0]))
    for (indicator, wave), cells in shown.groupby(["indicator", "wave"]):
        region = cells[cells["domain"] == "region"].iloc[0]
        for _, cell in cells.iterrows():
            if cell["domain"] != "region":
                rows.append(_difference(cell, region, "region", "10"))
            k = waves.index(wave)
            if k:
                before = shown[(shown["indicator"] == indicator) & (shown["wave"] == waves[k - 1])
                               & (shown["domain"] == cell["domain"]) & (shown["domain_value"] == cell["domain_value"])]
                if len(before):
                    rows.append(_difference(cell, before.iloc[0], "previous", waves[k - 1]))
    table = pd.DataFrame(rows)
    table["differs"] = table["differs"].astype("boolean")
    return table


def hand_publication_audit() -> dict:
    wave = {"cells": 120, "published": 100, "withheld_given": 15, "withheld_primary": 0, "withheld_secondary": 5,
            "atoms": 345, "families": 3, "exposed_after": 0}
    return {"min_n": 30, "waves": {"finsote2018": wave, "ts2022": {**wave, "published": 98, "withheld_secondary": 7}},
            "withheld": {"estimates": {"primary": 0, "secondary": 12}}}


def area_report(config: dict, area: str, *, estimates: Path, models: Path | None, ingest_audits, geography_audits,
                html: Path, xlsx: Path, csv: Path, figures: Path, differences: Path | None = None,
                audit: Path | None = None, cards: Path | None = None, excel_csv: Path | None = None,
                small_areas: Path | None = None, now=None, processes: int = 1,
                figure_cache: Path | None = None) -> dict:
    """One area's report with every input and output the report rule gives it (tests/configured.area_report plus
    the differences, the publication audit, the cards and the Finnish Excel CSV)."""
    spec = config["report"]["areas"][area]
    boundaries = config["report"]["boundaries"] if spec.get("map") else None
    centres = Path(config["areas_dir"]) / "municipality_centres.csv" if spec.get("map") and not boundaries else None
    given = params(config, "area_report", area=area)
    return build_area_report(
        settings=ReportSettings.from_params(given), settings_record=given, estimates_path=estimates,
        models_path=models, small_areas_path=small_areas, differences_path=differences, audit_path=audit,
        cards_dir=cards, excel_csv_path=excel_csv, ingest_audits=ingest_audits, geography_audits=geography_audits,
        indicators_path=config["indicators"], variables_path=config["variables"], places=places_of(config),
        centres_path=centres, boundaries_path=boundaries, config_files=[config["indicators"]], html_path=html,
        xlsx_path=xlsx, csv_path=csv, figures_dir=figures, now=now, processes=processes,
        figure_cache_dir=figure_cache)


@pytest.fixture
def project_config(monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)
    return _config()


def make_report(tmp_path: Path, config: dict, area: str, models: pd.DataFrame | None = None, name: str = "out",
                now=None, processes: int = 1, figure_cache: Path | None = None) -> dict[str, Path]:
    out = tmp_path / name
    tables = out / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    estimates = tables / "estimates.parquet"
    if not estimates.exists():
        hand_estimates().to_parquet(estimates, index=False)
    differences = tables / "differences.parquet"
    if not differences.exists():
        hand_differences(pd.read_parquet(estimates)).to_parquet(differences, index=False)
    audit = tables / "publication_audit.json"
    audit.write_text(json.dumps(hand_publication_audit()))
    models_path = None
    if models is not None:
        models_path = tables / "comparisons.parquet"
        models.to_parquet(models_path, index=False)
    audits = hand_audits(out / "audits") if not (out / "audits").exists() else sorted(
        (out / "audits").glob("*/audit_ingest.json"))
    paths = {"html": out / f"{area}.html", "xlsx": out / f"{area}.xlsx", "csv": tables / f"{area}_report.csv",
             "figures": out / "figures" / area, "cards": out / area / "kortit",
             "excel_csv": tables / f"{area}_report_excel.csv", "differences": differences}
    paths["summary"] = area_report(  # type: ignore[assignment]
        config, area, estimates=estimates, models=models_path, ingest_audits=audits,
        geography_audits=[p.with_name("audit_geography.json") for p in audits], html=paths["html"],
        xlsx=paths["xlsx"], csv=paths["csv"], figures=paths["figures"], differences=differences, audit=audit,
        cards=paths["cards"], excel_csv=paths["excel_csv"], now=now, processes=processes,
        figure_cache=figure_cache)
    return paths


def _config() -> dict:
    config = copy.deepcopy(load_config(ROOT / "config" / "config.yaml"))
    config["waves"] = {w: config["waves"][w] for w in ("finsote2018", "ts2022")}
    return config


@pytest.fixture(scope="module")
def region_report(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return make_report(tmp_path_factory.mktemp("region"), _config(), "etela-savo", hand_models())


@pytest.fixture(scope="module")
def mikkeli_report(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return make_report(tmp_path_factory.mktemp("mikkeli"), _config(), "mikkeli", hand_models())


# --------------------------------------------------------------------------------------------- formatting, rules
def test_numbers_are_written_the_finnish_and_english_way():
    assert fmt_value(0.243, "proportion", "fi") == f"24,3{NBSP}%"
    assert fmt_value(0.243, "proportion", "en") == "24.3%"
    assert fmt_estimate(0.243, 0.201, 0.289, "proportion", "fi") == f"24,3{NBSP}% (20,1–28,9)"
    assert fmt_estimate(80.876, 80.4, 81.36, "mean", "en") == "80.9 (80.4–81.4)"
    assert fmt_difference(-0.012, -0.032, 0.008, "proportion", "fi") == \
        f"\u22121,2{NBSP}%-yks. (\u22123,2{NBSP}\u2026{NBSP}0,8)"
    assert fmt_difference(0.02, 0.002, 0.038, "proportion", "en") == f"+2.0{NBSP}pp (0.2–3.8)"
    assert fmt_count(5758, "fi") == f"5{NNBSP}758" and fmt_count(5758, "en") == "5,758"
    assert fmt_value(float("nan"), "proportion", "fi") == "–" and fmt_count(pd.NA, "fi") == "–"
    assert fmt_value(-0.0001, "proportion", "fi") == f"0,0{NBSP}%"  # no "−0,0"


def test_a_verdict_is_the_sign_of_a_difference_whose_ci_excludes_zero():
    row = {"difference": 0.02, "ci_low": 0.001, "ci_high": 0.039, "differs": True, "suppressed": False}
    assert direction(row, higher_is_better=False) == "worse" and direction(row, higher_is_better=True) == "better"
    assert change_word(row, higher_is_better=False) == "up_bad" and change_word(row, True) == "up_good"
    low = {**row, "difference": -0.02, "ci_low": -0.039, "ci_high": -0.001}
    assert direction(low, False) == "better" and change_word(low, False) == "down_good"
    overlapping = {**row, "ci_low": -0.001, "differs": False}
    assert direction(overlapping, False) == "none" and change_word(overlapping, False) == "none"
    assert direction({**row, "suppressed": True}, False) == "" and direction(None, False) == ""
    assert direction({**row, "differs": pd.NA}, False) == ""


@pytest.mark.parametrize("difference, low, high", [
    (0.002, 0.0004, 0.0036),     # "+0,2 (0,0–0,4)" would read as touching 0 next to "clear rise"
    (0.003, -0.0004, 0.0064),    # "+0,3 (0,0–0,6)" with "no clear change"
    (-0.012, -0.032, 0.008), (0.25, 0.00001, 0.5), (-0.0001, -0.00049, 0.0003), (0.0, -0.01, 0.01)])
def test_a_printed_difference_never_contradicts_its_verdict(difference, low, high):
    for lang in ("fi", "en"):
        text = fmt_difference(difference, low, high, "proportion", lang)
        ends = re.search(r"\((.+?)(?:–| … )(.+?)\)", text)
        assert ends, text
        printed = [number(e) for e in ends.groups()]
        differs = low > 0 or high < 0
        assert (printed[0] > 0 or printed[1] < 0) == differs, text  # the printed interval excludes 0 iff it does
        assert all(np.sign(p) == np.sign(v) for p, v in zip(printed, (100 * low, 100 * high), strict=True)), text


def test_intervals_with_a_negative_end_do_not_read_as_a_subtraction():
    assert fmt_interval(-0.032, 0.009, "proportion", "fi") == f"−3,2{NBSP}…{NBSP}0,9"
    assert fmt_interval(0.34, 0.388, "proportion", "fi") == "34,0–38,8"
    assert fmt_date("2026-12-01", "fi") == "1.12.2026" and fmt_date("2026-12-01", "en") == "1 December 2026"
    assert fmt_date("2026-12-01 13:05 UTC", "fi") == "1.12.2026 klo 13.05 UTC"


def test_adjuster_names_are_translated():
    assert adjusters_text("age_group + sex + education", "fi") == "ikä, sukupuoli ja koulutus"
    assert adjusters_text("age_group,sex", "en") == "age and sex"


# --------------------------------------------------------------------------------------------- hand-made report
def test_region_report_parses_and_has_every_indicator_section(region_report):
    page = parse(region_report["html"])
    html = region_report["html"].read_text(encoding="utf-8")
    assert page.root.find_all("html")[0].attrs["lang"] == "fi"
    for indicator in ("daily_smoking", "mhi5_mean"):
        assert len(page.root.find_all("article", id=f"ind-{indicator}")) == 1
        assert len(page.root.find_all("table", cls="overview")[0].find_all("tr", data_indicator=indicator)) == 1
    assert "Päivittäin tupakoivien osuus (%)" in html and "Merkitys ja tulkinta" in html
    assert "Näin luet" in html


def test_synthetic_banner_on_the_page_and_in_every_figure(region_report):
    page = parse(region_report["html"])
    banner = page.root.find_all("div", cls="synthetic-banner")
    assert len(banner) == 1 and banner[0].text() == "SYNTEETTINEN AINEISTO – ei todellisia vastauksia"
    assert "SYNTEETTINEN AINEISTO" in page.root.find_all("title")[0].text()
    svgs = sorted(region_report["figures"].glob("*.svg"))
    assert len(svgs) == 8  # areas, urban–rural, trend and map for each of the two indicators
    assert not list(region_report["figures"].glob("*.png"))  # one format: SVG
    for svg in svgs:  # the red stamp in the bottom right corner, under the figure (never over the title)
        text = svg.read_text(encoding="utf-8")
        assert 'id="source-line"' in text, svg  # "Lähde: THL, …; laskenta: …"
        width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', text).groups())
        stamp = re.search(r'<g id="synthetic-stamp">\s*<g id="patch_\d+">\s*<path d="([^"]+)"\s*'
                          r'style="fill: #b00020"', text)
        assert stamp, svg
        xs, ys = (np.array(v, float) for v in zip(*re.findall(r"([\d.]+) ([\d.]+)", stamp.group(1)), strict=True))
        assert xs.max() > 0.97 * width and xs.min() > 0.5 * width, svg  # at the right edge
        assert ys.min() > height - FOOTER_INCHES * 72, svg  # in the footer band under the figure (y grows down)
        assert text.count("fill: #b00020") == 1, svg  # no other red box (above all, none by the title)


def test_summary_numbers_equal_the_table(region_report):
    page = parse(region_report["html"])
    rows = {r["code"]: r for r in table_rows(page, "daily_smoking")}
    region = rows["10"]
    assert region["value"] == f"10,0{NBSP}%" or number(region["value"]) == 10.0
    article = page.root.find_all("article", id="ind-daily_smoking")[0]
    summary = [li.text() for li in article.find_all("div", cls="findings")[0].find_all("li")]
    latest = next(s for s in summary if s.startswith("Etelä-Savo 2022:"))
    value, low, high = estimate_parts(latest.split(": ", 1)[1])
    assert (value, low, high) == (number(region["value"]), *map(number, region["ci"].split("–")))
    assert (value, low, high) == (10.0, 9.1, 11.0)
    worse = next(s for s in summary if s.startswith("Selvästi heikommat"))
    better = next(s for s in summary if s.startswith("Selvästi paremmat"))
    assert "Enonkoski" in worse and "Mikkeli" in better and "Sulkava" not in worse + better
    assert rows["046"]["verdict"] == "selvästi heikompi" and number(rows["046"]["ci"].split("–")[0]) > value
    assert rows["491"]["verdict"] == "selvästi parempi" and number(rows["491"]["ci"].split("–")[1]) < value
    gap = next(s for s in summary if s.startswith("Maaseutualueet, verrattuna vertailuryhmään kaupunkialueet"))
    assert f"+3,0{NBSP}%-yks. (1,0–5,0)" in gap and f"+2,0{NBSP}%-yks. (0,2–3,8)" in gap and "selvä ero" in gap
    assert "ikä, sukupuoli ja koulutus" in gap
    change = next(s for s in summary if "muutos 2018 → 2022" in s)
    assert f"\u22123,0{NBSP}%-yks." in change and "selvä lasku, tilanne parantunut" in change
    # the overview row shows the same latest value and change
    row = page.root.find_all("table", cls="overview")[0].find_all("tr", data_indicator="daily_smoking")[0]
    assert row.attrs["data-change"] == "better" and "parantunut" in row.text()
    assert estimate_parts(row.find_all("td", cls="value")[0].text().replace(" (", " (", 1)) == (10.0, 9.1, 11.0)


def test_suppressed_cells_are_a_dash_never_a_number(region_report, mikkeli_report):
    for report, hidden in ((region_report, {"623"}), (mikkeli_report, {"Anttola", "Suomenniemi"})):
        page = parse(report["html"])
        rows = table_rows(page, "daily_smoking")
        suppressed = {r["code"] for r in rows if r["suppressed"]}
        assert suppressed == hidden
        for row in rows:
            if row["suppressed"]:
                assert row["value"] == row["ci"] == row["n"] == "–", row
                assert re.search(r"\d", row["value"] + row["ci"] + row["n"]) is None
        footnotes = " ".join(td.text() for td in page.root.find_all("tfoot")[0].find_all("td"))
        assert "– = lukua ei julkaista: alle 30 vastaajaa" in footnotes
    page = parse(region_report["html"])
    sulkava = next(r for r in table_rows(page, "daily_smoking") if r["code"] == "768")
    assert sulkava["value"].endswith("*")  # low precision is marked and explained
    assert "* = epätarkka arvio" in region_report["html"].read_text(encoding="utf-8")


def test_mikkeli_report_compares_sub_areas_with_the_region(mikkeli_report):
    page = parse(mikkeli_report["html"])
    rows = table_rows(page, "daily_smoking")
    roles = [r["role"] for r in rows]
    assert roles[:2] == ["region", "focus"] and set(roles[2:]) == {"area"}
    ristiina = next(r for r in rows if r["code"] == "Ristiina")
    assert ristiina["verdict"] == "selvästi heikompi"
    article = page.root.find_all("article", id="ind-daily_smoking")[0]
    summary = " ".join(li.text() for li in article.find_all("div", cls="findings")[0].find_all("li"))
    assert f"Mikkeli 2022: 8,0{NBSP}% (7,0–9,5)" in summary
    assert "Mikkeli on selvästi parempi kuin Etelä-Savo" in summary
    assert "Ristiina, verrattuna vertailuryhmään Mikkelin kaupunkialue (kyselyt yhdistettynä)" in summary  # no Anttola
    assert f"ero +6,0{NBSP}%-yks. (1,0–11,0) – selvä ero" in summary
    assert not list(mikkeli_report["figures"].glob("*_map.svg"))  # no map configured for Mikkeli


def test_indicator_without_model_rows_shows_crude_values_only(region_report):
    page = parse(region_report["html"])
    article = page.root.find_all("article", id="ind-mhi5_mean")[0]
    captions = " ".join(c.text() for c in article.find_all("figcaption"))
    assert "mallilla korjattuja arvoja ei ole saatavilla" in captions
    smoking = page.root.find_all("article", id="ind-daily_smoking")[0]
    assert "Korjaamaton arvo (ympyrä) ja mallilla korjattu arvo (neliö)" in " ".join(
        c.text() for c in smoking.find_all("figcaption"))


def test_report_is_self_contained(region_report):
    html = region_report["html"].read_text(encoding="utf-8")
    # the only links out of the page are to the area's own cards, local page and partnership pack beside it
    beside = r"etela-savo/kortit/[\w.-]+\.(html|pdf)|etela-savo_(paikallistieto\.html|kumppanuuspoyta\.pdf)"
    assert [r for r in external_references(html) if not re.fullmatch(beside, r)] == []
    assert "etela-savo_paikallistieto.html" in external_references(html)  # the example workbook is configured
    assert "<script" not in html and "<link" not in html
    images = parse(region_report["html"]).root.find_all("img")
    assert images and all(i.attrs["src"].startswith("data:image/svg+xml;base64,") and i.attrs["alt"] for i in images)


def test_methods_audit_and_provenance(region_report):
    page = parse(region_report["html"])
    methods = page.root.find_all("section", id="methods")[0].text()
    for text in ("ESP2013", "alle 30 vastaajaan", "Taylorin linearisointi", "logit", "SHA-256"):
        assert text in methods, text
    audit = page.root.find_all("table", cls="audit")[0]
    first = audit.find_all("tr", data_wave="finsote2018")[0].text()
    assert f"2{NNBSP}100" in first and "age missing: 10" in first and f"2{NNBSP}085" in first
    assert f"{2018:064d}" in methods  # the input file's sha256 from the audit
    assert re.search(r"config/indicators\.yaml [0-9a-f]{64}", methods)
    assert re.search(r"\(settings of this report\) [0-9a-f]{64}", methods)  # the rule's params


def test_workbook_has_finnish_headers_percentages_and_a_sheet_per_municipality(region_report):
    book = openpyxl.load_workbook(region_report["xlsx"])
    assert book.sheetnames[0] == "Tietoja" and "Elintavat" in book.sheetnames
    assert "Terveys ja toimintakyky" in book.sheetnames and "Korjatut vertailut" in book.sheetnames
    assert {"Enonkoski", "Mikkeli", "Puumala", "Sulkava"} <= set(book.sheetnames)  # one per municipality
    assert book["Tietoja"]["A1"].value == "SYNTEETTINEN AINEISTO – ei todellisia vastauksia"
    sheet = book["Elintavat"]
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == ["Mittari", "Kysely", "Vuosi", "Alue", "Arvo (% tai keskiarvo)"]
    english = {"indicator", "wave", "domain", "domain_value", "estimate", "ci_low", "ci_high", "suppressed"}
    assert not english & set(headers)
    for name in book.sheetnames[1:]:  # no sheet has a machine header
        assert not english & {c.value for c in book[name][1]}, name
    frame = pd.DataFrame(list(sheet.values)[1:], columns=headers)
    assert set(frame["Mittarin tunnus"]) == {"daily_smoking"}
    row = frame[(frame["Alue"] == "Etelä-Savo") & (frame["Vuosi"] == 2022)].iloc[0]
    assert row["Arvo (% tai keskiarvo)"] == 10.0 and row["Luottamusväli alaraja"] == 9.1  # per cent, 1 decimal
    assert row["Tulos tekstinä"] == f"10,0{NBSP}% (9,1–11,0)"
    values = [v for v in frame["Arvo (% tai keskiarvo)"] if pd.notna(v)]
    assert values and all(round(v, 1) == v for v in values)
    hidden = frame[frame["Huomautus"] == "ei julkaista"]
    assert len(hidden) and hidden["Arvo (% tai keskiarvo)"].isna().all()
    assert sheet.cell(2, 5).number_format == "0.0"
    card = pd.DataFrame(list(book["Enonkoski"].values)[1:], columns=[c.value for c in book["Enonkoski"][1]])
    assert card.columns[0] == "Mittari" and "Muutos (95 %:n lv.)" in card.columns
    smoking = card[card["Mittari"] == "Päivittäin tupakoivien osuus (%)"].iloc[0]
    assert smoking["Arvo (% tai keskiarvo)"] == 20.0 and "heikompi kuin Etelä-Savo" in smoking["Arvio"]
    csv = pd.read_csv(region_report["csv"], dtype={"domain_value": str})  # the machine CSV keeps its codes
    assert {"indicator", "estimate", "ci_low", "domain"} <= set(csv.columns)
    assert len(csv) == len(frame) + len(pd.DataFrame(list(book["Terveys ja toimintakyky"].values)[1:]))


def test_excel_csv_opens_in_finnish_excel(region_report):
    raw = region_report["excel_csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.split(";")[:4] == ["Mittari", "Vuosi", "Alue", "Arvo (% tai keskiarvo)"] and "," not in header
    frame = pd.read_csv(region_report["excel_csv"], sep=";", decimal=",", encoding="utf-8-sig")
    row = frame[(frame["Alue"] == "Etelä-Savo") & (frame["Vuosi"] == 2022)
                & (frame["Mittari"] == "Päivittäin tupakoivien osuus (%)")].iloc[0]
    assert row["Arvo (% tai keskiarvo)"] == 10.0 and row["Luottamusväli yläraja"] == 11.0
    assert ";10,0;9,1;11,0;" in text  # decimal comma


def test_formula_like_text_is_written_as_text(tmp_path):
    from ath_analysis.report.excel import _write_table

    book = openpyxl.Workbook()
    frame = pd.DataFrame({"Alue": ["=HYPERLINK(\"http://x\")", "+cmd", "Mikkeli"], "Arvo": [1.0, 2.0, 3.0]})
    _write_table(book.active, frame)
    book.save(tmp_path / "x.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert sheet["A2"].value == "=HYPERLINK(\"http://x\")" and sheet["A2"].data_type == "s"
    assert sheet["A3"].data_type == "s" and sheet["B2"].value == 1.0


# --------------------------------------------------------------------------------------------- overview and cards
DIFF_TEXT = re.compile(r"([+\u2212]?[\d,.]+)(?:\u00a0%-yks\.|\u00a0pp)?\s*\((.+?)(?:\u2013|\u00a0\u2026\u00a0)(.+?)\)")


def printed_differences(text: str) -> list[tuple[float, float, float]]:
    """Every 'difference (low … high)' printed in a text, as numbers."""
    return [(number(a), number(b), number(c)) for a, b, c in DIFF_TEXT.findall(text)]


def overview_rows(page: Page, table_class: str = "overview") -> list[Node]:
    return [tr for tr in page.root.find_all("tr") if "data-light" in tr.attrs
            and tr.parent is not None and any(t.attrs.get("class") == table_class for t in _ancestors(tr))]


def _ancestors(node: Node):
    while node.parent is not None:
        node = node.parent
        yield node


def _expected(differences: pd.DataFrame, indicator: str, domain: str, value: str, reference: str,
              higher_is_better: bool) -> str:
    row = differences[(differences["indicator"] == indicator) & (differences["wave"] == "ts2022")
                      & (differences["domain"] == domain) & (differences["domain_value"] == value)
                      & (differences["reference"] == reference)]
    if row.empty:
        return ""
    if not bool(row["differs"].iloc[0]):
        return "none"
    return "better" if (row["difference"].iloc[0] > 0) == higher_is_better else "worse"


def test_overview_verdicts_are_the_differences_tables(region_report, mikkeli_report):
    differences = pd.read_parquet(region_report["differences"])
    better_high = {"daily_smoking": False, "mhi5_mean": True}
    for report, domain, value in ((region_report, "region", "10"), (mikkeli_report, "municipality", "491")):
        rows = overview_rows(parse(report["html"]))
        assert {r.attrs["data-indicator"] for r in rows} == set(better_high)
        for row in rows:
            ind = row.attrs["data-indicator"]
            assert row.attrs["data-change"] == _expected(differences, ind, domain, value, "previous", better_high[ind])
            assert row.attrs["data-region"] == (
                "" if domain == "region" else _expected(differences, ind, domain, value, "region", better_high[ind]))
            light = row.attrs["data-light"]
            verdicts = {row.attrs["data-change"], row.attrs["data-region"], row.attrs["data-country"]}
            assert light == ("red" if "worse" in verdicts else "green" if "better" in verdicts else "grey")
            chips = " ".join(c.text() for c in row.find_all("span", cls="chip"))
            assert ("heikentynyt" in chips) == (row.attrs["data-change"] == "worse")
            assert ("parantunut" in chips) == (row.attrs["data-change"] == "better")
    smoking = next(r for r in overview_rows(parse(mikkeli_report["html"]))
                   if r.attrs["data-indicator"] == "daily_smoking")
    assert smoking.attrs["data-region"] == "better" and "parempi kuin Etelä-Savo" in smoking.text()
    page = parse(region_report["html"])
    improved = [li.attrs["data-indicator"] for li in page.root.find_all("ul", cls="improved")[0].find_all("li")]
    assert improved == ["daily_smoking"]  # 13,0 % → 10,0 %: a clear fall of a bad thing


def test_no_printed_difference_contradicts_its_verdict(region_report, mikkeli_report):
    checked = 0
    for report in (region_report, mikkeli_report):
        pages = [parse(report["html"])] + [parse(p) for p in sorted(report["cards"].glob("*.html"))]
        for page in pages:
            for row in overview_rows(page) + overview_rows(page, "card-table"):
                for cls, key in (("change", "data-change"), ("region", "data-region"), ("country", "data-country")):
                    cells = row.find_all("td", cls=cls)
                    found = printed_differences(cells[0].text()) if cells else []
                    for _, low, high in found:
                        checked += 1
                        assert (low > 0 or high < 0) == (row.attrs[key] in ("better", "worse")), row.text()
    assert checked > 10


def test_every_municipality_of_the_region_has_a_card(region_report, mikkeli_report):
    municipalities = {"046", "491", "623", "768"}  # every municipality in the estimate table
    for report, extra in ((region_report, set()), (mikkeli_report, {
            "subarea_group-mikkelin-kaupunkialue", "subarea_group-ristiina", "subarea_group-anttola",
            "subarea_group-suomenniemi"})):
        stems = {p.stem for p in report["cards"].glob("*.html")}
        assert stems == municipalities | extra
        assert (report["cards"] / "kortit.pdf").read_bytes().startswith(b"%PDF")
        assert report["summary"]["card_pages"] == len(stems)  # one A4 page per card
        for stem in municipalities:
            page = parse(report["cards"] / f"{stem}.html")
            rows = overview_rows(page, "card-table")
            assert {r.attrs["data-indicator"] for r in rows} == {"daily_smoking", "mhi5_mean"}
            order = [r.attrs["data-light"] for r in rows]
            assert order == sorted(order, key=lambda light: {"red": 0, "green": 1}.get(light, 2)), stem
    enonkoski = parse(region_report["cards"] / "046.html")
    header = " ".join(th.text() for th in enonkoski.root.find_all("th", scope="col"))
    assert "Miehet" in header and "Naiset" in header and "Koko maa" in header and "Etelä-Savo" in header
    smoking = next(r for r in overview_rows(enonkoski, "card-table") if r.attrs["data-indicator"] == "daily_smoking")
    assert smoking.attrs["data-region"] == "worse" and "noin 240 aikuista" in smoking.text()  # 20 % of 1 200
    mikkeli = next(r for r in overview_rows(parse(region_report["cards"] / "491.html"), "card-table")
                   if r.attrs["data-indicator"] == "daily_smoking")
    assert [td.text() for td in mikkeli.find_all("td", cls="sex")] == [f"9,5{NBSP}%", f"6,5{NBSP}%"]
    puumala = next(r for r in overview_rows(parse(region_report["cards"] / "623.html"), "card-table")
                   if r.attrs["data-indicator"] == "daily_smoking")
    assert puumala.find_all("td", cls="value")[0].text() == "–" and puumala.attrs["data-light"] == "blank"


def test_print_css_has_no_fixed_elements_and_repeats_table_headers(region_report):
    html = region_report["html"].read_text(encoding="utf-8")
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    print_css = css[css.index("@media print"):]
    print_css = print_css[:print_css.index("\n}\n") + 2]
    assert "position: static" in print_css and not re.search(r"position:\s*(fixed|sticky)", print_css)
    sticky = re.findall(r"([^{}]+)\{[^}]*position:\s*(?:fixed|sticky)", css)
    assert all(re.search(r"\." + re.escape(s.strip().lstrip(".")) + r"\s*\{[^}]*position:\s*static", print_css)
               for s in sticky), sticky  # every fixed/sticky element is static in print
    assert "@page { size: A4" in css and "thead { display: table-header-group; }" in css
    assert re.search(r"figure \{[^}]*break-inside: avoid", css) and "break-before: page" in print_css
    assert "@media (max-width: 600px)" in css and ".scroll { overflow-x: auto" in css
    phone = css[css.index("@media (max-width: 600px)"):]
    sizes = [float(v) for v in re.findall(r"font-size:\s*([\d.]+)rem", phone)]
    assert sizes and min(sizes) * 16 >= 12  # text at least 12 px on a phone
    page = parse(region_report["html"])
    assert page.root.find_all("a", cls="skip")[0].attrs["href"] == "#main" and page.root.find_all("main", id="main")
    for table in page.root.find_all("table", cls="estimates"):  # tables scroll inside their box
        assert "scroll" in (table.parent.attrs.get("class") or "")
    card = (region_report["cards"] / "046.html").read_text(encoding="utf-8")
    assert "size: A4 landscape" in card and not re.search(r"position:\s*(fixed|sticky)", card)


def test_figures_have_value_alt_texts_and_a_text_table(region_report):
    page = parse(region_report["html"])
    article = page.root.find_all("article", id="ind-daily_smoking")[0]
    figures = article.find_all("figure")
    assert len(figures) == 4
    areas = next(f for f in figures if f.attrs["class"] == "fig-areas")
    alt = areas.find_all("img")[0].attrs["alt"]
    assert "Enonkoski 20,0" in alt and "Mikkeli 8,0" in alt  # the values, not only the title
    tables = article.find_all("table", cls="figure-values")
    assert len(tables) == len(figures)
    trend = next(t for t in tables if t.attrs["data-figure"] == "daily_smoking_trend")
    assert "Etelä-Savo 2018" in trend.text() and f"13,0{NBSP}%" in trend.text()


def test_breakdowns_side_by_side_for_the_area_and_the_region(mikkeli_report):
    page = parse(mikkeli_report["html"])
    tables = page.root.find_all("table", cls="breakdowns", data_indicator="daily_smoking")
    assert len(tables) == 1
    headers = [th.text() for th in tables[0].find_all("th", scope="col")]
    assert headers[1:] == ["Mikkeli", "Etelä-Savo"]  # the area and the region side by side
    sections = tables[0].find_all("tbody")
    assert [b.attrs["data-by"] for b in sections] == ["sex"]  # no age or education cells in the hand-made table
    cells = {tr.attrs["data-level"]: [td.text() for td in tr.find_all("td")] for tr in sections[0].find_all("tr")
             if "data-level" in tr.attrs}
    assert cells == {"1": [f"9,5{NBSP}% (7,7–11,7)", f"12,0{NBSP}% (10,5–13,7)"],
                     "2": [f"6,5{NBSP}% (5,0–8,3)", f"8,0{NBSP}% (6,9–9,3)"]}
    assert not page.root.find_all("table", cls="breakdowns", data_indicator="mhi5_mean")  # nothing invented


def test_methods_say_what_is_protected_with_the_audit_figures(region_report):
    page = parse(region_report["html"])
    methods = page.root.find_all("section", id="methods")[0].text()
    assert "alle 30 vastaajaan" in methods and "yhteistarkastus" in methods.lower()
    assert "kutistuskerroin" in methods and "Clopper–Pearson" in methods
    audit = page.root.find_all("table", cls="publication-audit")[0]
    first = [td.text() for td in audit.find_all("tr")[1].find_all("td")]
    assert first == ["120", "100", "15", "5", "345"]  # from publication_audit.json


def test_english_report(tmp_path, project_config):
    project_config["report"]["language"] = "en"
    paths = make_report(tmp_path, project_config, "mikkeli", hand_models(), name="en")
    page = parse(paths["html"])
    html = paths["html"].read_text(encoding="utf-8")
    assert page.root.find_all("html")[0].attrs["lang"] == "en"
    assert "SYNTHETIC DATA – not real responses" in html and "Meaning and interpretation" in html
    assert "Smokes daily (%)" in html and "Päivittäin tupakoivien" not in html
    rows = {r["code"]: r for r in table_rows(page, "daily_smoking")}
    assert rows["10"]["value"] == "10.0%" and rows["10"]["ci"] == "9.1–11.0"
    assert rows["Mikkelin kaupunkialue"]["label"] == "Mikkeli urban area"  # labels_en from the config
    assert rows["491"]["verdict"] == "clearly better"
    assert "Mikkeli 2022: 8.0% (7.0–9.5)." in html
    assert not re.search(r"\d,\d\s?%", html)  # no Finnish decimal comma in shares
    assert "Kaupunkialueet" not in html and "Mikkeli urban area" in html
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book.sheetnames[0] == "About" and "Lifestyle" in book.sheetnames
    assert [c.value for c in book["Lifestyle"][1]][:4] == ["Indicator", "Survey", "Year", "Area"]
    assert "Definition (THL&#39;s wording, in Finnish)" in html  # the English version keeps the definitions
    assert "Overview" in html and "What got worse" in html and "no clear difference" in html
    card = paths["cards"] / "491.html"
    text = card.read_text(encoding="utf-8")
    assert "Men 2022" in text and "Finland 2022" in text and "about " in text and "aikuista" not in text


def test_choropleth_from_user_boundaries(tmp_path, project_config):
    def square(x, y):
        return [[[x, y], [x + 0.4, y], [x + 0.4, y + 0.2], [x, y + 0.2], [x, y]]]

    features = [
        {"type": "Feature", "properties": {"kunta": "046", "nimi": "Enonkoski"},
         "geometry": {"type": "Polygon", "coordinates": square(28.8, 62.0)}},
        {"type": "Feature", "properties": {"kunta": "491", "nimi": "Mikkeli"},
         "geometry": {"type": "MultiPolygon", "coordinates": [square(27.0, 61.6), square(27.4, 61.6)]}},
        {"type": "Feature", "properties": {"kunta": "623"}, "geometry": {"type": "Polygon",
                                                                          "coordinates": square(28.0, 61.5)}},
        {"type": "Feature", "properties": {"kunta": "768"}, "geometry": {"type": "Polygon",
                                                                          "coordinates": square(28.4, 61.7)}},
        {"type": "Feature", "properties": {"kunta": "90"}, "geometry": {"type": "Polygon",
                                                                         "coordinates": square(28.6, 62.4)}},
    ]
    geojson = tmp_path / "kunnat.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    boundaries = load_boundaries(geojson)
    assert set(boundaries.shapes) == {"046", "491", "623", "768", "090"} and boundaries.lonlat
    assert len(boundaries.shapes["491"].to_polygons()) == 2
    project_config["report"]["boundaries"] = str(geojson)
    paths = make_report(tmp_path, project_config, "etela-savo", hand_models(), name="choropleth")
    assert (paths["figures"] / "daily_smoking_map.svg").is_file()
    assert not list(paths["figures"].glob("*.png"))  # one format: SVG
    assert "Väri kertoo, onko kunta selvästi parempi tai heikompi kuin vertailualue" in paths["html"].read_text(
        encoding="utf-8")
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(Exception, match="FeatureCollection"):
        load_boundaries(bad)


def test_rerun_gives_identical_report_figures_and_tables(tmp_path, project_config):
    """Also with the figures drawn in three processes instead of one."""
    import datetime as dt

    first, second = (make_report(tmp_path, project_config, "mikkeli", hand_models(), name=name,
                                 now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), processes=processes)
                     for name, processes in (("a", 1), ("b", 3)))
    html = [p["html"].read_text(encoding="utf-8").replace(str(p["html"].parent), "OUT") for p in (first, second)]
    assert html[0] == html[1]  # the same apart from where the tables were written
    assert first["csv"].read_bytes() == second["csv"].read_bytes()
    figures = sorted(p.name for p in first["figures"].iterdir())
    assert figures == sorted(p.name for p in second["figures"].iterdir()) and figures
    for name in figures:
        assert (first["figures"] / name).read_bytes() == (second["figures"] / name).read_bytes(), name


def test_unknown_domain_set_in_the_report_config_is_named(tmp_path, project_config):
    project_config["report"]["areas"]["mikkeli"]["compare"] = ["subarea_grop"]
    with pytest.raises(Exception, match=r"report\.areas\.mikkeli\.compare: unknown domain set 'subarea_grop' "
                                        r"\(did you mean: subarea_group"):
        make_report(tmp_path, project_config, "mikkeli", None, name="typo")


def test_failed_report_leaves_nothing_half_written(tmp_path, project_config):
    project_config["report"]["boundaries"] = str(tmp_path / "missing.geojson")
    with pytest.raises(Exception, match="missing.geojson"):
        make_report(tmp_path, project_config, "etela-savo", None, name="broken")
    out = tmp_path / "broken"
    assert not (out / "etela-savo.html").exists() and not (out / "figures" / "etela-savo").exists()
    assert not [p for p in out.rglob("*") if p.name.startswith(".") and "tmp" in p.name]


# --------------------------------------------------------------------------------------------- real workflow
_snakemake = run_snakemake


@pytest.fixture(scope="module")
def workflow_run(workflow_project) -> Path:
    """The session's project, run end to end once (synthetic data), shared with the workflow tests."""
    return workflow_project


def test_workflow_writes_both_reports_with_every_indicator(workflow_run):
    indicators = [i["id"] for i in __import__("yaml").safe_load(
        (ROOT / "config" / "indicators.yaml").read_text(encoding="utf-8"))["indicators"]]
    for area in ("etela-savo", "mikkeli"):
        path = workflow_run / "reports" / f"{area}.html"
        page = parse(path)
        html = path.read_text(encoding="utf-8")
        beside = rf"{area}/kortit/[\w.-]+\.(html|pdf)|{area}_(paikallistieto\.html|kumppanuuspoyta\.pdf)"
        assert [r for r in external_references(html) if not re.fullmatch(beside, r)] == []
        assert "SYNTEETTINEN AINEISTO – ei todellisia vastauksia" in html
        articles = [a.attrs["data-indicator"] for a in page.root.find_all("article", cls="indicator")]
        assert sorted(articles) == sorted(indicators)  # each once, grouped by topic
        for indicator in indicators:
            rows = table_rows(page, indicator)
            region = next(r for r in rows if r["role"] == "region")
            article = page.root.find_all("article", id=f"ind-{indicator}")[0]
            summary = article.find_all("div", cls="findings")[0].text()
            focus = next((r for r in rows if r["role"] == "focus"), region)
            name = "Mikkeli" if area == "mikkeli" else "Etelä-Savo"
            match = re.search(rf"{name} (\d{{4}}): (.+?\))\*?\.", summary)
            assert match, summary
            assert f"{focus['value'].rstrip('*')} ({focus['ci']})" == match.group(2)
            for row in rows:
                if row["suppressed"]:
                    assert row["value"] == row["ci"] == row["n"] == "–"
            assert region["n"] != "–"
        assert (workflow_run / "reports" / f"{area}.xlsx").is_file()
        figures = workflow_run / "reports" / "figures" / area
        for indicator in indicators:
            for kind in ("areas", "trend", "urbanrural"):
                assert (figures / f"{indicator}_{kind}.svg").is_file()
        assert bool(list(figures.glob("*_map.svg"))) == (area == "etela-savo")
        assert not list(figures.glob("*.png"))  # one format: SVG


def test_workflow_report_tables_agree_with_the_estimate_table(workflow_run):
    estimates = pd.read_parquet(workflow_run / "reports" / "tables" / "estimates.parquet")
    page = parse(workflow_run / "reports" / "etela-savo.html")
    latest = estimates[(estimates["indicator"] == "daily_smoking") & (estimates["year"] == estimates["year"].max())
                       & ~estimates["standardized"] & (estimates["domain"] == "municipality")]
    rows = {r["code"]: r for r in table_rows(page, "daily_smoking") if r["domain"] == "municipality"}
    assert set(rows) == set(latest["domain_value"])
    for _, cell in latest.iterrows():
        row = rows[cell["domain_value"]]
        if cell["suppressed"]:
            assert row["value"] == "–"
        else:
            assert number(row["value"]) == pytest.approx(round(100 * cell["estimate"], 1))
            low, high = row["ci"].split("–")
            assert number(low) == pytest.approx(round(100 * cell["ci_low"], 1))
            assert number(high) == pytest.approx(round(100 * cell["ci_high"], 1))
            assert number(row["n"]) == cell["n"]


def test_workflow_overview_and_cards_follow_the_differences_table(workflow_run):
    """On the real run: a card (and a PDF page) for every municipality of the region, every overview and card
    verdict equal to `differs` of the published differences table, no printed difference contradicting it."""
    tables = workflow_run / "reports" / "tables"
    estimates = pd.read_parquet(tables / "estimates.parquet")
    differences = pd.read_parquet(tables / "differences.parquet")
    latest = differences[differences["wave"] == "ts2022"]
    indicators = {i["id"]: i.get("higher_is_better", False) for i in __import__("yaml").safe_load(
        (ROOT / "config" / "indicators.yaml").read_text(encoding="utf-8"))["indicators"]}
    standardized = set(estimates.loc[estimates["standardized"], "indicator"])
    municipalities = set(estimates.loc[estimates["domain"] == "municipality", "domain_value"])
    assert len(municipalities) == 11
    checked = 0
    for area, focus in (("etela-savo", ("region", "10")), ("mikkeli", ("municipality", "491"))):
        cards = workflow_run / "reports" / area / "kortit"
        assert municipalities <= {p.stem for p in cards.glob("*.html")}
        assert (cards / "kortit.pdf").read_bytes().startswith(b"%PDF")
        pages = [(parse(workflow_run / "reports" / f"{area}.html"), "overview", focus)]
        pages += [(parse(cards / f"{code}.html"), "card-table", ("municipality", code)) for code in municipalities]
        for page, cls, (domain, value) in pages:
            rows = overview_rows(page, cls)
            assert {r.attrs["data-indicator"] for r in rows} == set(indicators)
            for row in rows:
                ind = row.attrs["data-indicator"]
                cell = latest[(latest["indicator"] == ind) & (latest["domain"] == domain)
                              & (latest["domain_value"] == value) & (latest["standardized"] == (ind in standardized))]
                for reference, key in (("previous", "data-change"), ("region", "data-region"),
                                       ("country", "data-country")):
                    found = cell[cell["reference"] == reference]
                    if domain == "region" and reference == "region":
                        assert row.attrs[key] == ""
                        continue
                    expected = "" if found.empty or bool(found["suppressed"].iloc[0]) else (
                        "none" if not bool(found["differs"].iloc[0]) else
                        "better" if (found["difference"].iloc[0] > 0) == indicators[ind] else "worse")
                    assert row.attrs[key] == expected, (area, ind, domain, value, reference)
                    checked += 1
                    td = row.find_all("td", cls={"previous": "change"}.get(reference, reference))
                    for _, low, high in printed_differences(td[0].text() if td else ""):
                        assert (low > 0 or high < 0) == (expected in ("better", "worse")), td[0].text()
    assert checked > 500
    raw = (tables / "mikkeli_report_excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").split("\r\n")[0].startswith("Mittari;")
    book = openpyxl.load_workbook(workflow_run / "reports" / "mikkeli.xlsx", read_only=True)
    assert "Kylät ja kaupunginosat" in book.sheetnames and "Puumala" in book.sheetnames


def test_no_respondent_level_data_under_reports(workflow_run):
    reports = workflow_run / "reports"
    estimates = pd.read_parquet(reports / "tables" / "estimates.parquet")
    models = reports / "tables" / "comparisons.parquet"
    max_rows = len(estimates) + (len(pd.read_parquet(models)) if models.exists() else 0)
    ids = set(pd.read_parquet(workflow_run / "data" / "processed" / "ts2022" / "respondents.parquet")
              ["respondent_id"].astype(str).head(50))
    for path in reports.rglob("*"):
        if path.suffix in {".csv", ".parquet"}:
            table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(
                path, **({"sep": ";", "decimal": ",", "encoding": "utf-8-sig"} if path.name.endswith("_excel.csv")
                         else {}))
            assert not RESPONDENT_COLUMNS & set(table.columns), path
            assert len(table) <= max_rows, path
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                rows = list(sheet.values)
                assert len(rows) <= max_rows + 1, (path, sheet.title)
                if rows and sheet.title not in ("Tietoja", "About"):
                    assert not RESPONDENT_COLUMNS & {str(c) for c in rows[0]}, (path, sheet.title)
        elif path.suffix in {".html", ".svg"}:
            text = path.read_text(encoding="utf-8")
            assert "respondent_id" not in text, path
            if path.suffix == ".html":
                assert not [i for i in ids if len(i) > 5 and f">{i}<" in text], path
    cells = estimates.groupby(["domain"]).size().sum()
    for area in ("etela-savo", "mikkeli"):
        for table in parse(reports / f"{area}.html").root.find_all("table", cls="estimates"):
            assert len(table.find_all("tr")) <= cells


def test_snakemake_report_works(workflow_run):
    run = _snakemake(workflow_run, "--report", "reports/workflow-report.html")
    assert run.returncode == 0, run.stderr[-3000:]
    assert (workflow_run / "reports" / "workflow-report.html").stat().st_size > 10_000


def test_a_published_national_value_shows_its_source(tmp_path, project_config):
    """Without national microdata koko maa is a published value (reference_values): the overview names its
    source and year beside it."""
    estimates = hand_estimates()
    estimates = estimates[estimates["domain"] != "country"].reset_index(drop=True)
    differences = hand_differences(estimates)
    region = differences[(differences["reference"] == "region")].copy()
    published = region.assign(reference="country", reference_domain="country", reference_value="FI",
                              estimate_reference=0.2, source="Terveytemme 2022 (test row)")
    tables = tmp_path / "published" / "tables"
    tables.mkdir(parents=True)
    estimates.to_parquet(tables / "estimates.parquet", index=False)
    pd.concat([differences, published], ignore_index=True).to_parquet(tables / "differences.parquet", index=False)
    paths = make_report(tmp_path, project_config, "mikkeli", hand_models(), name="published")
    overview = parse(paths["html"]).root.find_all("table", cls="overview")[0].text()
    assert "julkaistu arvo: Terveytemme 2022 (test row)" in overview
