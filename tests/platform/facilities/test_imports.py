"""Imports: real Beijing adcode lists, facility registers (GBK, GCJ-02), dry runs, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from quarterhour.engine.coords import to_wgs84
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Community, District, Street

ADCODE = (
    Path(__file__).resolve().parents[3].parent
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
    assert "区县：新增 1，更新 0，不变 0" in out
    assert "街道：新增 15，更新 0，不变 0" in out
    assert "社区：新增 261，更新 0，不变 0" in out
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
    assert "社区：新增 0，更新 0，不变 261" in again
    assert Community.objects.count() == 261 and c.history.count() == 1


@needs_data
@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing():
    out = run("import_adcode", str(XICHENG), "--dry-run")
    assert "演练" in out and "社区：新增 261" in out
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
    assert info.value.returncode == 2
    assert "bad.csv 第 3 行「code（第 1 列）」列" in text and "110102003001" in text
    assert "bad.csv 第 4 行「longitude（第 13 列）」列" in text
    assert "bad.csv 第 5 行「整行」列" in text
    assert "[" not in text  # no codes, words only
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
    assert "设施：新增 2，更新 0，不变 0" in out
    # keyed in the register's jurisdiction: street A1's file "register", 编号 1
    pharmacy = Facility.objects.get(key="street:110102001000/register:1")
    assert pharmacy.register_scope == "street:110102001000"
    assert pharmacy.community == world.a1x
    assert abs(pharmacy.lon - world.a1x.centre_lon) < 1e-6
    assert list(pharmacy.items.values_list("item_code", flat=True)) == ["shop.pharmacy"]
    assert pharmacy.opening_hours == [
        {"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "20:00"}
    ]
    assert pharmacy.history.get().history_user == world.users["street"]
    market = Facility.objects.get(key="street:110102001000/register:2")
    assert market.community == world.a1y
    # the server operator names the jurisdiction: the same keys, nothing changes
    again = run("import_facilities", str(path), "--crs", "gcj02", "--for", "110102001000")
    assert "设施：新增 0，更新 0，不变 2" in again
    assert Facility.objects.filter(register_scope="street:110102001000").count() == 2


def test_the_operator_must_name_the_registers_jurisdiction(world, tmp_path):
    path = _register(world, tmp_path)
    with pytest.raises(CommandError) as info:
        run("import_facilities", str(path), "--crs", "gcj02")
    assert info.value.returncode == 2 and "--for" in str(info.value)
    assert not Facility.objects.filter(key__contains="register:").exists()


def test_a_row_outside_every_community_is_left_out_and_named(world, tmp_path):
    path = _register(world, tmp_path, far=True)
    out = run("import_facilities", str(path), "--crs", "gcj02", "--as", "street_a1")
    assert "设施：新增 1，更新 0，不变 0，不在辖区内跳过 1" in out
    assert "第 3 行「南北长街菜市场」（99.99" in out and "不在任何社区内，跳过" in out
    assert Facility.objects.filter(key__contains="register:").count() == 1


def test_rows_outside_the_importers_jurisdiction_are_left_out_and_named(world, tmp_path):
    path = _register(world, tmp_path)
    out = run("import_facilities", str(path), "--crs", "gcj02", "--as", "community_a1x")
    # a1y is not the community officer's: left out, with the community it lies in
    assert "第 3 行「南北长街菜市场」位于北长街社区，不属于南北长街社区，跳过" in out
    (only,) = Facility.objects.filter(key__contains="register:")
    assert only.key == "community:110102001001/register:1" and only.community == world.a1x


def test_a_register_with_no_row_in_the_jurisdiction_is_refused(world, tmp_path):
    path = _register(world, tmp_path)
    with pytest.raises(CommandError) as info:  # GCJ-02 read as GCJ-02 is right, but not for A2
        run("import_facilities", str(path), "--crs", "gcj02", "--for", "110102003000")
    assert "没有一处设施位于新街口街道内" in str(info.value)
    assert not Facility.objects.filter(key__contains="register:").exists()


def test_register_rows_of_unknown_types_are_set_aside_and_reported(world, tmp_path):
    path = tmp_path / "r.csv"
    lon, lat = world.a1x.centre_lon, world.a1x.centre_lat
    path.write_text(
        f"名称,类别,经度,纬度\n某店,外星服务,{lon},{lat}\n长安药店,药店,{lon},{lat}\n",
        encoding="utf-8",
    )
    out = run("import_facilities", str(path), "--as", "street_a1")
    assert "1 行的类型不在标准内，未导入：外星服务 (1)" in out
    assert "第 2 行「某店」：类型「外星服务」不在标准内，未导入" in out
    assert "设施：新增 1，更新 0，不变 0" in out
    names = Facility.objects.filter(key__contains="/r:").values_list("name", flat=True)
    assert list(names) == ["长安药店"]
