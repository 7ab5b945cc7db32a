"""The publication gate: the estimate, model and small-area tables as cells over respondents, audited together.

Each stage computes its table and applies primary suppression itself; the gate then knows every published
cell of every table as a set of the wave's respondents and runs the linked audit
(`ath_analysis.disclosure.linked.audit`) per wave over all of them at once:

- estimate table: one cell per row; its respondents are the domain cell's (as `estimates.domain_frame` and
  the survey module's domain plan define it) in the indicator's denominator; a standardized row is the
  same set and also publishes a combination of its age strata's means;
- model table: a crude model's level publishes the level's weighted prevalence or mean (a sum over its
  respondents); an adjusted model's margin does not (it is `linear=False`: only its n counts), nor does a
  pooled model, whose levels span waves (primary suppression only). Each-vs-rest comparisons give the level
  and "the rest of the region" as two cells;
- small-area table: each area's direct estimate.

The `withhold_*` functions then apply the gate's decisions to the tables: rows newly withheld are flagged
(`small n` or `complementary suppression`), and everything they published besides their identity is blanked.

    settings = GateSettings(min_n=30, region_code="10", domain_sets=config["estimate"]["domains"], ...)
    gate = publication_gate(waves, estimates, models, small_areas, settings)   # waves: indicator tables
    estimates = withhold_estimates(estimates, gate)                             # likewise models, small areas
    audit_record = gate.summary()                                               # per wave: the figures

Each wave's audit is independent of the others', so the workflow runs it as one job per wave (`wave_gate`,
its `WaveDecision` written with `decision_record`) and gathers the decisions (`read_decision`, `combine`):
`publication_gate` is exactly that, in one process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ath_analysis.analysis import domain_frame
from ath_analysis.disclosure.linked import Grouping, LinkedAudit, audit
from ath_analysis.disclosure.models import CONTRAST_COLUMNS, FLAG_SMALL_REFERENCE, STATISTIC_COLUMNS
from ath_analysis.disclosure.primary import FLAG_COMPLEMENTARY, FLAG_SMALL_N, SUPPRESSED_COLUMNS
from ath_analysis.errors import ConfigError
from ath_analysis.survey.domains import plan_domains

if TYPE_CHECKING:
    from ath_analysis.results.comparisons import Comparison

OK, POOLED, REST_PREFIX = "ok", "pooled", "not "  # as the comparison table writes them

ESTIMATES, MODELS, SMALL_AREAS = "estimates", "models", "small_areas"
DIRECT_COLUMNS = ["direct", "direct_se", "direct_ci_low", "direct_ci_high"]


@dataclass(frozen=True)
class GateSettings:
    """What the gate must know of the stages that made the tables (from config; nothing else is read).

    domain_sets: the estimate stage's domain sets; standardize_by: its standardization column (None: no
    standardized rows); comparisons, adjusters: the compare stage's; small_area_sets, small_area_municipality:
    the small-area stage's (the sub-area municipality: `within: subareas` comparisons are fitted on it too).
    certify: see `linked.audit`.
    """

    min_n: int
    region_code: str
    domain_sets: Mapping[str, Sequence[str]]
    standardize_by: str | None = None
    comparisons: Sequence[Comparison] = ()
    adjusters: Sequence[str] = ()
    small_area_sets: Sequence[str] = ()
    small_area_municipality: str | None = None
    certify: float = 0.0  # seconds per family for the exact search of small determined unions (0: none)


@dataclass(frozen=True)
class GateResult:
    """Per table (index of the table given to the gate): cells withheld as primary and secondary suppression."""

    primary: Mapping[str, pd.Series]
    secondary: Mapping[str, pd.Series]
    summaries: Mapping[str, Mapping[str, object]]  # per wave: `LinkedAudit.summary()`

    def summary(self) -> dict[str, object]:
        """The audit figures per wave, for the published audit record."""
        return {wave: dict(figures) for wave, figures in self.summaries.items()}


@dataclass(frozen=True)
class WaveDecision:
    """One wave's audit as the gather needs it: per table, the positions of the rows withheld as primary and
    as secondary suppression (sorted), and the audit's figures."""

    wave: str
    primary: Mapping[str, np.ndarray]
    secondary: Mapping[str, np.ndarray]
    summary: Mapping[str, object]


