"""Helpers for tests on SPSS files: altered copies of a `.sav`, the shared real-file corpus, and GNU PSPP.

Files from other projects (`../shared/realsav/`) are read in place: never copied into the repository. Copies
that a test alters are written to the test's tmp_path.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat

from ath_analysis.savfile import dictionary_records, header_fields

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared data of other projects: $ATH_SHARED, default `<repo root>/../shared`."""
    return Path(os.environ.get("ATH_SHARED") or ROOT.parent / "shared")


def realsav(name: str = "") -> Path:
    """A file of the real-world SPSS corpus (its folder when `name` is empty); it must be there."""
    folder = shared_dir() / "realsav"
    path = folder / name if name else folder
    assert path.exists(), f"{path} is missing: the real-file corpus is expected at $ATH_SHARED/realsav"
    return path


def rewrite_sav(source: Path, target: Path, change: Callable[[pd.DataFrame], pd.DataFrame], **write: Any) -> Path:
    """Copy `source` to `target` with `change` applied to the data, keeping labels and user-missing codes
    (`write` goes to pyreadstat.write_sav, e.g. compress=True for a .zsav)."""
    data, meta = pyreadstat.read_sav(str(source), user_missing=True)
    data = change(data.copy())
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    pyreadstat.write_sav(
        data,
        str(target),
        column_labels=[labels.get(c) or c for c in data.columns],
        variable_value_labels={k: v for k, v in meta.variable_value_labels.items() if k in data.columns},
        missing_ranges={k: v for k, v in meta.missing_ranges.items() if k in data.columns},
        file_label=meta.file_label,
        **write,
    )
    return target


def patch_bytes(source: Path, target: Path, offset: int, new: bytes) -> Path:
    """A copy of `source` with `new` written over the bytes at `offset`."""
    data = bytearray(source.read_bytes())
    data[offset:offset + len(new)] = new
    target.write_bytes(bytes(data))
    return target


def with_case_count(source: Path, target: Path, cases: int) -> Path:
    """A copy whose file header claims `cases` cases (the data are untouched)."""
    order = header_fields(source.read_bytes()[:176])["byte_order"]
    return patch_bytes(source, target, 80, struct.pack(order + "i", cases))


def with_encoding_record(source: Path, target: Path, encoding: str) -> Path:
    """A copy whose character-encoding record (extension 20) names `encoding`: the text bytes stay as they
    were, as in an old file whose encoding record is wrong. Only for uncompressed or bytecode .sav files."""
    data = source.read_bytes()
    record = next(r for r in dictionary_records(source) if r.type == 7 and r.subtype == 20)
    order = header_fields(data[:176])["byte_order"]
    name = encoding.encode("ascii")
    new = struct.pack(order + "4i", 7, 20, 1, len(name)) + name
    target.write_bytes(data[:record.start] + new + data[record.end:])
    return target


def crash_sav(source: Path, target: Path) -> Path:
    """A copy with one corrupt byte in a value-label record that makes ReadStat (pyreadstat 1.3) crash with
    SIGSEGV, even on a metadata-only read: the variable index of the first labels' variable list (record type 4)
    gets a high byte, so it points past every variable."""
    order = header_fields(source.read_bytes()[:176])["byte_order"]
    indices = next(r for r in dictionary_records(source) if r.type == 4)
    return patch_bytes(source, target, indices.payload + (3 if order == "<" else 0), b"\x40")


# --- GNU PSPP, the independent reader -------------------------------------------------------------------

def pspp() -> str:
    """The `pspp` program (Debian package pspp; CI installs it)."""
    found = shutil.which("pspp")
    assert found, "GNU PSPP is needed as the second reader: apt-get install -y pspp"
    return found


def pspp_dictionary(path: Path, workdir: Path, encoding: str | None = None) -> dict[str, dict[str, Any]]:
    """{variable: {label, format, missing, value_labels: {value text: (label, user-missing)}}} as GNU PSPP's
    DISPLAY DICTIONARY shows them (variable names and values, not labels, in its tables)."""
    syntax = workdir / "dictionary.sps"
    out = workdir / "dictionary.csv"
    get = f"GET FILE='{path}'" + (f" /ENCODING='{encoding}'" if encoding else "") + "."
    syntax.write_text(f"SET TVARS=NAMES TNUMBERS=VALUES.\n{get}\nDISPLAY DICTIONARY.\n", encoding="utf-8")
    subprocess.run([pspp(), "-O", "format=csv", str(syntax), "-o", str(out)], check=True, capture_output=True,
                   timeout=300)
    variables: dict[str, dict[str, Any]] = {}
    table, header, current = None, [], None
    for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8"))):
        if not row:
            continue
        if row[0].startswith("Table: "):
            table, header = row[0][len("Table: "):], []
            continue
        if row[0].startswith("Footnote"):
            continue
        if not header:  # PSPP leaves out the columns that are empty for every variable
            header = row
            continue
        if table == "Variables":
            cells = dict(zip(header, row, strict=False))
            variables[cells["Name"]] = {"label": cells.get("Label") or None, "format": cells["Print Format"],
                                        "missing": cells.get("Missing Values", ""), "value_labels": {}}
        elif table == "Value Labels":
            current = row[0] or current
            value, label = row[1], row[2]
            user_missing = value.endswith("[a]")
            variables[current]["value_labels"][value.removesuffix("[a]")] = (label, user_missing)
    return variables


def pspp_csv(path: Path, workdir: Path) -> pd.DataFrame:
    """The data as `pspp-convert` writes them to CSV (user-missing codes kept, values as text)."""
    converter = shutil.which("pspp-convert")
    assert converter, "GNU PSPP is needed as the second reader: apt-get install -y pspp"
    out = workdir / f"{path.stem}.csv"
    subprocess.run([converter, str(path), str(out)], check=True, capture_output=True, timeout=300)
    return pd.read_csv(out, dtype=str, keep_default_na=False)
