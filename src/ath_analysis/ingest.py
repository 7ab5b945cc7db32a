"""Ingest: one wave's `.sav` → harmonized respondents, their labels, and an audit of what happened.

User-missing codes ("en osaa sanoa", "ei vastausta") become missing with the reason counted; codes outside
an item's valid values become missing with a warning; design variables that would make estimates wrong
(bad weights, duplicate ids) stop the run. Rows read always equal rows kept plus rows excluded by reason.

The file is read the safe way (`ath_analysis.savfile`): its dictionary first, to check names and types,
then only the columns the wave maps. Every problem is collected before anything stops, so ingest and
`ath-analysis validate` (`check_wave_file`) report the same problems in the same words, all at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.atomic import atomic_outputs
from ath_analysis.errors import DataError, close_matches
from ath_analysis.harmonization import ColumnSpec
from ath_analysis.savfile import (
    SAV_MAGIC,
    SavInfo,
    check_encoding_name,
    check_spss_file,
    load_columns,
    load_info,
    mojibake_warning,
    read_columns,
    read_info,
    run_isolated,
)

__all__ = ["SAV_MAGIC", "IngestResult", "check_wave_file", "ingest_wave", "read_sav", "sha256_of",
           "user_missing_mask", "write_ingest"]

logger = logging.getLogger(__name__)

STRING_TYPES = {"id", "design", "code"}
MOSTLY_MISSING = 0.5  # warn loudly when out-of-range codes leave more than this share of the answers missing


@dataclass
class IngestResult:
    """Harmonized respondents with the file's labels and the audit of the ingest."""

    respondents: pd.DataFrame
    labels: dict[str, Any]
    audit: dict[str, Any]


def sha256_of(path: str | Path) -> str:
    """Checksum of an input file, for provenance."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sav(path: str | Path, wave: str | None = None, columns: Sequence[str] | None = None,
             encoding: str | None = None) -> tuple[pd.DataFrame, SavInfo]:
    """Read a `.sav`/`.zsav` (all columns, or `columns`) with user-missing codes kept and dates as SPSS
    seconds, or fail with a message that names the wave and file."""
    where = f"wave '{wave}': " if wave else ""
    info = read_info(path, encoding, where)
    if columns is not None:
        absent = [c for c in columns if c not in info.variables]
        if absent:
            raise DataError(f"{where}{path} has no variable {', '.join(repr(c) for c in absent)}"
                            f"{close_matches(absent[0], info.variables)}")
    return read_columns(path, columns, info, encoding, where), info


def user_missing_mask(values: pd.Series, ranges: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Rows whose value is one of the user-missing codes or ranges (SPSS `MISSING VALUES`)."""
    mask = np.zeros(len(values), dtype=bool)
    numeric = pd.api.types.is_numeric_dtype(values)
    for r in ranges:
        if numeric:
            mask |= ((values >= r["lo"]) & (values <= r["hi"])).to_numpy(bool)
        else:
            mask |= (values.astype(str) == str(r["lo"])).to_numpy(bool)
    return mask


def _shown(code: Any) -> Any:
    return int(code) if isinstance(code, float) and code.is_integer() else code


def _code_label(code: Any, labels: Mapping[Any, str]) -> str:
    shown = _shown(code)
    label = labels.get(code, labels.get(shown))
    return f"{shown} {label}" if label else str(shown)


def _recode(values: pd.Series, recode: Mapping[Any, Any]) -> pd.Series:
    if not recode:
        return values
    lookup = {**{float(k): v for k, v in recode.items() if _is_number(k)}, **dict(recode)}
    codes = pd.unique(values.dropna())
    mapping = {c: lookup.get(c, lookup.get(str(c), c)) for c in codes}
    return values.map(mapping)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_text(values: pd.Series, zero_pad: int | None) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values)
        whole = numbers.dropna()
        if (whole == np.round(whole)).all():
            text = numbers.astype("Int64").astype("string")
        else:
            text = numbers.astype("string")
    else:
        text = values.astype("string").str.strip()
    text = text.mask(text == "")
    if zero_pad:
        text = text.str.zfill(zero_pad)
    return text


