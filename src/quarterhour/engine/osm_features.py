"""Facilities from an OpenStreetMap extract: tagged nodes, closed ways and multipolygons.

Each tagged object is handed to a ``classify`` callable (normally the standard's OSM matchers,
``load_standard(...).classify_osm``) which returns the standard item codes it serves; objects
that serve no item are skipped. Nodes stand where they are; closed ways and multipolygon
relations stand at the centroid of their area (a closed way whose ring does not enclose an area
— a degenerate or self-touching ring — stands at the centroid of its outline). Unclosed ways are
not facilities (a school is mapped as a point or an outline, not as a line).

Ids are ``osm:node/<id>``, ``osm:way/<id>``, ``osm:relation/<id>``; the name is ``name``, else
``name:zh``, else ``name:en``. Data © OpenStreetMap contributors (ODbL 1.0).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from os import PathLike

import osmium
import shapely
from osmium.filter import EmptyTagFilter

from quarterhour.engine.osm_network import check_osm_path, iter_osm
from quarterhour.engine.places import Facility
from quarterhour.engine.progress import Progress, no_progress

Classifier = Callable[[Mapping[str, str]], tuple[str, ...]]

_KIND_ORDER = {"node": 0, "way": 1, "relation": 2}
_PROGRESS_EVERY = 50_000


def facility_name(tags: Mapping[str, str]) -> str:
    """``name``, else ``name:zh``, else ``name:en``, else ``""``."""
    for key in ("name", "name:zh", "name:en"):
        value = tags.get(key, "").strip()
        if value:
            return value
    return ""


def facility_address(tags: Mapping[str, str]) -> str:
    """``addr:full``, else street and house number (and city) joined by spaces."""
    full = tags.get("addr:full", "").strip()
    if full:
        return full
    parts = [tags.get(k, "").strip() for k in ("addr:street", "addr:housenumber", "addr:city")]
    return " ".join(p for p in parts if p)


def _facility(
    kind: str,
    osm_id: int,
    lon: float,
    lat: float,
    tags: dict[str, str],
    items: tuple[str, ...],
    source: str,
) -> Facility:
    return Facility(
        facility_id=f"osm:{kind}/{osm_id}",
        name=facility_name(tags),
        lon=lon,
        lat=lat,
        item_codes=items,
        address=facility_address(tags),
        source=source,
        tags=tuple(sorted(tags.items())),
    )


def _way_centroid(way: osmium.osm.Way) -> tuple[float, float] | None:
    coords = []
    for nd in way.nodes:
        loc = nd.location
        if not loc.valid():
            return None
        coords.append((loc.lon, loc.lat))
    if len(coords) < 2:
        return None
    outline = shapely.LineString(coords)
    shape: shapely.Geometry = outline
    if len(coords) >= 4:
        polygon = shapely.Polygon(coords)
        if polygon.is_valid and polygon.area > 0.0:
            shape = polygon
    c = shape.centroid
    return float(c.x), float(c.y)


def _area_centroid(
    area: osmium.osm.Area, wkb: osmium.geom.WKBFactory
) -> tuple[float, float] | None:
    try:
        geom = shapely.from_wkb(wkb.create_multipolygon(area))
    except (RuntimeError, shapely.errors.GEOSException):
        return None
    if geom.is_empty:
        return None
    c = geom.centroid
    return float(c.x), float(c.y)


def read_osm_facilities(
    path: str | PathLike[str],
    *,
    classify: Classifier,
    keep: Callable[[Mapping[str, str]], bool] | None = None,
    progress: Progress = no_progress,
) -> list[Facility]:
    """Facilities in an OSM extract that ``classify`` assigns to at least one item — and, when
    ``keep`` is given, the objects it keeps although they serve no item (``item_codes == ()``:
    places that could take an item on, such as schools).

    The list is ordered nodes, ways, relations, each by OSM id (same file → same list).
    Raises :class:`quarterhour.engine._errors.InputError` for a missing, empty, corrupt or
    truncated file.
    """
    p = check_osm_path(path)
    source = p.name
    found: list[Facility] = []
    processor = osmium.FileProcessor(str(p)).with_areas().with_filter(EmptyTagFilter())
    wkb = osmium.geom.WKBFactory()
    seen = 0
    progress("read_facilities", 0, 0)
    for obj in iter_osm(processor, path):
        seen += 1
        if seen % _PROGRESS_EVERY == 0:
            progress("read_facilities", seen, 0)
        if isinstance(obj, osmium.osm.Node):
            if not obj.location.valid():
                continue
            tags = {t.k: t.v for t in obj.tags}
            items = tuple(classify(tags))
            if items or (keep is not None and keep(tags)):
                loc = obj.location
                found.append(_facility("node", obj.id, loc.lon, loc.lat, tags, items, source))
        elif isinstance(obj, osmium.osm.Way):
            if not obj.is_closed():
                continue
            tags = {t.k: t.v for t in obj.tags}
            items = tuple(classify(tags))
            wanted = bool(items) or (keep is not None and keep(tags))
            centre = _way_centroid(obj) if wanted else None
            if centre is not None:
                found.append(_facility("way", obj.id, *centre, tags, items, source))
        elif isinstance(obj, osmium.osm.Area) and not obj.from_way():
            # closed ways are read as ways above (robust to invalid rings); only the areas of
            # multipolygon relations are taken from the area assembler
            tags = {t.k: t.v for t in obj.tags}
            items = tuple(classify(tags))
            wanted = bool(items) or (keep is not None and keep(tags))
            centre = _area_centroid(obj, wkb) if wanted else None
            if centre is not None:
                found.append(_facility("relation", obj.orig_id(), *centre, tags, items, source))
    progress("read_facilities", seen, seen)
    found.sort(key=_order_key)
    return found


def _order_key(f: Facility) -> tuple[int, int]:
    kind, _, num = f.facility_id.removeprefix("osm:").partition("/")
    return _KIND_ORDER[kind], int(num)
