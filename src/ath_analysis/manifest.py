"""The data manifest: each wave file's case count and sha256, kept in config.yaml beside the file's path.

With `expected_rows` and `sha256` in a wave's entry, ingest (and `ath-analysis validate`) refuse a file that
was replaced, re-exported or truncated instead of analysing it quietly. `ath-analysis manifest` records them
for the files as they are now; the config file is edited in place, line by line, so its comments stay.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ath_analysis.atomic import atomic_outputs
from ath_analysis.config import load_config
from ath_analysis.errors import ConfigError, close_matches
from ath_analysis.ingest import sha256_of
from ath_analysis.savfile import read_columns, read_info
from ath_analysis.yaml_files import read_yaml

KEYS = ("expected_rows", "sha256")


def manifest_entries(config_path: str | Path, waves: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """{wave: {expected_rows, sha256}} of the files the config names (the cases are counted, not taken from
    the header, and a header that disagrees is an error)."""
    config = load_config(config_path)
    if config["data"]["synthetic"]:
        raise ConfigError(f"{config_path}: data.synthetic is true: synthetic waves are written anew by every run, "
                          "so a manifest would not hold; set data.synthetic: false and list your real files first")
    names = list(waves or config["waves"])
    unknown = [w for w in names if w not in config["waves"]]
    if unknown:
        hint = close_matches(unknown[0], config["waves"])
        raise ConfigError(f"{config_path}: no wave '{unknown[0]}' under waves{hint}")
    entries = {}
    for wave in names:
        wave_config = config["waves"][wave]
        path, where = Path(wave_config["file"]), f"wave '{wave}': "
        info = read_info(path, wave_config.get("encoding"), where)
        first = next(iter(info.variables))
        rows = len(read_columns(path, [first], info, wave_config.get("encoding"), where))
        entries[wave] = {"expected_rows": rows, "sha256": sha256_of(path)}
    return entries


def manifest_yaml(entries: Mapping[str, Mapping[str, Any]]) -> str:
    """The entries as the lines to put under `waves:` in config.yaml."""
    lines = ["waves:"]
    for wave, entry in entries.items():
        lines += [f"  {wave}:", f"    expected_rows: {entry['expected_rows']}", f"    sha256: \"{entry['sha256']}\""]
    return "\n".join(lines)


class _CannotEdit(Exception):
    pass


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _set_keys(lines: list[str], wave: str, values: Mapping[str, Any]) -> list[str]:
    """`lines` with `values` set in the block-style entry of `wave` under the top-level `waves:`."""
    top = next((i for i, line in enumerate(lines) if re.match(r"waves:\s*(#.*)?$", line.rstrip("\n"))), None)
    if top is None:
        raise _CannotEdit
    end = next((i for i in range(top + 1, len(lines)) if _content(lines[i]) and _indent(lines[i]) == 0), len(lines))
    head = next((i for i in range(top + 1, end)
                 if re.match(rf"\s+{re.escape(wave)}:\s*(#.*)?$", lines[i].rstrip("\n"))), None)
    if head is None:
        raise _CannotEdit
    wave_indent = _indent(lines[head])
    body_end = next((i for i in range(head + 1, end) if _content(lines[i]) and _indent(lines[i]) <= wave_indent),
                    end)
    body = [i for i in range(head + 1, body_end) if _content(lines[i])]
    if not body:
        raise _CannotEdit
    indent = " " * _indent(lines[body[0]])
    out = list(lines)
    insert_at = body[-1] + 1
    for key, value in values.items():
        text = f'{indent}{key}: "{value}"\n' if isinstance(value, str) else f"{indent}{key}: {value}\n"
        existing = next((i for i in body if re.match(rf"{indent}{key}:", out[i])
                         and _indent(out[i]) == len(indent)), None)
        if existing is not None:
            out[existing] = text
        else:
            out.insert(insert_at, text)
            insert_at += 1
    return out


def write_manifest(config_path: str | Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    """Set `expected_rows` and `sha256` of each wave in the config file, keeping everything else as it is."""
    path = Path(config_path)
    text = path.read_text(encoding="utf-8")
    before = read_yaml(path)
    expected = copy.deepcopy(before)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    try:
        for wave, entry in entries.items():
            values = {k: entry[k] for k in KEYS}
            lines = _set_keys(lines, wave, values)
            expected["waves"][wave].update(values)
        if yaml.safe_load("".join(lines)) != expected:
            raise _CannotEdit
    except _CannotEdit:
        raise ConfigError(f"{path}: could not place the manifest automatically (waves written in flow style?); "
                          f"add these lines to it:\n{manifest_yaml(entries)}") from None
    with atomic_outputs(path) as (tmp,):
        tmp.write_text("".join(lines), encoding="utf-8")
        tmp.chmod(path.stat().st_mode)