def _text(values: pd.Series) -> pd.Series:
    """Category codes as the tables write them: whole-number floats without '.0', missing as <NA>."""
    if pd.api.types.is_float_dtype(values):
        values = values.astype("Int64")
    return values.astype("string")


def _labels(table: pd.DataFrame, what: str, parts: Sequence[str]) -> pd.Series:
    text = pd.Series(f"{what}, wave ", index=table.index, dtype="object") + table["wave"].astype(str)
    for column in parts:
        text = text + " " + table[column].astype(str)
    return text


# ------------------------------------------------------------------------------------------------ the tables
def estimate_cells(table: pd.DataFrame, frame: pd.DataFrame, domain_sets: Mapping[str, Sequence[str]],
                   region_code: str, standardize_by: str | None = None) -> tuple[pd.DataFrame, list[Grouping]]:
    """Cells and groupings of one wave's rows of the estimate table, over the wave's indicator table `frame`."""
    sets = {name: list(columns) for name, columns in domain_sets.items()}
    data = domain_frame(frame, sets, region_code)
    plan = plan_domains(data, sets)
    text = plan.uniques_text()
    groupings = [Grouping(f"{ESTIMATES}/{d.name}", d.codes, tuple(str(v) for v in d.value_strings(text)))
                 for d in plan.sets]
    standardized = table["standardized"].fillna(False).astype(bool).to_numpy() if "standardized" in table else \
        np.zeros(len(table), bool)
    strata = None
    if standardized.any():
        if standardize_by is None:
            raise ValueError("the estimate table has standardized rows: give standardize_by")
        strata = Grouping.from_labels(f"{ESTIMATES}/standardization", _text(frame[standardize_by]))
        groupings.append(strata)
    cells = pd.DataFrame({
        "grouping": ESTIMATES + "/" + table["domain"].astype(str),
        "key": table["domain_value"].astype(str),
        "indicator": table["indicator"].astype(str),
        "n": table["n"],
        "suppressed": table["suppressed"].fillna(False).astype(bool) if "suppressed" in table else False,
        "linear": True,
        "strata": np.where(standardized, strata.name if strata else "", ""),
        "label": _labels(table, "estimate table", ["indicator", "domain", "domain_value"]),
    }, index=table.index)
    return cells, groupings


