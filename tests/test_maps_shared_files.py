"""Nothing from the shared reference collection is committed: the national register's files and boundary maps
(../shared/reference/finland) and the real SPSS fixtures (../shared/realsav) are read in place, never copied
into the repository. A tracked file is refused when its name or its content (sha256) is one of theirs."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from .conftest import ROOT

SHARED_PARTS = ("reference/finland", "realsav")
GENERIC_NAMES = {"README.md", "LICENSE", "LICENSE.md"}  # names every folder may have: compared by content only
# the collection's data files by name, for a checkout without ../shared beside it (see shared_directory)
KNOWN_NAMES = {
    "finland_municipalities_2013_2026.csv", "abolished_municipalities.csv", "municipality_population_sotkanet.csv",
    "postal_area_population_2022.csv", "municipality_boundaries_2023.geojson", "municipality_boundaries_2013.geojson",
    "region_boundaries_2023.geojson", "postal_area_boundaries.geojson", "ESS5RU.sav", "bes_survey_extract.sav",
}


def shared_directory() -> Path | None:
    """`$ATH_SHARED` (as the register tests), ../shared beside the checkout (CI, the main checkout), or beside a
    worktree's parent folder."""
    candidates = [os.environ.get("ATH_SHARED"), ROOT.parent / "shared", ROOT.parent.parent / "shared"]
    for candidate in candidates:
        if candidate and all((Path(candidate) / part).is_dir() for part in SHARED_PARTS):
            return Path(candidate)
    return None


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in listed.decode("utf-8").split("\0") if name]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shared_files(shared: Path) -> list[Path]:
    return [p for part in SHARED_PARTS for p in sorted((shared / part).rglob("*")) if p.is_file()]


def offenders(tracked: list[Path], names: set[str], hashes: dict[str, str], root: Path = ROOT) -> list[str]:
    found = []
    for path in tracked:
        if not path.is_file():
            continue  # deleted in the work tree, not yet committed
        if path.name in names and path.name not in GENERIC_NAMES:
            found.append(f"{path.relative_to(root)} (named like a shared file)")
        digest = sha256(path)
        if digest in hashes:
            found.append(f"{path.relative_to(root)} (same content as {hashes[digest]})")
    return found


def test_no_tracked_file_comes_from_the_shared_reference_collection():
    tracked = tracked_files()
    assert len(tracked) > 50  # the listing worked
    shared = shared_directory()
    names = set(KNOWN_NAMES)
    hashes: dict[str, str] = {}
    if shared is not None:
        files = shared_files(shared)
        assert any(p.suffix == ".geojson" for p in files) and any(p.suffix == ".sav" for p in files)
        names |= {p.name for p in files}
        hashes = {sha256(p): str(p.relative_to(shared)) for p in files}
    assert offenders(tracked, names, hashes) == []


def test_the_check_finds_a_renamed_copy_and_a_changed_copy(tmp_path):
    shared = tmp_path / "shared" / "reference" / "finland"
    shared.mkdir(parents=True)
    original = shared / "postal_area_boundaries.geojson"
    original.write_bytes(b'{"type": "FeatureCollection", "features": []}')
    (shared / "README.md").write_text("# reference\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "tests" / "data").mkdir(parents=True)
    renamed = repo / "tests" / "data" / "kartta.json"
    renamed.write_bytes(original.read_bytes())
    changed = repo / "tests" / "data" / "postal_area_boundaries.geojson"
    changed.write_text("{}", encoding="utf-8")
    readme = repo / "README.md"
    readme.write_text("# the project\n", encoding="utf-8")
    files = [original, shared / "README.md"]
    names = {p.name for p in files}
    hashes = {sha256(p): p.name for p in files}
    assert offenders([renamed, changed, readme], names, hashes, repo) == [
        "tests/data/kartta.json (same content as postal_area_boundaries.geojson)",
        "tests/data/postal_area_boundaries.geojson (named like a shared file)",
    ]
