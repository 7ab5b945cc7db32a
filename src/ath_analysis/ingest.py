"""Ingest: one wave's `.sav` → harmonized respondents, their labels, and an audit of what happened.

User-missing codes ("en osaa sanoa", "ei vastausta") become missing with the reason counted; codes outside
an item's valid values become missing with a warning; design variables that would make estimates wrong
(bad weights, duplicate ids) stop the run. Rows read always equal rows kept plus rows excluded by reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from ath_analysis.atomic import atomic_outputs
from ath_analysis.errors import DataError, close_matches
from ath_analysis.harmonization import ColumnSpec

SAV_MAGIC = (b"$FL2", b"$FL3")
STRING_TYPES = {"id", "design", "code"}


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


def read_sav(path: str | Path, wave: str | None = None) -> tuple[pd.DataFrame, Any]:
    """Read a `.sav` with user-missing codes kept, or fail with a message that names the wave and file."""
    path = Path(path)
    where = f"wave '{wave}': " if wave else ""
    if not path.is_file():
        raise DataError(f"{where}data file {path} not found")
    with open(path, "rb") as handle:
        head = handle.read(4)
    if not head:
        raise DataError(f"{where}data file {path} is empty")
    if head not in SAV_MAGIC:
        raise DataError(
            f"{where}{path} is not an SPSS .sav file (it starts with {head!r}, not '$FL2'); "
            "export the data from SPSS as .sav"
        )
    try:
        return pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises several types for damaged files
        raise DataError(f"{where}cannot read {path}: {exc} (is the file truncated or corrupt?)") from None


def user_missing_mask(values: pd.Series, ranges: Sequence[Mapping[str, Any]]) -> np.ndarray:
    mask = np.zeros(len(values), dtype=bool)
    numeric = pd.api.types.is_numeric_dtype(values)
    for r in ranges:
        if numeric:
            mask |= ((values >= r["lo"]) & (values <= r["hi"])).to_numpy(bool)
        else:
            mask |= (values.astype(str) == str(r["lo"])).to_numpy(bool)
    return mask


def _code_label(code: Any, labels: Mapping[Any, str]) -> str:
    shown = int(code) if isinstance(code, float) and code.is_integer() else code
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


class _Harmonizer:
    """Builds the canonical frame column by column, collecting the audit as it goes."""

    def __init__(self, data: pd.DataFrame, meta: Any, variables: Mapping[str, Any], wave: str, path: Path):
        self.data, self.meta, self.variables, self.wave, self.path = data, meta, variables, wave, path
        self.user_missing: dict[str, dict[str, int]] = {}
        self.warnings: list[str] = []

    def column(self, spec: ColumnSpec) -> pd.Series:
        values = self.data[spec.source]
        labels = self.meta.variable_value_labels.get(spec.source, {})
        ranges = list(self.meta.missing_ranges.get(spec.source, []))
        ranges += [{"lo": c, "hi": c} for c in spec.missing]
        mask = user_missing_mask(values, ranges)
        if mask.any():
            counts = values[mask].value_counts()
            self.user_missing[spec.canonical] = {_code_label(k, labels): int(v) for k, v in counts.items()}
            values = values.mask(mask)
        values = _recode(values, spec.recode)
        kind = self.variables.get(spec.canonical, {}).get("type", "design")
        if kind in STRING_TYPES:
            return _as_text(values, spec.zero_pad)
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() & values.notna()
        if bad.any():
            raise DataError(
                f"wave '{self.wave}': variable '{spec.source}' ({spec.canonical}) in {self.path} has "
                f"non-numeric values, e.g. {values[bad].iloc[0]!r}; check its recode in the harmonization"
            )
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
            self.warnings.append(
                f"variable '{spec.source}' ({spec.canonical}): {int(outside.sum())} value(s) outside the valid "
                f"codes set to missing ({shown})"
            )
            numbers = numbers.mask(outside)
        return numbers


def _check_design(frame: pd.DataFrame, sources: Mapping[str, str], wave: str, path: Path) -> None:
    weight, ids = frame["weight"], frame["respondent_id"]
    problems = []
    for what, bad in [
        ("missing", weight.isna()),
        ("infinite", np.isinf(weight)),
        ("zero", weight == 0),
        ("negative", weight < 0),
    ]:
        if bad.any():
            examples = ", ".join(ids[bad].astype(str).head(3))
            problems.append(f"{int(bad.sum())} {what} (respondents {examples})")
    if problems:
        raise DataError(
            f"wave '{wave}': weight variable '{sources['weight']}' in {path} must be positive and finite: "
            + "; ".join(problems)
        )
    if ids.isna().any():
        raise DataError(f"wave '{wave}': id variable '{sources['respondent_id']}' is missing for "
                        f"{int(ids.isna().sum())} respondent(s) in {path}")
    duplicated = ids[ids.duplicated(keep=False)]
    if len(duplicated):
        raise DataError(
            f"wave '{wave}': id variable '{sources['respondent_id']}' in {path} has duplicate ids "
            f"({duplicated.nunique()} ids, e.g. {', '.join(duplicated.unique()[:3])})"
        )
    for name in ("stratum", "psu", "fpc"):
        if name in frame and frame[name].isna().any():
            raise DataError(f"wave '{wave}': design variable '{sources[name]}' ({name}) is missing for "
                            f"{int(frame[name].isna().sum())} respondent(s) in {path}")


def harmonize(
    data: pd.DataFrame,
    meta: Any,
    specs: Sequence[ColumnSpec],
    variables: Mapping[str, Any],
    wave: str,
    path: Path,
) -> tuple[pd.DataFrame, _Harmonizer]:
    """Canonical columns from the file's columns, per the wave's specs."""
    absent = [s for s in specs if s.source not in data.columns]
    if absent:
        lines = [
            f"variable '{s.source}' (for {s.canonical}) is not in the file{close_matches(s.source, data.columns)}"
            for s in absent
        ]
        raise DataError(f"wave '{wave}': {path}:\n  " + "\n  ".join(lines))
    harmonizer = _Harmonizer(data, meta, variables, wave, path)
    frame = pd.DataFrame({s.canonical: harmonizer.column(s) for s in specs})
    _check_design(frame, {s.canonical: s.source for s in specs}, wave, path)
    return frame, harmonizer


def _labels(meta: Any, specs: Sequence[ColumnSpec], variables: Mapping[str, Any]) -> dict[str, Any]:
    column_labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    return {
        "file_label": meta.file_label,
        "variables": {
            s.canonical: {
                "source": s.source,
                "source_label": column_labels.get(s.source),
                "label_fi": variables.get(s.canonical, {}).get("label_fi"),
                "label_en": variables.get(s.canonical, {}).get("label_en"),
                "source_value_labels": {
                    str(_code_label(k, {}) if isinstance(k, float) else k): v
                    for k, v in meta.variable_value_labels.get(s.source, {}).items()
                },
                "user_missing": meta.missing_ranges.get(s.source, []),
            }
            for s in specs
        },
    }


def ingest_wave(
    path: str | Path,
    wave: str,
    wave_config: Mapping[str, Any],
    specs: Sequence[ColumnSpec],
    variables: Mapping[str, Any],
    min_age: int = 20,
) -> IngestResult:
    """Read and harmonize one wave; exclude only respondents outside the survey population (by age)."""
    path = Path(path)
    data, meta = read_sav(path, wave)
    frame, harmonizer = harmonize(data, meta, specs, variables, wave, path)
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
    respondents = frame.loc[keep].reset_index(drop=True)
    respondents.insert(0, "wave", wave)
    respondents.insert(1, "year", int(wave_config["year"]))
    audit = {
        "wave": wave,
        "survey": wave_config.get("survey"),
        "year": int(wave_config["year"]),
        "file": str(path),
        "sha256": sha256_of(path),
        "file_label": meta.file_label,
        "rows_read": len(data),
        "rows_kept": len(respondents),
        "excluded": excluded,
        "user_missing": harmonizer.user_missing,
        "item_missing": {c: int(respondents[c].isna().sum()) for c in respondents.columns
                         if respondents[c].isna().any()},
        "warnings": harmonizer.warnings,
    }
    return IngestResult(respondents, _labels(meta, specs, variables), audit)


def write_ingest(result: IngestResult, respondents_path: Path, labels_path: Path, audit_path: Path) -> None:
    """Write the three ingest outputs together (all or nothing)."""
    with atomic_outputs(respondents_path, labels_path, audit_path) as (resp_tmp, labels_tmp, audit_tmp):
        result.respondents.to_parquet(resp_tmp, index=False)
        labels_tmp.write_text(json.dumps(result.labels, ensure_ascii=False, indent=2, default=str) + "\n")
        audit_tmp.write_text(json.dumps(result.audit, ensure_ascii=False, indent=2) + "\n")