def model_cells(table: pd.DataFrame, frame: pd.DataFrame, comparisons: Sequence[Comparison],
                adjusters: Sequence[str]) -> tuple[pd.DataFrame, list[Grouping]]:
    """Cells and groupings of one wave's rows of the model table (not the pooled rows).

    A comparison's levels are one grouping per adjustment (crude; adjusted: the adjusters observed too); an
    each-vs-rest comparison has one grouping per level: the level and the rest of its domain.
    """
    inside_region = frame["in_region"].fillna(False).to_numpy(dtype=bool, copy=True)
    by_name = {c.name: c for c in comparisons}
    unknown = sorted(set(table["comparison"]) - set(by_name))
    if unknown:
        raise ValueError(f"model table rows of comparison(s) {', '.join(unknown)} are not among the comparisons given")
    level = table["level"].astype(str)
    reference = table["reference_level"].astype(str)
    each = table["comparison"].map(lambda c: by_name[c].each_vs_rest).astype(bool)
    model = table["comparison"].astype(str) + np.where(each, "/" + reference.str.slice(len(REST_PREFIX)), "")
    grouping = MODELS + "/" + model + "/" + table["adjustment"].astype(str)
    groupings: list[Grouping] = []
    for name in table["comparison"].drop_duplicates():  # a loop over comparisons (and, each-vs-rest, levels)
        comparison = by_name[name]
        inside = inside_region.copy()
        if comparison.within == "subareas":  # as the comparison table's own domain
            inside &= frame["subarea_group"].notna().to_numpy(bool)
        variable = _text(frame[comparison.variable])
        observed = variable.notna().to_numpy() & inside
        text = variable.fillna("").to_numpy(dtype=object)
        adjusted = np.ones(len(frame), dtype=bool)
        for a in adjusters:
            if a != comparison.variable:
                adjusted &= frame[a].notna().to_numpy()
        rows = (table["comparison"] == name).to_numpy()
        if comparison.each_vs_rest:
            parts = {lv: (lv, REST_PREFIX + lv) for lv in sorted(set(reference[rows].str.slice(len(REST_PREFIX))))}
        else:
            parts = {"": tuple(sorted(set(text[observed]) | set(level[rows])))}
        for part, keys in parts.items():
            if comparison.each_vs_rest:
                codes = np.where(observed, np.where(text == part, 0, 1), -1).astype(np.int8)
            else:
                codes = np.where(observed, pd.Index(keys).get_indexer(text), -1).astype(np.int64)
            prefix = f"{MODELS}/{name}" + (f"/{part}" if comparison.each_vs_rest else "")
            groupings.append(Grouping(f"{prefix}/crude", codes, keys))
            groupings.append(Grouping(f"{prefix}/adjusted", codes, keys, adjusted))
    status_ok = table["status"] == OK if "status" in table else pd.Series(True, index=table.index)
    cells = pd.DataFrame({
        "grouping": grouping,
        "key": level,
        "indicator": table["indicator"].astype(str),
        "n": table["n"],
        "suppressed": table["suppressed"].fillna(False).astype(bool) if "suppressed" in table else False,
        # a crude model's margin is the level's weighted mean; a failed model publishes only its n
        "linear": (table["adjustment"] == "crude") & status_ok,
        "label": _labels(table, "model table", ["indicator", "comparison", "adjustment", "level"]),
    }, index=table.index)
    return cells, groupings


def small_area_cells(table: pd.DataFrame, frame: pd.DataFrame, area_sets: Sequence[str], municipality: str | None
                     ) -> tuple[pd.DataFrame, list[Grouping]]:
    """Cells and groupings of one wave's rows of the small-area table (the direct estimates)."""
    inside = frame["in_region"].fillna(False).to_numpy(dtype=bool, copy=True)
    inside &= (_text(frame["municipality"]) == municipality).fillna(False).to_numpy(bool)
    groupings = []
    for area_set in area_sets:
        labels = _text(frame[area_set]).where(inside)
        keys = tuple(sorted(set(labels.dropna()) | set(table.loc[table["area_set"] == area_set, "area"].astype(str))))
        codes = np.where(labels.notna().to_numpy(), pd.Index(keys).get_indexer(labels.fillna("").to_numpy()), -1)
        groupings.append(Grouping(f"{SMALL_AREAS}/{area_set}", codes.astype(np.int64), keys))
    suppressed = table["direct_suppressed"].fillna(False).astype(bool) if "direct_suppressed" in table else False
    cells = pd.DataFrame({
        "grouping": SMALL_AREAS + "/" + table["area_set"].astype(str),
        "key": table["area"].astype(str),
        "indicator": table["indicator"].astype(str),
        "n": table["n"],
        "suppressed": suppressed,
        "linear": True,
        "label": _labels(table, "small-area table", ["indicator", "area_set", "area"]),
    }, index=table.index)
    return cells, groupings


# --------------------------------------------------------------------------------------------------- the gate
def _indexed(cells: pd.DataFrame, table: str) -> pd.DataFrame:
    return cells.set_axis(pd.MultiIndex.from_arrays([[table] * len(cells), cells.index]), axis=0)