def _kind(variables: Mapping[str, Any], canonical: str) -> str:
    return str(variables.get(canonical, {}).get("type", "design"))


def _count(n: int) -> str:
    return f"{n:,}"


def mapping_problems(info: SavInfo, specs: Sequence[ColumnSpec], variables: Mapping[str, Any], wave: str,
                     path: str | Path) -> list[str]:
    """What the dictionary alone shows to be wrong with the wave's mapping: absent names, dates."""
    problems = []
    for spec in specs:
        variable = info.variables.get(spec.source)
        if variable is None:
            problems.append(f"wave '{wave}': variable '{spec.source}' (for {spec.canonical}) is not in the file "
                            f"{path}{close_matches(spec.source, info.variables)}")
        elif variable.is_date:
            problems.append(
                f"wave '{wave}': variable '{spec.source}' (for {spec.canonical}) in {path} is a {variable.kind} "
                f"variable ({variable.format}), but {spec.canonical} is a {_kind(variables, spec.canonical)} item: "
                "map the variable that holds its codes or numbers (dates are not converted)"
            )
    return problems


class _Harmonizer:
    """Builds the canonical frame column by column, collecting problems, warnings and the audit as it goes."""

    def __init__(self, data: pd.DataFrame, info: SavInfo, variables: Mapping[str, Any], wave: str, path: Path):
        self.data, self.info, self.variables, self.wave, self.path = data, info, variables, wave, path
        self.user_missing: dict[str, dict[str, int]] = {}
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def column(self, spec: ColumnSpec) -> pd.Series:
        values = self.data[spec.source]
        variable = self.info.variables[spec.source]
        labels = variable.value_labels
        ranges = list(variable.missing) + [{"lo": c, "hi": c} for c in spec.missing]
        mask = user_missing_mask(values, ranges)
        if mask.any():
            counts = values[mask].value_counts()
            self.user_missing[spec.canonical] = {_code_label(k, labels): int(v) for k, v in counts.items()}
            values = values.mask(mask)
        values = _recode(values, spec.recode)
        if _kind(self.variables, spec.canonical) in STRING_TYPES:
            return _as_text(values, spec.zero_pad)
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() & values.notna()
        if bad.any():
            self.problems.append(
                f"wave '{self.wave}': variable '{spec.source}' ({spec.canonical}) in {self.path} is a "
                f"{'string' if variable.kind == 'string' else variable.kind} variable ({variable.format}) with "
                f"values that are not numbers, e.g. {values[bad].iloc[0]!r}, but {spec.canonical} is a "
                f"{_kind(self.variables, spec.canonical)} item: map a numeric variable, or recode its codes to "
                "numbers in the harmonization"
            )
            return pd.Series(np.nan, index=values.index)
        return self._check_range(spec, numbers.astype(float), labels)

    def _check_range(self, spec: ColumnSpec, numbers: pd.Series, labels: Mapping[Any, str]) -> pd.Series:
        info = self.variables.get(spec.canonical, {})
        if "values" in info:
            outside = numbers.notna() & ~numbers.isin([float(k) for k in info["values"]])
        elif "min" in info or "max" in info:
            outside = (numbers < info.get("min", -np.inf)) | (numbers > info.get("max", np.inf))
        else:
            return numbers
        if outside.any():
            codes = numbers[outside].value_counts().sort_index()
            shown = ", ".join(f"{_code_label(k, labels)}: {v}" for k, v in codes.items())
            n_outside, n_answers = int(outside.sum()), int(numbers.notna().sum())
            if n_outside > MOSTLY_MISSING * n_answers:
                self.warnings.append(
                    f"variable '{spec.source}' ({spec.canonical}) is left mostly missing: {_count(n_outside)} of "
                    f"{_count(n_answers)} answers ({100 * n_outside / n_answers:.0f} %) are outside the valid codes "
                    f"and were set to missing ({shown}); check its recode in the harmonization and the valid "
                    f"values of {spec.canonical}"
                )
            else:
                self.warnings.append(
                    f"variable '{spec.source}' ({spec.canonical}): {n_outside} value(s) outside the valid "
                    f"codes set to missing ({shown})"
                )
            numbers = numbers.mask(outside)
        return numbers


