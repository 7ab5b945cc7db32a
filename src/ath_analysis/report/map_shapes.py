"""Boundary shapes for the report maps: GeoJSON read with the json module, features kept by code, postal areas
dissolved into the groups a report shows — matplotlib paths only, no GIS library.

Dissolving needs no polygon union: neighbouring areas of a topologically generalised map (as Statistics
Finland's and the National Land Survey's are) share the vertices of their common border, so a border segment
that two members of one group share lies inside the group and is left out of its outline; the group is filled
as one compound path. Where a source does not share vertices the members' own outlines are drawn instead,
which still reads correctly.

Coordinates may be longitude/latitude (WGS 84, as the national register writes them) or planar metres (e.g.
ETRS-TM35FIN, EPSG:3067); `Boundaries.lonlat` says which, and the maps set their aspect from it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.path import Path as MplPath

from ath_analysis.errors import ConfigError

CODE_PROPERTIES = ("kunta", "kuntakoodi", "kunta_koodi", "natcode", "code", "municipality", "kuntanro")
REGISTER_MANIFEST = "manifest.json"  # ath_analysis.register.model.MANIFEST (not imported: pandas-free here)
_KEY_DECIMALS = 7  # vertices equal to 1e-7 (about 1 cm in degrees) are the same point when borders are matched


@dataclass(frozen=True)
class Boundaries:
    """Outlines by code (zero-padded); `lonlat` when the coordinates are degrees.

    properties: each code's other GeoJSON properties as text (e.g. a postal area's `municipality_code`);
    outlines: the line to draw around an area when it differs from its filled shape (a dissolved group).
    """

    shapes: Mapping[str, MplPath]
    lonlat: bool
    properties: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    outlines: Mapping[str, MplPath] = field(default_factory=dict)

    def outline(self, code: str) -> MplPath:
        return self.outlines.get(code, self.shapes[code])

    def select(self, codes: Iterable[str]) -> Boundaries:
        """Only these codes (those the map has)."""
        keep = [c for c in dict.fromkeys(codes) if c in self.shapes]
        return Boundaries({c: self.shapes[c] for c in keep}, self.lonlat,
                          {c: self.properties[c] for c in keep if c in self.properties},
                          {c: self.outlines[c] for c in keep if c in self.outlines})

    def without(self, codes: Iterable[str]) -> Boundaries:
        drop = set(codes)
        return self.select(c for c in self.shapes if c not in drop)


def _signed_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2)


def _polygon_rings(polygon: Sequence[Sequence[Sequence[float]]]) -> list[np.ndarray]:
    """The rings of one GeoJSON polygon, outer ring anticlockwise and holes clockwise (so that a compound path is
    filled right under either fill rule), without the repeated closing point."""
    rings = []
    for number, ring in enumerate(polygon):
        points = np.asarray([(float(p[0]), float(p[1])) for p in ring], dtype=float).reshape(-1, 2)
        if len(points) > 1 and np.array_equal(points[0], points[-1]):
            points = points[:-1]
        if len(points) < 3:
            continue
        area = _signed_area(points)
        if (number == 0 and area < 0) or (number > 0 and area > 0):
            points = points[::-1]
        rings.append(points)
    return rings


def path_of_rings(rings: Sequence[np.ndarray]) -> MplPath:
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for points in rings:
        vertices.append(np.vstack([points, points[:1]]))
        ring_codes = np.full(len(points) + 1, MplPath.LINETO, dtype=MplPath.code_type)
        ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
        codes.append(ring_codes)
    if not vertices:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.vstack(vertices), np.concatenate(codes))


def geometry_rings(geometry: Mapping[str, Any]) -> list[np.ndarray]:
    """All rings of a Polygon or MultiPolygon (other geometries have none)."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else (coordinates if kind == "MultiPolygon" else [])
    return [ring for polygon in polygons for ring in _polygon_rings(polygon)]


def _code(properties: Mapping[str, Any], key: str | None, width: int) -> str | None:
    keys = [key] if key else [k for k in properties if str(k).lower() in CODE_PROPERTIES]
    for k in keys:
        value = properties.get(k)
        if value is not None and str(value).strip().isdigit():
            return str(value).strip().zfill(width)
    return None


def _is_lonlat(points: np.ndarray) -> bool:
    return bool(len(points)) and float(np.abs(points[:, 0]).max()) <= 180 and float(np.abs(points[:, 1]).max()) <= 90


