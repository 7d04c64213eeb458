"""The community a picked point lies in: boundaries parsed once per process, an edited
boundary read anew."""

from __future__ import annotations

import json

from quarterhour.platform.geography.models import Community
from quarterhour.platform.geography.selectors import _boundary, community_at


def square(x0: float, y0: float, side: float) -> str:
    ring = [[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_the_point_names_its_community_and_an_edit_is_seen() -> None:
    a = Community(name="甲社区", boundary_geojson=square(116.30, 39.90, 0.01))
    b = Community(name="乙社区", boundary_geojson=square(116.31, 39.90, 0.01))
    none = Community(name="无边界社区", boundary_geojson="")
    assert community_at([none, a, b], 116.305, 39.905) is a
    assert community_at([none, a, b], 116.315, 39.905) is b
    assert community_at([a, b], 116.40, 39.905) is None
    hits = _boundary.cache_info().hits
    assert community_at([a, b], 116.315, 39.905) is b
    assert _boundary.cache_info().hits > hits  # parsed once, not on every pick
    b.boundary_geojson = square(116.50, 39.90, 0.01)  # the boundary redrawn
    assert community_at([a, b], 116.315, 39.905) is None
    assert community_at([a, b], 116.505, 39.905) is b
