"""The platform's background assessment and ``quarterhour report`` plan alike: on the same
communities, facilities and walk network they give identical shares and verdicts — per
community, per circle (demonstration or not, the missing items) and for the elderly at their
own pace (per community and per circle).

The world is ``test_assessment``'s grid (2 km × 1 km, nodes every 50 m) with the tiled test's
extra facilities. The command line reads what the platform holds as files a planner would hand
it — the community list with WKT boundaries and population, the facility register (items
column) — through its own readers; only the walk network is handed over as the object the
platform stored (a GeoJSON copy would be re-measured on the ellipsoid, not exactly 50 m a street).
The circles are those the command line draws, entered on the platform as a planner would enter
them (member communities with their shares).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
import shapely

from quarterhour.cli import plan as cli_plan
from quarterhour.engine.standards import load_standard
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Circle, CircleMembership, Community
from quarterhour.platform.planning.models import (
    CircleItemResult,
    CircleResult,
    CommunityItemResult,
    CommunityResult,
    WalkNetworkFile,
)
from quarterhour.platform.planning.networks import load_network
from tests.platform.planning.helpers import run_city


def cli_args(tmp_path: Path, communities: Path, register: Path) -> argparse.Namespace:
    return argparse.Namespace(
        network=None, facilities=[register], origins=None, standard="beijing-2011",
        minutes=None, speed_kmh=4.1, workers=1, strict=True, communities=communities,
        adcode=[], population=None, buildings=None, crs="wgs84", encoding=None,
        max_snap_m=300.0, out=tmp_path / "out", min_pop=2_000, max_pop=6_000,
        target_pop=None, by_street=False, item=[], k=None, share=None, candidates=None,
        candidate_nodes=0, no_multi_use=False, time_limit=10.0, greedy=True, max_items=5,
        no_circles=True, title="t", max_item_maps=1,
    )  # fmt: skip


def write_inputs(tmp_path: Path) -> tuple[Path, Path]:
    std = load_standard("beijing-2011")
    communities = tmp_path / "communities.csv"
    with communities.open("w", encoding="utf-8") as fh:
        fh.write("社区代码,社区名称,常住人口,老年人,边界\n")
        for c in Community.objects.order_by("code"):
            wkt = shapely.to_wkt(shapely.from_geojson(c.boundary_geojson), rounding_precision=-1)
            fh.write(f'{c.code},{c.name},{c.population},{c.elderly},"{wkt}"\n')
    register = tmp_path / "register.csv"
    with register.open("w", encoding="utf-8") as fh:
        fh.write("编号,名称,经度,纬度,服务项目\n")
        for f in Facility.objects.filter(is_active=True).prefetch_related("items"):
            names = "、".join(std.item(i.item_code).name_zh for i in f.items.all())
            fh.write(f"{f.pk},{f.name},{f.lon!r},{f.lat!r},{names}\n")
    return communities, register


def test_platform_and_cli_give_identical_shares_and_verdicts(
    tiled_world: Any,
    tmp_path: Path,
) -> None:
    for k, c in enumerate(Community.objects.order_by("code")):
        c.elderly = c.population // (3 + k)  # 老年人: a different share in each community
        c.save()
    communities, register = write_inputs(tmp_path)
    cli = cli_plan.Run(cli_args(tmp_path, communities, register))
    cli_plan._load_standard(cli)
    cli.network = load_network(WalkNetworkFile.objects.get())
    cli_plan._load_communities(cli)
    cli_plan._load_origins(cli)
    cli_plan._read_facilities(cli, lambda *a: None)
    cli_plan._plan(cli, lambda *a: None, circles=True, siting=False)
    layout = cli.plan.layout
    # the command line's circles entered on the platform, in place of the world's
    CircleMembership.objects.all().delete()
    Circle.objects.all().delete()
    by_code = {c.code: c for c in Community.objects.all()}
    for ci in layout.circles:
        first = by_code[cli.communities.code[ci.parts[0].community]]
        circle = Circle.objects.create(code=ci.circle_id, name=ci.circle_id, street=first.street)
        for part in ci.parts:
            assert part.share == 1.0  # whole communities: the platform keeps no node split
            CircleMembership.objects.create(
                circle=circle,
                community=by_code[cli.communities.code[part.community]],
                population_share=part.share,
            )
    assert len(layout.circles) >= 2
    run = run_city(tiled_world)
    assert run.network == WalkNetworkFile.objects.get()

    table = cli.community_table.by_id()
    stored = {
        (r.community.code, r.item_code): r
        for r in CommunityItemResult.objects.filter(run=run).select_related("community")
    }
    assert len(stored) == 4 * 23  # four communities × the walk items
    some_between = 0
    for (code, item), row in stored.items():
        it = table[code].item(item)
        assert row.share == pytest.approx(it.share, abs=1e-12), (code, item)
        assert row.met == it.met, (code, item)
        some_between += 0 < row.share < 1
    assert some_between >= 3  # partial shares, not only all-or-nothing
    for r in CommunityResult.objects.filter(run=run).select_related("community"):
        z = table[r.community.code]
        assert r.population == pytest.approx(z.population)
        assert (r.items_required, r.items_met) == (z.items_required, z.items_met)
        assert sorted(r.missing) == sorted(s.code for s in z.missing)
        assert r.n_origins == int((cli.zone == cli_plan._zone_ids(cli).index(z.zone_id)).sum())
    assert run.n_facilities == cli.plan.facilities.in_register == 8
    assert run.n_facilities_placed == cli.plan.facilities.placed == 8

    # circles: residents, verdicts, demonstration, missing items, every item's share
    ktable = cli.plan.circle_table.by_id()
    circle_rows = CircleResult.objects.filter(run=run).select_related("circle")
    assert sorted(r.circle.code for r in circle_rows) == sorted(ktable)
    for r in circle_rows:
        z = ktable[r.circle.code]
        assert r.population == pytest.approx(z.population)
        assert (r.items_required, r.items_met) == (z.items_required, z.items_met)
        assert r.demonstration == z.demonstration
        assert sorted(r.missing) == sorted(s.code for s in z.missing)
    circle_items = CircleItemResult.objects.filter(run=run).select_related("circle")
    assert len(circle_items) == len(ktable) * 23
    for row in circle_items:
        it = ktable[row.circle.code].item(row.item_code)
        assert row.share == pytest.approx(it.share, abs=1e-12), (row.circle.code, row.item_code)
        assert row.met == it.met
    # the elderly (老年人) at their pace, per community and per circle
    for rows, tbl in ((stored.values(), table), (circle_items, ktable)):
        elderly_between = 0
        for row in rows:
            zone_id = row.community.code if hasattr(row, "community") else row.circle.code
            old = tbl[zone_id].item(row.item_code, "elderly")
            assert row.elderly_share == pytest.approx(old.share, abs=1e-12), (zone_id, row)
            assert row.elderly_met == old.met
            elderly_between += row.elderly_share is not None and row.elderly_share < (
                row.share or 0.0
            )
        assert elderly_between >= 1  # the slower pace leaves some of them out
