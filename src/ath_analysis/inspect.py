"""What an analyst needs to know about a `.sav` before writing harmonization or an indicator.

Variables, their labels, value labels, user-missing codes and how often each code occurs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ath_analysis.ingest import read_sav, user_missing_mask

MAX_CODES_SHOWN = 20


def _code(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def describe_sav(path: str | Path) -> dict[str, Any]:
    """A structured description of every variable in a `.sav` (labels, codes, counts, missing values)."""
    data, meta = read_sav(path)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    variables = []
    for name in meta.column_names:
        values = data[name]
        value_labels = meta.variable_value_labels.get(name, {})
        missing_ranges = meta.missing_ranges.get(name, [])
        numeric = pd.api.types.is_numeric_dtype(values)
        user_missing = user_missing_mask(values, missing_ranges)
        blank = values.isna() if numeric else (values.isna() | (values == ""))
        entry: dict[str, Any] = {
            "name": name,
            "label": labels.get(name),
            "type": "numeric" if numeric else "string",
            "n_valid": int((~blank & ~user_missing).sum()),
            "n_system_missing": int(blank.sum()),
            "user_missing_codes": [
                {
                    "code": _code(r["lo"]) if r["lo"] == r["hi"] else f"{_code(r['lo'])}–{_code(r['hi'])}",
                    "label": value_labels.get(r["lo"]),
                    "n": int(user_missing_mask(values, [r]).sum()),
                }
                for r in missing_ranges
            ],
        }
        if value_labels or (values.nunique() <= MAX_CODES_SHOWN and numeric):
            counts = values.value_counts(dropna=True).sort_index()
            entry["codes"] = [
                {"code": _code(k), "label": value_labels.get(k), "n": int(counts.get(k, 0))}
                for k in sorted(set(counts.index) | set(value_labels))
            ][:MAX_CODES_SHOWN * 3]
        elif numeric and values.notna().any():
            valid = values[~user_missing & ~blank]
            entry["summary"] = {"min": _code(float(valid.min())), "max": _code(float(valid.max())),
                                "mean": round(float(valid.mean()), 3)}
        variables.append(entry)
    return {"file": str(path), "file_label": meta.file_label, "rows": len(data), "variables": variables}


def format_description(description: dict[str, Any]) -> str:
    """Plain-text rendering of `describe_sav` for the terminal."""
    lines = [f"{description['file']}: {description['rows']} rows, {len(description['variables'])} variables"]
    if description["file_label"]:
        lines.append(f"file label: {description['file_label']}")
    for var in description["variables"]:
        lines.append("")
        lines.append(f"{var['name']}  [{var['type']}]  {var['label'] or ''}".rstrip())
        lines.append(f"    valid {var['n_valid']}, system-missing {var['n_system_missing']}")
        for um in var["user_missing_codes"]:
            lines.append(f"    user-missing {um['code']} = {um['label'] or '(no label)'}: {um['n']}")
        for code in var.get("codes", []):
            lines.append(f"    {code['code']!s:>8} {code['label'] or '':<45} {code['n']:>7}")
        if "summary" in var:
            s = var["summary"]
            lines.append(f"    min {s['min']}, max {s['max']}, mean {s['mean']}")
    return "\n".join(lines)
