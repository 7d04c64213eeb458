"""A small vector map drawn on the server as inline SVG: no tiles, no scripts, no CDN.

Equirectangular projection around the drawing's mean latitude (x scaled by cos φ), which is
accurate to well under a pixel at the size of a circle (a few kilometres).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from quarterhour.engine.geodesy import M_PER_DEG


@dataclass
class SvgMap:
    width: int = 720
    height: int = 480
    pad: int = 16
    polygons: list[tuple[Sequence[Sequence[float]], str, str]] = field(default_factory=list)
    points: list[tuple[float, float, float, str, str]] = field(default_factory=list)
    labels: list[tuple[float, float, str]] = field(default_factory=list)
    segments: list[tuple[Any, Any, Any, Any, str]] = field(default_factory=list)

    def lines(self, x0: Any, y0: Any, x1: Any, y1: Any, *, css: str) -> None:
        """Straight segments (arrays of lon/lat of both ends), drawn as one path under the rest.
        They do not widen the drawing: the extent comes from polygons and points."""
        self.segments.append((x0, y0, x1, y1, css))

    def polygon(self, ring: Sequence[Sequence[float]], *, css: str, title: str = "") -> None:
        self.polygons.append((ring, css, title))

    def point(self, lon: float, lat: float, *, r: float = 4, css: str, title: str = "") -> None:
        self.points.append((lon, lat, r, css, title))

    def label(self, lon: float, lat: float, text: str) -> None:
        self.labels.append((lon, lat, text))

    def _extent(self) -> tuple[float, float, float, float] | None:
        xs = [p[0] for ring, _c, _t in self.polygons for p in ring] + [p[0] for p in self.points]
        ys = [p[1] for ring, _c, _t in self.polygons for p in ring] + [p[1] for p in self.points]
        if not xs:
            return None
        return min(xs), min(ys), max(xs), max(ys)

    def render(self, *, aria_label: str) -> SafeString:
        ext = self._extent()
        parts = [
            f'<svg class="qh-map" viewBox="0 0 {self.width} {self.height}" role="img" '
            f'aria-label="{escape(aria_label)}" xmlns="http://www.w3.org/2000/svg">',
            f'<rect width="{self.width}" height="{self.height}" class="map-bg"/>',
        ]
        if ext is None:
            parts.append("</svg>")
            return mark_safe("".join(parts))
        x0, y0, x1, y1 = ext
        k = math.cos(math.radians((y0 + y1) / 2))
        span_x = max((x1 - x0) * k, 1e-6)
        span_y = max(y1 - y0, 1e-6)
        scale = min((self.width - 2 * self.pad) / span_x, (self.height - 2 * self.pad) / span_y)
        ox = (self.width - span_x * scale) / 2
        oy = (self.height - span_y * scale) / 2

        # the projection, for a page script turning a click into a place (what-if)
        parts[0] = parts[0].replace(
            '<svg class="qh-map" ',
            f'<svg class="qh-map" data-x0="{x0!r}" data-y0="{y0!r}" data-k="{k!r}" '
            f'data-scale="{scale!r}" data-ox="{ox!r}" data-oy="{oy!r}" ',
            1,
        )

        def xy(lon: float, lat: float) -> tuple[float, float]:
            return ox + (lon - x0) * k * scale, self.height - (oy + (lat - y0) * scale)

        for ring, css, title in self.polygons:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(p[0], p[1]) for p in ring))
            parts.append(
                f'<polygon class="{escape(css)}" points="{pts}"><title>{escape(title)}</title>'
                "</polygon>"
            )
        for sx0, sy0, sx1, sy1, css in self.segments:
            path = " ".join(
                f"M{a:.1f} {b:.1f}L{c:.1f} {d:.1f}"
                for (a, b), (c, d) in zip(
                    (xy(u, v) for u, v in zip(sx0, sy0, strict=True)),
                    (xy(u, v) for u, v in zip(sx1, sy1, strict=True)),
                    strict=True,
                )
            )
            parts.append(f'<path class="{escape(css)}" d="{path}"/>')
        for lon, lat, r, css, title in self.points:
            x, y = xy(lon, lat)
            parts.append(
                f'<circle class="{escape(css)}" cx="{x:.1f}" cy="{y:.1f}" r="{r}">'
                f"<title>{escape(title)}</title></circle>"
            )
        for lon, lat, text in self.labels:
            x, y = xy(lon, lat)
            parts.append(
                f'<text class="map-label" x="{x:.1f}" y="{y:.1f}" text-anchor="middle">'
                f"{escape(text)}</text>"
            )
        # scale bar: 500 m
        bar = 500.0 / M_PER_DEG * scale  # x is degrees of longitude × cos φ: 500 m whatever φ
        parts.append(
            f'<g class="map-scale"><line x1="{self.pad}" y1="{self.height - 12}" '
            f'x2="{self.pad + bar:.1f}" y2="{self.height - 12}"/>'
            f'<text x="{self.pad}" y="{self.height - 16}">500 m</text></g>'
        )
        parts.append("</svg>")
        return mark_safe("".join(parts))
