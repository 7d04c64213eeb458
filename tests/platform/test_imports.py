"""Imports: real Beijing adcode lists, facility registers (GBK, GCJ-02), dry runs, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from quarterhour.engine.coords import to_wgs84
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Community, District, Street

ADCODE = (
    Path(__file__).resolve().parents[2].parent
    / "shared/data/beijing-adcode-communities-2016/adcode"
)
XICHENG = ADCODE / "110102.csv"

needs_data = pytest.mark.skipif(not XICHENG.is_file(), reason="../shared data not present")


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


@needs_data
@pytest.mark.django_db
def test_import_xicheng_adcode_then_reimport_updates_nothing():
    out = run("import_adcode", str(XICHENG))
    assert "district：新增 1，更新 0，不变 0" in out
    assert "street：新增 15，更新 0，不变 0" in out
    assert "community：新增 261，更新 0，不变 0" in out
    c = Community.objects.get(code="110102001001")
    assert c.name == "南北长街社区居委会"
    assert c.street.code == "110102001000"
    assert c.urban_rural == "urban" and c.ur_code == "111"
    # GCJ-02 (116.391937, 39.910556) in the file, stored as WGS-84
    lon, lat = to_wgs84([116.391937], [39.910556], crs="gcj02")
    assert (c.centre_lon, c.centre_lat) == (round(float(lon[0]), 7), round(float(lat[0]), 7))
    assert 116.3853 < c.centre_lon < 116.3857  # ≈ 0.0064° west of the GCJ-02 value
    assert Community.objects.filter(centre_lon__isnull=True).count() == 261 - 156
    assert c.history.count() == 1
    again = run("import_adcode", str(XICHENG))
    assert "community：新增 0，更新 0，不变 261" in again
    assert Community.objects.count() == 261 and c.history.count() == 1


@needs_data
@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing():
    out = run("import_adcode", str(XICHENG), "--dry-run")
    assert "演练" in out and "community：新增 261" in out
    assert (District.objects.count(), Street.objects.count(), Community.objects.count()) == (
        0,
        0,
        0,
    )


@pytest.mark.django_db
def test_bad_adcode_file_names_rows_and_fields_and_changes_nothing(tmp_path):
    good = (
        "110102000000,110100000000,西城区,county,3,110102,,010,,f,f,f,,,,北京市,市辖区,西城区,,\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        good
        + "110102001000,110102000000,西长安街街道办事处,town,4,110102,,010,,f,f,f,,,,a,b,c,d,\n"
        + "110102003001,110102001000,错位社区,village,5,110102,,,111,f,f,f,,,,a,b,c,d,e\n"
        + "110102001002,110102001000,坏坐标社区,village,5,110102,,,111,f,f,f,abc,39.9,,a,b,c,d,e\n"
        + "only,three,cells\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as info:
        run("import_adcode", str(bad))
    text = str(info.value)
    assert "bad.csv, row 3, field code" in text and "110102003001" in text
    assert "bad.csv, row 4, field longitude" in text
    assert "bad.csv, row 5, field *" in text
    assert District.objects.count() == 0


@pytest.mark.django_db
def test_gbk_adcode_file_is_read(tmp_path):
    f = tmp_path / "gbk.csv"
    f.write_bytes(
        "110102000000,110100000000,西城区,county,3,110102,,010,,f,f,f,,,,北京市,市辖区,西城区,,\n".encode(
            "gbk"
        )
    )
    run("import_adcode", str(f))
    assert District.objects.get().name == "西城区"


REGISTER = (
    "编号,名称,类别,地址,经度,纬度,营业时间,电话\n"
    "1,长安药房,医疗保健服务;医药保健销售店;药房,南北长街1号,{lon1},{lat1},08:00-20:00,010-1\n"
    "2,南北长街菜市场,购物服务;综合市场,南北长街,{lon2},{lat2},周一至周五 07:00-19:00,\n"
)


def _register(world, tmp_path, *, encoding="utf-8", far=False):
    from quarterhour.engine.coords import from_wgs84

    lon, lat = from_wgs84(
        [world.a1x.centre_lon, world.a1y.centre_lon],
        [world.a1x.centre_lat, world.a1y.centre_lat],
        crs="gcj02",
    )
    text = REGISTER.format(lon1=lon[0], lat1=lat[0], lon2=100.0 if far else lon[1], lat2=lat[1])
    path = tmp_path / "register.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_facility_register_gbk_gcj02_import_and_reimport(world, tmp_path):
    path = _register(world, tmp_path, encoding="gbk")
    out = run("import_facilities", str(path), "--crs", "gcj02", "--as", "street_a1")
    assert "facility：新增 2，更新 0，不变 0" in out
    pharmacy = Facility.objects.get(key="register:1")
    assert pharmacy.community == world.a1x
    assert abs(pharmacy.lon - world.a1x.centre_lon) < 1e-6
    assert list(pharmacy.items.values_list("item_code", flat=True)) == ["shop.pharmacy"]
    assert pharmacy.opening_hours == [
        {"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "20:00"}
    ]
    assert pharmacy.history.get().history_user == world.users["street"]
    market = Facility.objects.get(key="register:2")
    assert market.community == world.a1y
    assert run("import_facilities", str(path), "--crs", "gcj02").count("不变 2") == 1
    assert Facility.objects.filter(key__startswith="register:").count() == 2


def test_facility_outside_every_community_is_refused_with_its_row(world, tmp_path):
    path = _register(world, tmp_path, far=True)
    with pytest.raises(CommandError) as info:
        run("import_facilities", str(path), "--crs", "gcj02")
    assert "register.csv, row 3, field lon/lat" in str(info.value)
    assert "南北长街菜市场" in str(info.value)
    assert not Facility.objects.filter(key__startswith="register:").exists()


def test_register_outside_the_importers_jurisdiction_is_refused(world, tmp_path):
    path = _register(world, tmp_path)
    with pytest.raises(CommandError) as info:
        run("import_facilities", str(path), "--crs", "gcj02", "--as", "community_a1x")
    assert "register.csv, row 3" in str(info.value)  # a1y is not the community officer's
    assert not Facility.objects.filter(key__startswith="register:").exists()


def test_register_rows_of_unknown_types_are_set_aside_and_reported(world, tmp_path):
    path = tmp_path / "r.csv"
    lon, lat = world.a1x.centre_lon, world.a1x.centre_lat
    path.write_text(
        f"名称,类别,经度,纬度\n某店,外星服务,{lon},{lat}\n长安药店,药店,{lon},{lat}\n",
        encoding="utf-8",
    )
    out = run("import_facilities", str(path))
    assert "1 行的类型不在标准内，未导入：外星服务 (1)" in out
    assert "facility：新增 1" in out
    assert list(Facility.objects.filter(key__startswith="r:").values_list("name", flat=True)) == [
        "长安药店"
    ]
