"""Where the numbers come from: input file hashes (from the audits), configuration hashes, result table
hashes, software versions, the git commit (when there is one) and the time the report was made.

Only the run time differs between two runs from the same inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ath_analysis.ingest import sha256_of

PACKAGES = ("ath-analysis", "numpy", "pandas", "pyarrow", "scipy", "statsmodels", "matplotlib", "pyreadstat",
            "snakemake", "jinja2", "openpyxl", "PyYAML", "jsonschema")


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit(directory: str | Path = ".") -> tuple[str | None, bool]:
    """(commit, has uncommitted changes) of the checkout, or (None, False) without git or a repository."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=directory,
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None, False
    return (commit or None), bool(status.strip())


@dataclass
class Provenance:
    inputs: list[dict[str, Any]]  # per wave: wave, file, sha256
    config_files: dict[str, str]  # path → sha256
    config_hash: str
    tables: dict[str, str]  # path → sha256
    software: dict[str, str]
    git: str | None
    git_dirty: bool
    made: str
    audits: list[dict[str, Any]] = field(default_factory=list)


SETTINGS_ENTRY = "(settings of this report)"


def read_audits(ingest_paths: Sequence[str | Path], geography_paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """Each wave's ingest audit with its geography audit under "geography"."""
    audits = []
    for ingest, geography in zip(ingest_paths, geography_paths, strict=True):
        audit = json.loads(Path(ingest).read_text(encoding="utf-8"))
        audit["geography"] = json.loads(Path(geography).read_text(encoding="utf-8"))
        audits.append(audit)
    return audits


def settings_digest(settings: Mapping[str, Any]) -> str:
    """sha256 of settings as canonical JSON (sorted keys), so equal settings give equal digests."""
    text = json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def collect(ingest_audits: Sequence[str | Path], geography_audits: Sequence[str | Path],
            config_files: Sequence[str | Path], tables: Sequence[str | Path],
            settings: Mapping[str, Any] | None = None, now: dt.datetime | None = None) -> Provenance:
    """Everything a researcher needs to trace the report's numbers back to files and software."""
    audits = read_audits(ingest_audits, geography_audits)
    inputs = [{"wave": a.get("wave"), "file": a.get("file"), "sha256": a.get("sha256")} for a in audits]
    files = {str(p): sha256_of(p) for p in sorted(dict.fromkeys(str(p) for p in config_files))}
    if settings is not None:
        files[SETTINGS_ENTRY] = settings_digest(settings)
    combined = hashlib.sha256("".join(f"{p}\0{h}\n" for p, h in files.items()).encode()).hexdigest()
    commit, dirty = git_commit()
    made = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Provenance(inputs=inputs, config_files=files, config_hash=combined,
                      tables={str(p): sha256_of(p) for p in tables if Path(p).is_file()},
                      software=package_versions(), git=commit, git_dirty=dirty, made=made, audits=audits)


def audit_rows(audits: Sequence[Mapping[str, Any]], waves: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per wave for the data audit table (rows read, excluded by reason, used, in region)."""
    rows = []
    for audit in audits:
        wave = str(audit.get("wave"))
        excluded = {k: int(v) for k, v in (audit.get("excluded") or {}).items()}
        geography = audit.get("geography") or {}
        rows.append({
            "wave": wave,
            "survey": audit.get("survey") or waves.get(wave, {}).get("survey", ""),
            "year": audit.get("year") or waves.get(wave, {}).get("year", ""),
            "fieldwork": waves.get(wave, {}).get("fieldwork_date", ""),
            "rows_read": audit.get("rows_read"),
            "excluded": excluded,
            "rows_kept": audit.get("rows_kept"),
            "in_region": geography.get("in_region"),
            "warnings": list(audit.get("warnings") or []),
        })
    return rows