def _examples(ids: pd.Series, mask: pd.Series, n: int = 3) -> str:
    """'respondents 12, 15' / 'row 3' examples of the rows in `mask` (1-based rows where the id is empty)."""
    rows = np.flatnonzero(mask.to_numpy(bool))[:n]
    named = [str(ids.iloc[i]) if not pd.isna(ids.iloc[i]) else f"row {i + 1} (no id)" for i in rows]
    return ("respondent " if len(named) == 1 else "respondents ") + ", ".join(named)


def design_problems(frame: pd.DataFrame, sources: Mapping[str, str], wave: str, path: Path) -> list[str]:
    """Everything wrong with the weights, ids and design variables, one line per variable."""
    problems = []
    ids = frame["respondent_id"] if "respondent_id" in frame else pd.Series(pd.NA, index=frame.index)
    if "weight" in frame:
        weight = frame["weight"]
        found = []
        for what, bad in [
            ("missing", weight.isna()),
            ("infinite", pd.Series(np.isinf(weight), index=weight.index)),
            ("zero", weight == 0),
            ("negative", weight < 0),
        ]:
            if bad.any():
                found.append(f"{int(bad.sum())} {what} ({_examples(ids, bad)})")
        if found:
            problems.append(f"wave '{wave}': weight variable '{sources['weight']}' in {path} must be positive and "
                            "finite: " + "; ".join(found))
    if "respondent_id" in frame:
        empty = ids.isna()
        if empty.any():
            rows = ", ".join(str(i + 1) for i in np.flatnonzero(empty.to_numpy(bool))[:3])
            problems.append(f"wave '{wave}': id variable '{sources['respondent_id']}' is missing for "
                            f"{int(empty.sum())} respondent(s) in {path} (rows {rows})")
        duplicated = ids[ids.duplicated(keep=False) & ids.notna()]
        if len(duplicated):
            problems.append(
                f"wave '{wave}': id variable '{sources['respondent_id']}' in {path} has duplicate ids "
                f"({duplicated.nunique()} ids, e.g. {', '.join(str(i) for i in duplicated.unique()[:3])})"
            )
    for name in ("stratum", "psu", "fpc"):
        if name in frame and frame[name].isna().any():
            problems.append(f"wave '{wave}': design variable '{sources[name]}' ({name}) is missing for "
                            f"{int(frame[name].isna().sum())} respondent(s) in {path}")
    return problems


def harmonize(
    data: pd.DataFrame,
    info: SavInfo,
    specs: Sequence[ColumnSpec],
    variables: Mapping[str, Any],
    wave: str,
    path: Path,
) -> tuple[pd.DataFrame, _Harmonizer]:
    """Canonical columns from the file's columns, per the wave's specs; problems are collected, not raised."""
    harmonizer = _Harmonizer(data, info, variables, wave, path)
    frame = pd.DataFrame({s.canonical: harmonizer.column(s) for s in specs}, index=data.index)
    harmonizer.problems += design_problems(frame, {s.canonical: s.source for s in specs}, wave, path)
    return frame, harmonizer


def _labels(info: SavInfo, specs: Sequence[ColumnSpec], variables: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "file_label": info.file_label,
        "variables": {
            s.canonical: {
                "source": s.source,
                "source_label": info.variables[s.source].label,
                "label_fi": variables.get(s.canonical, {}).get("label_fi"),
                "label_en": variables.get(s.canonical, {}).get("label_en"),
                "source_value_labels": {
                    str(_code_label(k, {}) if isinstance(k, float) else k): v
                    for k, v in info.variables[s.source].value_labels.items()
                },
                "user_missing": list(info.variables[s.source].missing),
            }
            for s in specs
        },
    }