def _tables(estimates: pd.DataFrame, models: pd.DataFrame | None, small_areas: pd.DataFrame | None
            ) -> dict[str, pd.DataFrame]:
    return {name: t for name, t in ((ESTIMATES, estimates), (MODELS, models), (SMALL_AREAS, small_areas))
            if t is not None}


def wave_audit(wave: str, frame: pd.DataFrame, estimates: pd.DataFrame, models: pd.DataFrame | None,
               small_areas: pd.DataFrame | None, settings: GateSettings) -> LinkedAudit:
    """The linked audit of one wave's cells of all tables; its cells are indexed by (table, the table's index)."""
    parts, groupings = [], []
    rows = estimates["wave"] == wave
    cells, groups = estimate_cells(estimates[rows], frame, settings.domain_sets, settings.region_code,
                                   settings.standardize_by)
    parts.append(_indexed(cells, ESTIMATES))
    groupings += groups
    if models is not None and len(settings.comparisons):
        rows = models["wave"] == wave
        cells, groups = model_cells(models[rows], frame, settings.comparisons, settings.adjusters)
        parts.append(_indexed(cells, MODELS))
        groupings += groups
    if small_areas is not None and len(settings.small_area_sets):
        rows = small_areas["wave"] == wave
        cells, groups = small_area_cells(small_areas[rows], frame, settings.small_area_sets,
                                         settings.small_area_municipality)
        parts.append(_indexed(cells, SMALL_AREAS))
        groupings += groups
    cells = pd.concat(parts)
    indicators = list(dict.fromkeys(cells["indicator"]))
    return audit(cells, groupings, frame[indicators], settings.min_n, certify=settings.certify)


def wave_gate(wave: str, frame: pd.DataFrame, estimates: pd.DataFrame, models: pd.DataFrame | None,
              small_areas: pd.DataFrame | None, settings: GateSettings) -> WaveDecision:
    """One wave's audit (over its indicator table `frame`) as positions in the tables: a job of its own."""
    result = wave_audit(wave, frame, estimates, models, small_areas, settings)
    table_of = result.primary.index.get_level_values(0)
    primary, secondary = {}, {}
    for name, table in _tables(estimates, models, small_areas).items():
        mine = table_of == name
        positions = table.index.get_indexer(result.primary.index[mine].get_level_values(1))
        primary[name] = np.sort(positions[result.primary[mine].to_numpy(bool)])
        secondary[name] = np.sort(positions[result.secondary[mine].to_numpy(bool)])
    return WaveDecision(wave, primary, secondary, result.summary())


