"""Boundary maps as GeoJSON: checked, reduced to the properties the reports use, written compactly.

Every normalized feature has the properties `code` (municipality, maakunta or postal code), `name_fi`, `name_sv`
and, for postal areas, `municipality_code`; geometries are Polygon or MultiPolygon in WGS 84 longitude/latitude
with coordinates rounded to 4 decimals (about 10 m, plenty for report maps).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ath_analysis.register.common import RegisterError, shown

# Finland in WGS 84 (longitude, latitude), with a margin: a map outside it is projected or has its axes swapped.
FINLAND_BOUNDS = (19.0, 59.0, 32.0, 71.0)
DECIMALS = 4
_POLYGONAL = {"Polygon": 2, "MultiPolygon": 3}  # geometry type -> nesting depth of rings


def parse_geojson(data: bytes | str | Mapping[str, Any], what: str) -> dict[str, Any]:
    """A FeatureCollection from bytes, text or an already decoded object; anything else is a one-line error."""
    if isinstance(data, bytes | str):
        try:
            payload = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RegisterError(f"{what}: not valid GeoJSON ({exc.__class__.__name__}: {exc})") from None
    else:
        payload = dict(data)
    if not isinstance(payload, dict) or payload.get("type") != "FeatureCollection":
        kind = payload.get("type") if isinstance(payload, dict) else type(payload).__name__
        raise RegisterError(f"{what}: expected a GeoJSON FeatureCollection, got {kind!r}")
    if not isinstance(payload.get("features"), list) or not payload["features"]:
        raise RegisterError(f"{what}: the FeatureCollection has no features")
    return payload


def read_geojson(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise RegisterError(f"{path}: boundary file not found")
    return parse_geojson(path.read_bytes(), str(path))


def _rings(coordinates: Any, depth: int) -> Iterator[Any]:
    if depth == 1:
        yield coordinates
        return
    if not isinstance(coordinates, list):
        raise TypeError("coordinates are not nested lists")
    for part in coordinates:
        yield from _rings(part, depth - 1)


def _round(coordinates: Any, depth: int) -> Any:
    if depth == 1:
        return np.round(np.asarray(coordinates, dtype=np.float64)[:, :2], DECIMALS).tolist()
    return [_round(part, depth - 1) for part in coordinates]


def _check_geometry(geometry: Any, where: str) -> tuple[float, float, float, float]:
    if not isinstance(geometry, dict) or geometry.get("type") not in _POLYGONAL:
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        raise RegisterError(f"{where}: geometry must be a Polygon or MultiPolygon, got {kind!r}")
    low = np.array([np.inf, np.inf])
    high = -low
    try:
        for ring in _rings(geometry.get("coordinates"), _POLYGONAL[geometry["type"]]):
            points = np.asarray(ring, dtype=np.float64)
            if points.ndim != 2 or points.shape[0] < 4 or points.shape[1] < 2:
                raise ValueError("a ring needs at least 4 [x, y] positions")
            if not np.isfinite(points[:, :2]).all():
                raise ValueError("non-finite coordinate")
            low = np.minimum(low, points[:, :2].min(axis=0))
            high = np.maximum(high, points[:, :2].max(axis=0))
    except (TypeError, ValueError) as exc:
        raise RegisterError(f"{where}: broken {geometry['type']} coordinates ({exc})") from None
    if not np.isfinite(low).all():
        raise RegisterError(f"{where}: {geometry['type']} has no coordinates")
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def normalize_features(
    collection: Mapping[str, Any],
    *,
    what: str,
    code_property: str,
    code_width: int,
    names: Mapping[str, str] | None = None,
    extra: Mapping[str, tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """Check every feature and keep `code` (+ names, + extra properties) and the rounded geometry.

    names: output name property -> source property (e.g. {"name_fi": "nimi"}); missing source names stay empty.
    extra: output property -> (source property, code width), e.g. {"municipality_code": ("kunta", 3)}.
    """
    features = collection.get("features") or []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    west, south, east, north = np.inf, np.inf, -np.inf, -np.inf
    for number, feature in enumerate(features, start=1):
        where = f"{what}: feature {number}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise RegisterError(f"{where}: not a GeoJSON Feature")
        properties = feature.get("properties") or {}
        raw = properties.get(code_property)
        if raw is None or str(raw).strip() == "":
            present = shown(sorted(properties)) or "none"
            raise RegisterError(f"{where}: property {code_property!r} is missing (properties: {present})")
        code = str(raw).strip()
        code = code.zfill(code_width) if code.isdigit() else code
        if code in seen:
            raise RegisterError(f"{where}: code {code} appears twice (also feature {seen[code]})")
        seen[code] = number
        bounds = _check_geometry(feature.get("geometry"), f"{where} (code {code})")
        west, south = min(west, bounds[0]), min(south, bounds[1])
        east, north = max(east, bounds[2]), max(north, bounds[3])
        props: dict[str, Any] = {"code": code}
        for name, source in (names or {}).items():
            value = properties.get(source)
            props[name] = "" if value is None else str(value)
        for name, (source, width) in (extra or {}).items():
            value = properties.get(source)
            if value is None or str(value).strip() == "":
                raise RegisterError(f"{where} (code {code}): property {source!r} is missing")
            text = str(value).strip()
            props[name] = text.zfill(width) if text.isdigit() else text
        geometry = feature["geometry"]
        depth = _POLYGONAL[geometry["type"]]
        out.append({"type": "Feature", "properties": props,
                    "geometry": {"type": geometry["type"], "coordinates": _round(geometry["coordinates"], depth)}})
    x0, y0, x1, y1 = FINLAND_BOUNDS
    if west < x0 or south < y0 or east > x1 or north > y1:
        raise RegisterError(
            f"{what}: coordinates span x {west:.6g}..{east:.6g}, y {south:.6g}..{north:.6g}, outside Finland in "
            "WGS 84; the map looks projected (e.g. EPSG:3067) or has latitude and longitude swapped — boundaries "
            "must be GeoJSON in WGS 84 longitude, latitude"
        )
    return {"type": "FeatureCollection", "features": out}


def feature_codes(collection: Mapping[str, Any]) -> list[str]:
    return [str(f["properties"]["code"]) for f in collection["features"]]


def check_codes(collection: Mapping[str, Any], expected: set[str], what: str, against: str) -> None:
    """The map must have exactly one feature per expected code."""
    codes = set(feature_codes(collection))
    missing, extra = sorted(expected - codes), sorted(codes - expected)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"no feature for {len(missing)} code(s) of {against}: {shown(missing)}")
        if extra:
            parts.append(f"{len(extra)} code(s) not in {against}: {shown(extra)}")
        raise RegisterError(f"{what}: {'; '.join(parts)}")


def dumps(collection: Mapping[str, Any]) -> str:
    """Compact, stable text (same input, same bytes)."""
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