def _checksum_problem(wave: str, path: Path, expected: Any, digest: str) -> list[str]:
    if not expected or str(expected).lower() == digest:
        return []
    return [f"wave '{wave}': {path} is not the file the manifest in config names: its sha256 is {digest[:16]}…, "
            f"config says {str(expected)[:16]}… (a changed or replaced file; if it is the right one, run "
            "`ath-analysis manifest`)"]


def _rows_problem(wave: str, path: Path, expected: Any, rows: int) -> list[str]:
    if expected is None or rows == int(expected):
        return []
    return [f"wave '{wave}': {path} holds {_count(rows)} cases, the manifest in config says {_count(int(expected))} "
            "(a truncated or changed file?)"]


def _read_mapped(path: str, encoding: str | None, where: str, sources: list[str]
                 ) -> tuple[SavInfo, pd.DataFrame | None, str | None]:
    """In the reader's child process: the dictionary, then, when every source is in it, only those columns."""
    info = load_info(path, encoding, where)
    if any(source not in info.variables for source in sources):
        return info, None, None
    try:
        return info, load_columns(path, sources, info, encoding, where), None
    except DataError as exc:  # the header's case count is wrong: the dictionary can still be checked
        return info, None, str(exc)


@dataclass
class _Checked:
    """A wave's file read and harmonized as far as it goes, with everything found on the way."""

    path: Path
    sha256: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    info: SavInfo | None = None
    data: pd.DataFrame | None = None
    frame: pd.DataFrame | None = None
    harmonizer: _Harmonizer | None = None


def _check(path: Path, wave: str, wave_config: Mapping[str, Any], specs: Sequence[ColumnSpec],
           variables: Mapping[str, Any]) -> _Checked:
    where = f"wave '{wave}': "
    encoding = wave_config.get("encoding")
    check_spss_file(path, where)
    check_encoding_name(encoding, where)
    sources = list(dict.fromkeys(s.source for s in specs))
    # one child process reads the dictionary, then the mapped columns; an unreadable file stops here
    info, data, read_problem = run_isolated(_read_mapped, str(path), encoding, where, sources, path=path,
                                            where=where)
    checked = _Checked(path, sha256_of(path), info=info)
    checked.problems += _checksum_problem(wave, path, wave_config.get("sha256"), checked.sha256)
    checked.problems += mapping_problems(info, specs, variables, wave, path)
    if read_problem:
        checked.problems.append(read_problem)
    if data is None:
        return checked
    checked.data = data
    checked.problems += _rows_problem(wave, path, wave_config.get("expected_rows"), len(data))
    if len(data) == 0:
        checked.problems.append(f"wave '{wave}': {path} holds no respondents (0 cases)")
        return checked
    usable = [s for s in specs if not info.variables[s.source].is_date]
    frame, harmonizer = harmonize(data, info, usable, variables, wave, path)
    checked.frame, checked.harmonizer = frame, harmonizer
    checked.problems += harmonizer.problems
    checked.warnings += harmonizer.warnings
    texts = [info.file_label or ""] + [info.variables[s].label or "" for s in sources]
    texts += [label for s in sources for label in info.variables[s].value_labels.values()]
    texts += [t for s in sources if info.variables[s].kind == "string" for t in pd.unique(data[s].dropna())]
    garbled = mojibake_warning(texts, info)
    if garbled:
        checked.warnings.append(garbled)
    return checked


def _one_error(problems: Sequence[str], wave: str, path: Path) -> DataError:
    if len(problems) == 1:
        return DataError(problems[0])
    return DataError(f"wave '{wave}': {len(problems)} problems in {path}:\n  " + "\n  ".join(problems))


