"""What an analyst needs to know about a `.sav` before writing harmonization or an indicator.

Variables, their labels, value labels, user-missing codes and how often each code occurs. Nothing is cut
silently: codes that occur come first, with their counts, then the labelled codes that do not occur, and
the text rendering says how many it leaves out. Dates are shown as dates; multiple-response sets are
listed. The whole description is computed in the reader's child process (`ath_analysis.savfile`), so a
file that crashes the reader is a message, and only the description crosses back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.ingest import user_missing_mask
from ath_analysis.savfile import (
    SavInfo,
    Variable,
    check_encoding_name,
    check_spss_file,
    load_columns,
    load_info,
    mojibake_warning,
    run_isolated,
    spss_seconds_to_datetime,
)

MAX_CODES_SHOWN = 20  # a variable with at most this many distinct values is listed code by code
MAX_OCCURRING_SHOWN = 40  # text output: codes that occur, then "… N more"
MAX_UNUSED_SHOWN = 10  # text output: labelled codes that do not occur, then "… N more"


def _code(value: Any) -> Any:
    """A code as JSON shows it: 3 not 3.0; text as it is."""
    if isinstance(value, float | np.floating):
        value = float(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, np.integer):
        return int(value)
    return value


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _label_of(labels: Mapping[Any, str], code: Any) -> str | None:
    return labels.get(code, labels.get(_code(code)))


def _missing_entries(values: pd.Series, variable: Variable) -> list[dict[str, Any]]:
    entries = []
    for r in variable.missing:
        mask = user_missing_mask(values, [r])
        entry: dict[str, Any] = {
            "code": _code(r["lo"]) if r["lo"] == r["hi"] else f"{_code(r['lo'])}–{_code(r['hi'])}",
            "label": _label_of(variable.value_labels, r["lo"]) if r["lo"] == r["hi"] else None,
            "n": int(mask.sum()),
        }
        if r["lo"] != r["hi"]:  # a range: name the labelled codes inside it, with their counts
            inside = [k for k in variable.value_labels if isinstance(k, int | float) and r["lo"] <= k <= r["hi"]]
            counts = values[mask].value_counts()
            entry["labels"] = [{"code": _code(k), "label": variable.value_labels[k], "n": int(counts.get(k, 0))}
                               for k in sorted(inside)]
        entries.append(entry)
    return entries


def _sort_key(code: Any) -> tuple[int, Any]:
    return (0, code) if isinstance(code, int | float) else (1, str(code))


def _codes(values: pd.Series, variable: Variable, missing: np.ndarray) -> dict[str, Any]:
    """Codes that occur (with counts), then labelled codes that do not, each marked if user-missing."""
    counts = values.value_counts(dropna=True)
    if not pd.api.types.is_numeric_dtype(values):
        counts = counts[counts.index != ""]
    missing_codes = set(values[missing].unique())
    occurring = [
        {"code": _code(k), "label": _label_of(variable.value_labels, k), "n": int(n),
         **({"missing": True} if k in missing_codes else {})}
        for k, n in sorted(counts.items(), key=lambda kv: _sort_key(kv[0]))
    ]
    seen = {_code(k) for k in counts.index}
    unused = [
        {"code": _code(k), "label": label, "n": 0,
         **({"missing": True} if user_missing_mask(pd.Series([k]), variable.missing).any() else {})}
        for k, label in sorted(variable.value_labels.items(), key=lambda kv: _sort_key(kv[0]))
        if _code(k) not in seen
    ]
    return {"codes": occurring + unused, "n_codes_occurring": len(occurring), "n_labelled_unused": len(unused)}


def _dates(values: pd.Series, variable: Variable) -> dict[str, Any]:
    present = values.dropna()
    if variable.kind == "time":
        return {"min_seconds": _code(float(present.min())), "max_seconds": _code(float(present.max()))} \
            if len(present) else {}
    stamps, valid = spss_seconds_to_datetime(present.to_numpy())
    unit = "D" if variable.kind == "date" else "s"
    out: dict[str, Any] = {}
    if valid.any():
        out["min"] = str(stamps[valid].min().astype(f"datetime64[{unit}]"))
        out["max"] = str(stamps[valid].max().astype(f"datetime64[{unit}]"))
    if (~valid).any():
        out["n_out_of_range"] = int((~valid).sum())
        out["out_of_range_values"] = [_code(float(v)) for v in np.unique(present.to_numpy()[~valid])[:5]]
    return out


def describe_variable(values: pd.Series, variable: Variable) -> dict[str, Any]:
    """The description of one variable from its values and dictionary entry."""
    numeric = pd.api.types.is_numeric_dtype(values)
    user_missing = user_missing_mask(values, variable.missing)
    blank = values.isna().to_numpy() if numeric else (values.isna() | (values == "")).to_numpy()
    valid = ~blank & ~user_missing
    entry: dict[str, Any] = {
        "name": variable.name,
        "label": variable.label,
        "type": variable.kind,
        "format": variable.format,
        "n_valid": int(valid.sum()),
        "n_user_missing": int(user_missing.sum()),
        "n_system_missing": int(blank.sum()),
        "user_missing_codes": _missing_entries(values, variable),
    }
    real_labels = [k for k in variable.value_labels
                   if not user_missing_mask(pd.Series([k]), variable.missing).any()]
    if variable.is_date:
        entry["dates"] = _dates(values[valid], variable)
        if variable.value_labels:  # labelled codes of a date variable ("not known" ...): listed as codes
            labelled = values.isin(list(variable.value_labels)).to_numpy() | user_missing
            entry.update(_codes(values[labelled], variable, user_missing[labelled]))
        return entry
    distinct = values[valid].nunique()
    if real_labels or distinct <= MAX_CODES_SHOWN:
        entry.update(_codes(values, variable, user_missing))
    elif not numeric:
        counts = values[valid].value_counts()
        entry["n_distinct"] = int(distinct)
        entry["most_common"] = [{"value": k, "n": int(n)} for k, n in counts.head(5).items()]
    if numeric and valid.any() and not real_labels:
        shown = values[valid].astype(float)
        entry["summary"] = {"min": _code(float(shown.min())), "max": _code(float(shown.max())),
                            "mean": _finite(round(float(shown.mean()), 3))}
    if variable.value_labels and not real_labels and "codes" not in entry:
        entry.update(_codes(values[user_missing], variable, user_missing[user_missing]))
    return entry


def _mr_sets(info: SavInfo) -> list[dict[str, Any]]:
    sets = []
    for name, spec in info.mr_sets.items():
        dichotomy = bool(spec.get("is_dichotomy")) or spec.get("type") == "D"
        sets.append({
            "name": f"${name}" if not str(name).startswith("$") else str(name),
            "label": spec.get("label") or None,
            "type": "dichotomy" if dichotomy else "category",
            "counted_value": _code(spec.get("counted_value")) if dichotomy else None,
            "variables": list(spec.get("variable_list") or []),
        })
    return sets


def _describe_here(path: str, encoding: str | None) -> dict[str, Any]:
    """The whole description, computed where the file is read (the child process): the data never cross."""
    info = load_info(path, encoding)
    data = load_columns(path, None, info, encoding)
    variables = [describe_variable(data[name], variable) for name, variable in info.variables.items()]
    texts = [info.file_label or ""] + [v.label or "" for v in info.variables.values()]
    texts += [label for v in info.variables.values() for label in v.value_labels.values()]
    texts += [t for v in info.variables.values() if v.kind == "string" for t in pd.unique(data[v.name].dropna())]
    warning = mojibake_warning(texts, info)
    return {
        "file": path,
        "format": info.format,
        "encoding": info.encoding,
        "claimed_encoding": info.claimed_encoding,
        "file_label": info.file_label,
        "rows": len(data),
        "variables": variables,
        "mr_sets": _mr_sets(info),
        "warnings": [warning] if warning else [],
    }


def describe_sav(path: str | Path, encoding: str | None = None) -> dict[str, Any]:
    """A structured description of every variable in a `.sav`/`.zsav` (labels, codes, counts, missing values,
    dates, multiple-response sets); plain JSON types only, no NaN."""
    path = Path(path)
    check_spss_file(path)
    check_encoding_name(encoding)
    return run_isolated(_describe_here, str(path), encoding, path=path)


def _code_line(code: Mapping[str, Any]) -> str:
    shown = repr(code["code"]) if isinstance(code["code"], str) else str(code["code"])
    label = (code["label"] or "") + (" (user-missing)" if code.get("missing") else "")
    return f"    {shown:>8} {label:<45} {code['n']:>7}"


def format_description(description: dict[str, Any]) -> str:
    """Plain-text rendering of `describe_sav` for the terminal; it says what it leaves out."""
    lines = [f"{description['file']}: {description['rows']} rows, {len(description['variables'])} variables"]
    if description.get("encoding"):
        claimed = description.get("claimed_encoding")
        said = f" (the file claims {claimed})" if claimed and claimed.upper() != str(description["encoding"]).upper() \
            else ""
        lines.append(f"encoding: {description['encoding']}{said}")
    if description["file_label"]:
        lines.append(f"file label: {description['file_label']}")
    for warning in description.get("warnings", []):
        lines.append(f"warning: {warning}")
    for var in description["variables"]:
        lines.append("")
        lines.append(f"{var['name']}  [{var['type']}]  {var['label'] or ''}".rstrip())
        lines.append(f"    format {var['format']}; valid {var['n_valid']}, user-missing {var['n_user_missing']}, "
                     f"system-missing {var['n_system_missing']}")
        for um in var["user_missing_codes"]:
            inside = ""
            if um.get("labels"):
                inside = " (" + "; ".join(f"{c['code']} {c['label']}: {c['n']}" for c in um["labels"]) + ")"
            lines.append(f"    user-missing {um['code']} = {um['label'] or '(no label)'}: {um['n']}{inside}"
                         if not um.get("labels") else f"    user-missing {um['code']}: {um['n']}{inside}")
        if "dates" in var:
            dates = var["dates"]
            if "min" in dates:
                lines.append(f"    dates {dates['min']} … {dates['max']}")
            if "min_seconds" in dates:
                lines.append(f"    times {dates['min_seconds']} … {dates['max_seconds']} seconds")
            if dates.get("n_out_of_range"):
                lines.append(f"    {dates['n_out_of_range']} value(s) are not a calendar date (SPSS seconds "
                             f"{', '.join(str(v) for v in dates['out_of_range_values'])}): left as numbers")
        if "summary" in var:
            s = var["summary"]
            lines.append(f"    min {s['min']}, max {s['max']}, mean {s['mean']}")
        if "n_distinct" in var:
            common = ", ".join(f"{c['value']!r}: {c['n']}" for c in var["most_common"])
            lines.append(f"    {var['n_distinct']} distinct values; most common {common}")
        if "codes" in var:
            occurring = var["codes"][:var["n_codes_occurring"]]
            unused = var["codes"][var["n_codes_occurring"]:]
            for code in occurring[:MAX_OCCURRING_SHOWN]:
                lines.append(_code_line(code))
            if len(occurring) > MAX_OCCURRING_SHOWN:
                lines.append(f"    … {len(occurring) - MAX_OCCURRING_SHOWN} more codes that occur (--json lists all)")
            for code in unused[:MAX_UNUSED_SHOWN]:
                lines.append(_code_line(code))
            if len(unused) > MAX_UNUSED_SHOWN:
                lines.append(f"    … {len(unused) - MAX_UNUSED_SHOWN} more labelled codes that do not occur "
                             "(--json lists all)")
    if description.get("mr_sets"):
        lines.append("")
        lines.append("multiple-response sets:")
        for mr in description["mr_sets"]:
            counted = f", counted value {mr['counted_value']}" if mr["type"] == "dichotomy" else ""
            lines.append(f"  {mr['name']}  [{mr['type']}{counted}]  {mr['label'] or ''}: "
                         f"{', '.join(mr['variables'])}".rstrip())
    return "\n".join(lines)