def combine(estimates: pd.DataFrame, models: pd.DataFrame | None, small_areas: pd.DataFrame | None,
            decisions: Sequence[WaveDecision], min_n: int) -> GateResult:
    """The waves' decisions as one result over the tables; pooled model rows get primary suppression here (their
    levels span waves, so no wave's audit holds them)."""
    tables = _tables(estimates, models, small_areas)
    primary = {name: np.zeros(len(t), dtype=bool) for name, t in tables.items()}
    secondary = {name: np.zeros(len(t), dtype=bool) for name, t in tables.items()}
    for decision in decisions:
        for name in tables:
            primary[name][decision.primary[name]] = True
            secondary[name][decision.secondary[name]] = True
    if models is not None:
        pooled = (models["wave"] == POOLED).to_numpy()
        n = pd.to_numeric(models["n"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        primary[MODELS] |= pooled & (n > 0) & (n < min_n)
    return GateResult({name: pd.Series(primary[name], index=t.index) for name, t in tables.items()},
                      {name: pd.Series(secondary[name], index=t.index) for name, t in tables.items()},
                      {d.wave: d.summary for d in decisions})


def publication_gate(waves: Mapping[str, pd.DataFrame], estimates: pd.DataFrame, models: pd.DataFrame | None,
                     small_areas: pd.DataFrame | None, settings: GateSettings) -> GateResult:
    """Audit every wave's published cells of all tables together; pooled model rows get primary suppression.

    waves: each wave's indicator table (the frame the stages estimated from). The tables are as the stages
    wrote them (after their own primary suppression); the result says which rows must not be published.
    """
    decisions = [wave_gate(wave, frame, estimates, models, small_areas, settings) for wave, frame in waves.items()]
    return combine(estimates, models, small_areas, decisions, settings.min_n)


# ------------------------------------------------------------------------------------------- decision files
def table_fingerprint(table: pd.DataFrame) -> str:
    """sha256 of a table's columns, types, index and values (pandas' row hashes): a wave's decision names rows by
    position, so it may only be applied to the very table it was made on."""
    digest = hashlib.sha256("\x1f".join(f"{c}:{t}" for c, t in table.dtypes.astype(str).items()).encode())
    digest.update(pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def decision_record(decision: WaveDecision, estimates: pd.DataFrame, models: pd.DataFrame | None,
                    small_areas: pd.DataFrame | None) -> dict[str, object]:
    """A wave's decision as a JSON-able record, with each table's row count and fingerprint."""
    return {"wave": decision.wave,
            "tables": {name: {"rows": len(table), "sha256": table_fingerprint(table),
                              "primary": [int(i) for i in decision.primary[name]],
                              "secondary": [int(i) for i in decision.secondary[name]]}
                       for name, table in _tables(estimates, models, small_areas).items()},
            "summary": decision.summary}


def read_decision(record: Mapping[str, object], path: str | Path, wave: str, estimates: pd.DataFrame,
                  models: pd.DataFrame | None, small_areas: pd.DataFrame | None) -> WaveDecision:
    """A wave's decision from its record, refused (naming the file) unless it was made on these very tables."""
    tables = _tables(estimates, models, small_areas)
    given = record.get("tables")
    if record.get("wave") != wave or not isinstance(given, Mapping) or set(given) != set(tables):
        raise ConfigError(f"{path}: not the publication decision of wave {wave} over the tables "
                          f"{', '.join(tables)} (rerun the publish_part jobs)")
    primary, secondary = {}, {}
    for name, table in tables.items():
        entry = given[name]
        if entry["rows"] != len(table) or entry["sha256"] != table_fingerprint(table):
            raise ConfigError(f"{path}: the decision of wave {wave} was made on another {name} table "
                              f"({entry['rows']} rows, {len(table)} now, or other contents; rerun the publish_part "
                              "jobs)")
        primary[name] = np.asarray(entry["primary"], dtype=np.int64)
        secondary[name] = np.asarray(entry["secondary"], dtype=np.int64)
    summary = record["summary"]
    assert isinstance(summary, Mapping)
    return WaveDecision(wave, primary, secondary, summary)


# ------------------------------------------------------------------------------------------ applying the gate
def _withheld(table: pd.DataFrame, result: GateResult, name: str, already: pd.Series
              ) -> tuple[pd.Series, pd.Series]:
    """Rows to withhold now (not withheld before) and their flag."""
    primary = result.primary[name].reindex(table.index, fill_value=False)
    secondary = result.secondary[name].reindex(table.index, fill_value=False)
    new = (primary | secondary) & ~already
    flag = pd.Series(np.where(primary, FLAG_SMALL_N, FLAG_COMPLEMENTARY), index=table.index)
    return new, flag


def withhold_estimates(table: pd.DataFrame, result: GateResult) -> pd.DataFrame:
    """The estimate table with the gate's decisions: new rows suppressed, flagged and blanked."""
    out = table.copy()
    new, flag = _withheld(out, result, ESTIMATES, out["suppressed"].fillna(False).astype(bool))
    out.loc[new, "suppressed"] = True
    out.loc[new, "flag"] = flag[new]
    hidden = out["suppressed"].to_numpy(bool)
    for column in SUPPRESSED_COLUMNS:
        if column in out:
            out[column] = out[column].mask(hidden)
    return out


def withhold_models(table: pd.DataFrame, result: GateResult, blank_n: bool = True) -> pd.DataFrame:
    """The model table with the gate's decisions; a suppressed row also loses its message ("perfect
    prediction: every respondent in level … has the outcome" is a value) and, with `blank_n`, its n; the
    contrasts of a model whose reference level is withheld are blanked (they would reveal it)."""
    out = table.copy()
    new, flag = _withheld(out, result, MODELS, out["suppressed"].fillna(False).astype(bool))
    out.loc[new, "suppressed"] = True
    out.loc[new, "flag"] = flag[new]
    hidden = out["suppressed"].to_numpy(bool)
    out.loc[hidden, STATISTIC_COLUMNS] = np.nan
    if blank_n:
        out["n"] = out["n"].mask(hidden)
    if "df" in out:
        out["df"] = out["df"].mask(hidden)
    if "message" in out:
        out.loc[hidden, "message"] = ""
    keys = ["indicator", "wave", "comparison", "adjustment", "reference_level"]
    if "term_p_value" in out:  # the test of a comparison rests on all its levels, a withheld one too
        with_hidden = out["suppressed"].groupby([out[k] for k in keys], sort=False).transform("any")
        out["term_p_value"] = out["term_p_value"].mask(with_hidden.to_numpy(bool))
    reference_hidden = out["is_reference"].astype(bool) & out["suppressed"]
    affected = pd.MultiIndex.from_frame(out[keys]).isin(pd.MultiIndex.from_frame(out.loc[reference_hidden, keys]))
    affected &= ~hidden
    out.loc[affected, CONTRAST_COLUMNS] = np.nan
    out.loc[affected & (out["flag"] == ""), "flag"] = FLAG_SMALL_REFERENCE
    return out


def withhold_small_areas(table: pd.DataFrame, result: GateResult, blank_n: bool = True) -> pd.DataFrame:
    """The small-area table with the gate's decisions: a withheld direct estimate is blanked (with `blank_n`
    also its n, which the table otherwise publishes for every area), and the row shows the model estimate."""
    out = table.copy()
    new, _ = _withheld(out, result, SMALL_AREAS, out["direct_suppressed"].fillna(False).astype(bool))
    out.loc[new, "direct_suppressed"] = True
    hidden = out["direct_suppressed"].to_numpy(bool)
    out.loc[hidden, DIRECT_COLUMNS] = np.nan
    if blank_n:
        out["n"] = out["n"].mask(hidden)
    shown_direct = hidden & (out["shown"] == "direct").to_numpy()
    out.loc[shown_direct, "shown"] = "model"
    out.loc[shown_direct, "shown_estimate"] = out.loc[shown_direct, "model"]
    out.loc[shown_direct, "shown_ci_low"] = out.loc[shown_direct, "model_ci_low"]
    out.loc[shown_direct, "shown_ci_high"] = out.loc[shown_direct, "model_ci_high"]
    return out


def public_small_areas(table: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """The small-area table as it may be published: an area's number of respondents only when it is at least
    `min_n` and its direct estimate is published (an area of fewer says "< min_n" in `respondents`, which its
    synthetic estimate tells anyway). Takes the table from `withhold_small_areas(..., blank_n=False)`: the n
    of a withheld area is needed here to tell "< min_n" from a secondary withholding, and is blanked here."""
    out = table.copy()
    n = out["n"].astype("Float64")
    small = (n < min_n).fillna(False).to_numpy(bool) & (n > 0).fillna(False).to_numpy(bool)
    withheld = out["direct_suppressed"].fillna(False).to_numpy(bool) & ~small
    shown = n.mask(small | withheld).astype("Int64")
    out["respondents"] = np.where(small, f"< {min_n}", shown.astype("string").fillna("").to_numpy())
    out["n"] = shown
    return out