def check_wave_file(
    path: str | Path,
    wave: str,
    specs: Sequence[ColumnSpec],
    variables: Mapping[str, Any],
    wave_config: Mapping[str, Any] | None = None,
    min_age: int = 20,
) -> tuple[list[str], list[str]]:
    """(problems, warnings) ingest would find in one wave's file, all at once and in ingest's words.

    Reads the dictionary and the mapped columns only. `wave_config` may carry `encoding`, `expected_rows`
    and `sha256` (the wave's entry in config.yaml).
    """
    path = Path(path)
    wave_config = wave_config or {}
    try:
        checked = _check(path, wave, wave_config, specs, variables)
    except DataError as exc:
        return [str(exc)], []
    problems = list(checked.problems)
    if not problems and checked.frame is not None:
        problems += _population_problems(checked.frame, wave, path, min_age)[1]
    return problems, [f"wave '{wave}': {w}" for w in checked.warnings]


def _population_problems(frame: pd.DataFrame, wave: str, path: Path, min_age: int
                         ) -> tuple[tuple[pd.Series, dict[str, int]], list[str]]:
    """(rows to keep, excluded by reason) and the problem when no respondent is left."""
    excluded: dict[str, int] = {}
    keep = pd.Series(True, index=frame.index)
    if "age" in frame:
        reasons = {
            "age missing": frame["age"].isna(),
            f"age under {min_age}": frame["age"] < min_age,
        }
        for reason, mask in reasons.items():
            excluded[reason] = int((mask & keep).sum())
            keep &= ~mask
    problems = []
    if not keep.any():
        why = ", ".join(f"{reason}: {n}" for reason, n in excluded.items() if n)
        problems.append(f"wave '{wave}': none of the {_count(len(frame))} respondents in {path} is in the survey "
                        f"population ({why})")
    return (keep, excluded), problems


def ingest_wave(
    path: str | Path,
    wave: str,
    wave_config: Mapping[str, Any],
    specs: Sequence[ColumnSpec],
    variables: Mapping[str, Any],
    min_age: int = 20,
) -> IngestResult:
    """Read and harmonize one wave; exclude only respondents outside the survey population (by age).

    `wave_config` is the wave's entry in config.yaml: `year` and `survey`, and optionally `encoding` (when the
    file's own encoding record is wrong), `expected_rows` and `sha256` (the data manifest). Every warning is
    logged (and kept in the audit); every problem is raised together in one DataError.
    """
    path = Path(path)
    checked = _check(path, wave, wave_config, specs, variables)
    if checked.problems:
        raise _one_error(checked.problems, wave, path)
    assert checked.frame is not None and checked.data is not None and checked.info is not None
    assert checked.harmonizer is not None
    frame, info = checked.frame, checked.info
    (keep, excluded), problems = _population_problems(frame, wave, path, min_age)
    if problems:
        raise _one_error(problems, wave, path)
    for warning in checked.warnings:
        logger.warning("wave '%s': %s", wave, warning)
    respondents = frame.loc[keep].reset_index(drop=True)
    respondents.insert(0, "wave", wave)
    respondents.insert(1, "year", int(wave_config["year"]))
    audit = {
        "wave": wave,
        "survey": wave_config.get("survey"),
        "year": int(wave_config["year"]),
        "file": str(path),
        "sha256": checked.sha256,
        "file_label": info.file_label,
        "encoding": info.encoding,
        "rows_read": len(checked.data),
        "rows_kept": len(respondents),
        "excluded": excluded,
        "user_missing": checked.harmonizer.user_missing,
        "item_missing": {c: int(respondents[c].isna().sum()) for c in respondents.columns
                         if respondents[c].isna().any()},
        "warnings": checked.warnings,
    }
    return IngestResult(respondents, _labels(info, specs, variables), audit)


def write_ingest(result: IngestResult, respondents_path: Path, labels_path: Path, audit_path: Path) -> None:
    """Write the three ingest outputs together (all or nothing)."""
    with atomic_outputs(respondents_path, labels_path, audit_path) as (resp_tmp, labels_tmp, audit_tmp):
        result.respondents.to_parquet(resp_tmp, index=False)
        labels_tmp.write_text(json.dumps(result.labels, ensure_ascii=False, indent=2, default=str) + "\n")
        audit_tmp.write_text(json.dumps(result.audit, ensure_ascii=False, indent=2) + "\n")
