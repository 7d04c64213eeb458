"""Map tiles for the resident map: none (our own vector layers), OSM, Tianditu with a key, or a
tile URL template. From the ``MAP_TILES`` setting (environment variable of the same name)."""

from __future__ import annotations

from django.conf import settings

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TIANDITU = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"


def config(*, bounds: tuple[float, float, float, float] | None = None) -> dict[str, object]:
    """What the page's map script needs: tile layers (may be empty), their attribution, and
    the box the loaded data cover (west, south, east, north), which the map opens on."""
    out = _tiles()
    out["bounds"] = None if bounds is None else [round(b, 6) for b in bounds]
    return out


def _tiles() -> dict[str, object]:
    raw = str(getattr(settings, "MAP_TILES", "none") or "none").strip()
    if raw == "none":
        return {"tiles": [], "attribution": "", "vector": True}
    if raw == "osm":
        return {
            "tiles": [OSM_TILES],
            "attribution": "© OpenStreetMap contributors",
            "vector": False,
        }
    if raw.startswith("tianditu:"):
        key = raw.split(":", 1)[1]
        return {
            "tiles": [
                TIANDITU.format(s="{s}", layer="vec", key=key),
                TIANDITU.format(s="{s}", layer="cva", key=key),
            ],
            "subdomains": "01234567",
            "attribution": "© 天地图 Tianditu",
            "vector": False,
        }
    return {"tiles": [raw], "attribution": "", "vector": False}