def read_boundaries(path: str | Path, code_property: str | None = None, *, code_width: int = 3,
                    what: str = "boundaries") -> Boundaries:
    """A GeoJSON FeatureCollection of areas: code from `code_property` (or the first of CODE_PROPERTIES the
    features have), zero-padded to `code_width`; the features of one code are drawn as one area."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read {what} as GeoJSON: {exc}") from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise ConfigError(f"{path}: not a GeoJSON FeatureCollection (no 'features' list)")
    rings: dict[str, list[np.ndarray]] = {}
    properties: dict[str, dict[str, str]] = {}
    for feature in features:
        if not isinstance(feature, dict):
            continue
        props = feature.get("properties") or {}
        code = _code(props, code_property, code_width)
        try:
            found = geometry_rings(feature.get("geometry") or {})
        except (TypeError, ValueError, IndexError):
            raise ConfigError(f"{path}: feature {code or '?'} has broken polygon coordinates") from None
        if code is None or not found:
            continue
        rings.setdefault(code, []).extend(found)
        properties.setdefault(code, {str(k): "" if v is None else str(v) for k, v in props.items()})
    if not rings:
        raise ConfigError(f"{path}: no polygons with a code property "
                          f"({code_property or ', '.join(CODE_PROPERTIES)})")
    every = np.vstack([r for rs in rings.values() for r in rs])
    return Boundaries({c: path_of_rings(r) for c, r in rings.items()}, _is_lonlat(every), properties)


def _segments(path: MplPath) -> Iterable[tuple[tuple[float, float], tuple[float, float]]]:
    for polygon in path.to_polygons(closed_only=True):
        points = np.round(np.asarray(polygon, dtype=float), _KEY_DECIMALS)
        for a, b in zip(points[:-1], points[1:], strict=True):
            p, q = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
            if p != q:
                yield (p, q) if p <= q else (q, p)


def outer_outline(paths: Sequence[MplPath]) -> MplPath:
    """The border of the union of areas that share border vertices: every segment that only one of them has."""
    counts = Counter(segment for path in paths for segment in _segments(path))
    kept = [segment for segment, count in counts.items() if count % 2 == 1]
    if not kept:
        return MplPath(np.zeros((0, 2)))
    vertices = np.asarray([point for segment in kept for point in segment], dtype=float)
    codes = np.tile(np.array([MplPath.MOVETO, MplPath.LINETO], dtype=MplPath.code_type), len(kept))
    return MplPath(vertices, codes)


def dissolve(boundaries: Boundaries, groups: Mapping[str, str]) -> Boundaries:
    """Areas grouped: group → one filled shape (its members' rings) and the outline of the group as a whole.

    groups: member code → group name; members the map lacks are skipped, groups without a member left out.
    """
    members: dict[str, list[MplPath]] = {}
    for code, group in groups.items():
        if code in boundaries.shapes:
            members.setdefault(str(group), []).append(boundaries.shapes[code])
    shapes = {g: MplPath.make_compound_path(*paths) for g, paths in members.items()}
    outlines = {g: outer_outline(paths) for g, paths in members.items() if len(paths) > 1}
    return Boundaries(shapes, boundaries.lonlat, {}, outlines)


def register_boundary_file(register_dir: str | Path, kind: str, year: int | None = None) -> Path | None:
    """The boundary map of `kind` (municipalities, regions, hyvinvointialueet, postal_areas) in a national
    register written by `ath-analysis areas import|fetch`: the newest not after `year` (else the oldest), or
    None when the register has none. The file must match the sha256 its manifest records."""
    directory = Path(register_dir)
    manifest_path = directory / REGISTER_MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{manifest_path}: cannot read the national register's manifest ({exc}); run "
                          "`ath-analysis areas import DIR` or `ath-analysis areas fetch`") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    candidates = [(name, record) for name, record in (files or {}).items()
                  if isinstance(record, dict) and record.get("kind") == kind]
    if not candidates:
        return None

    def rank(item: tuple[str, Mapping[str, Any]]) -> tuple[int, int]:
        file_year = item[1].get("year")
        file_year = int(file_year) if file_year is not None else -1
        fits = year is None or file_year <= year
        return (1 if fits else 0, file_year if fits else -file_year)

    name, record = max(candidates, key=rank)
    path = directory / name
    if not path.is_file():
        raise ConfigError(f"{path}: boundary map listed in {manifest_path} is missing; import or fetch again")
    if record.get("sha256") and hashlib.sha256(path.read_bytes()).hexdigest() != record["sha256"]:
        raise ConfigError(f"{path}: changed since it was written (sha256 differs from {manifest_path}); import or "
                          "fetch again")
    return path


def postal_boundaries(path: str | Path, postal_codes: Iterable[str] | None = None) -> Boundaries:
    """Postal code areas (5-digit `code`), all or only `postal_codes`."""
    boundaries = read_boundaries(path, "code", code_width=5, what="postal-area boundaries")
    return boundaries if postal_codes is None else boundaries.select(str(c).zfill(5) for c in postal_codes)


def near(boundaries: Boundaries, box: tuple[float, float, float, float], margin: float = 0.15) -> Boundaries:
    """The areas whose extent meets `box` (x0, y0, x1, y1) widened by `margin` of its size: the neighbours drawn
    pale around a map's own areas."""
    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    keep = []
    for code, path in boundaries.shapes.items():
        extent = path.get_extents()
        if extent.x1 >= x0 - dx and extent.x0 <= x1 + dx and extent.y1 >= y0 - dy and extent.y0 <= y1 + dy:
            keep.append(code)
    return boundaries.select(keep)


def merge_areas(boundaries: Boundaries, successor: Mapping[str, str]) -> Boundaries:
    """Areas renamed and merged: each code drawn as `successor[code]` (itself when not listed), the shapes of
    codes with one successor dissolved into one (a municipal map older than its mergers, drawn as it is now)."""
    groups = {code: str(successor.get(code, code)) for code in boundaries.shapes}
    merged = dissolve(boundaries, groups)
    properties = {g: boundaries.properties[g] for g in merged.shapes if g in boundaries.properties}
    return Boundaries(merged.shapes, merged.lonlat, properties, merged.outlines)
