"""Helpers of the register tests: recorded HTTP sessions, the shared reference directory, a tiny valid layout."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "register"


def shared_dir() -> Path:
    """`$ATH_SHARED` or `<repo root>/../shared`: the other projects' files, read in place."""
    return Path(os.environ.get("ATH_SHARED") or ROOT.parent / "shared")


def shared_finland() -> Path:
    path = shared_dir() / "reference" / "finland"
    if not path.is_dir():
        pytest.fail(f"{path} not found: set ATH_SHARED to the directory that holds reference/finland")
    return path


class Cassette:
    """A transport for HttpClient that answers from a recorded session and fails on anything unrecorded."""

    def __init__(self, path: Path) -> None:
        entries = json.loads(path.read_text(encoding="utf-8"))["interactions"]
        self.entries = {(e["method"], e["url"]): e for e in entries}
        self.requests: list[tuple[str, str]] = []

    def body(self, method: str, url: str) -> bytes:
        entry = self.entries[(method, url)]
        return json.dumps(entry["json"]).encode("utf-8") if "json" in entry else entry["text"].encode("utf-8")

    def payload(self, method: str, url: str) -> Any:
        return self.entries[(method, url)]["json"]

    def __call__(self, request: urllib.request.Request, timeout: float) -> bytes:
        key = (request.get_method(), request.full_url)
        assert key in self.entries, f"unrecorded request {key}"
        assert timeout > 0
        entry = self.entries[key]
        if "request_json" in entry:
            assert json.loads(request.data) == entry["request_json"], f"unexpected query to {request.full_url}"
        if entry.get("status", 200) != 200:
            raise urllib.error.HTTPError(request.full_url, entry["status"], "Not Found", {}, None)  # type: ignore[arg-type]
        self.requests.append(key)
        return self.body(*key)


def tiny_layout(directory: Path) -> Path:
    """A valid two-year directory in the layout of ../shared/reference/finland (made up, three municipalities)."""
    directory.mkdir(parents=True, exist_ok=True)
    header = ("year,code,municipality_name_fi,municipality_name_sv,municipality_name_en,maakunta_code,"
              "maakunta_name_fi,maakunta_name_sv,maakunta_name_en,hyvinvointialue_code,hyvinvointialue_name_fi,"
              "hyvinvointialue_name_sv,hyvinvointialue_name_en,kuntaryhmitys_code,kuntaryhmitys_name_fi,"
              "kuntaryhmitys_name_en,seutukunta_code,seutukunta_name_fi,kielisuhde_code,kielisuhde_name_fi")
    rows = []
    for year in (2024, 2025):
        for code, name, region in (("491", "Mikkeli", "10"), ("507", "Mäntyharju", "10"), ("588", "Pertunmaa", "10")):
            if year == 2025 and code == "588":
                continue
            rows.append(f'{year},"{code}","{name}","{name}","{name}","{region}","Etelä-Savo","Södra Savolax",'
                        f'"South Savo",12,"Etelä-Savon hyvinvointialue",,,3,"Maaseutumaiset kunnat",'
                        f'"Rural municipalities",103,"Mikkeli",0,"Yksikielinen"')
    (directory / "finland_municipalities_2024_2025.csv").write_text(header + "\n" + "\n".join(rows) + "\n")
    (directory / "abolished_municipalities.csv").write_text(
        '"abolished_code","successor_code"\n"696","491"\n"588","507"\n')
    features = [{"type": "Feature", "properties": {"code": code, "name_fi": code, "name_sv": code},
                 "geometry": {"type": "Polygon", "coordinates": [[[26.0 + i, 61.0], [26.5 + i, 61.0],
                                                                  [26.5 + i, 61.5], [26.0 + i, 61.0]]]}}
                for i, code in enumerate(("491", "507"))]
    (directory / "municipality_boundaries_2025.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}))
    return directory
