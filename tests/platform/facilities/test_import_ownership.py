"""Who an import may change: the audit's findings on register imports, each a regression test.

Two streets in two districts (the conftest's world): 西长安街街道 A1 (西城区) and 东华门街道 B1
(东城区), each with an officer. fB1 is B1's health station in 东华门社区 (b1x). Every test imports
the way people do: ``quarterhour manage import_facilities --as`` or the web page.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from quarterhour.platform.facilities.models import Facility, FacilityItem
from tests.platform.conftest import make_user
from tests.platform.facilities.helpers import snapshot

STREET_A1 = "street:110102001000"
STREET_B1 = "street:110101001000"


def manage(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def register(path: Path, rows: list[tuple[str, ...]], *, header: str) -> Path:
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", "utf-8")
    return path


def at(c: Any, dx: float = 0.0) -> tuple[str, str]:
    return f"{c.centre_lon + dx:.7f}", f"{c.centre_lat:.7f}"


@pytest.fixture
def street_b1(world: Any) -> Any:
    return make_user("street_b1", "street", street=world.B1)


def test_an_id_of_another_districts_facility_does_not_rename_or_move_it(world, tmp_path):
    """Audit: a street officer's test.csv with 编号 fB1 renamed and moved 东华门卫生站."""
    path = register(
        tmp_path / "test.csv",
        [("fB1", "长安邮局", "生活服务;邮局", *at(world.a1x))],
        header="编号,名称,类别,经度,纬度",
    )
    out = manage("import_facilities", str(path), "--as", "street_a1")
    assert "设施：新增 1，更新 0，不变 0" in out
    fb1 = Facility.objects.get(pk=world.fB1.pk)
    assert (fb1.key, fb1.name, fb1.community_id) == ("test:fB1", "东华门卫生站", world.b1x.pk)
    assert (fb1.lon, fb1.lat) == (world.b1x.centre_lon, world.b1x.centre_lat)
    assert fb1.history.count() == 1  # its creation only
    post = Facility.objects.get(key=f"{STREET_A1}/test:fB1")
    assert post.name == "长安邮局" and post.community == world.a1x


def test_the_same_on_the_web(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users["street"])
    lon, lat = at(world.a1x)
    data = f"编号,名称,类别,经度,纬度\nfB1,长安邮局,生活服务;邮局,{lon},{lat}\n".encode()
    page = client.post(
        reverse("web:imports"),
        {"kind": "facilities", "action": "check", "crs": "wgs84", "encoding": "",
         "file": SimpleUploadedFile("test.csv", data)},
    ).content.decode()  # fmt: skip
    assert 'id="import-preview"' in page
    token = page.split('name="token" value="')[1].split('"')[0]
    client.post(reverse("web:imports"), {"action": "confirm", "token": token})
    fb1 = Facility.objects.get(pk=world.fB1.pk)
    assert (fb1.name, fb1.community_id) == ("东华门卫生站", world.b1x.pk)
    assert Facility.objects.get(key=f"{STREET_A1}/test:fB1").community == world.a1x


def test_two_streets_files_of_the_same_name_never_share_keys(world, street_b1, tmp_path):
    """Audit: two streets each upload 台账.csv without an id column; the second overwrote the
    first's rows."""
    header = "名称,类别,经度,纬度"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = register(
        tmp_path / "a" / "台账.csv",
        [
            ("长安邮局", "生活服务;邮局", *at(world.a1x)),
            ("北长街超市", "药房", *at(world.a1y)),
        ],
        header=header,
    )
    b = register(
        tmp_path / "b" / "台账.csv",
        [
            ("东华门邮局", "生活服务;邮局", *at(world.b1x)),
            ("东华门超市", "药房", *at(world.b1x, 0.001)),
        ],
        header=header,
    )
    manage("import_facilities", str(a), "--as", "street_a1")
    before = sorted(
        Facility.objects.filter(register_scope=STREET_A1).values_list("key", "name", "community")
    )
    out = manage("import_facilities", str(b), "--as", "street_b1")
    assert "设施：新增 2，更新 0，不变 0" in out
    after = sorted(
        Facility.objects.filter(register_scope=STREET_A1).values_list("key", "name", "community")
    )
    assert (
        after
        == before
        == [
            (f"{STREET_A1}/台账:2", "长安邮局", world.a1x.pk),
            (f"{STREET_A1}/台账:3", "北长街超市", world.a1y.pk),
        ]
    )
    assert sorted(Facility.objects.filter(register_scope=STREET_B1).values_list("key", "name")) == [
        (f"{STREET_B1}/台账:2", "东华门邮局"),
        (f"{STREET_B1}/台账:3", "东华门超市"),
    ]


def test_a_key_of_a_facility_now_outside_the_jurisdiction_is_a_row_error_naming_it(world, tmp_path):
    """A facility of street A1's register that has since been moved into 东华门社区 (B1):
    A1's next import may not touch it; the row says which facility and where it is."""
    moved = Facility.objects.create(
        key=f"{STREET_A1}/台账:7",
        register_scope=STREET_A1,
        name="迁出的药房",
        lon=world.b1x.centre_lon,
        lat=world.b1x.centre_lat,
        community=world.b1x,
    )
    path = register(
        tmp_path / "台账.csv",
        [
            ("3", "长安邮局", "生活服务;邮局", *at(world.a1x)),
            ("7", "迁回药房", "药房", *at(world.a1x)),
        ],
        header="编号,名称,类别,经度,纬度",
    )
    before = snapshot()
    with pytest.raises(CommandError) as info:
        manage("import_facilities", str(path), "--as", "street_a1")
    text = str(info.value)
    assert info.value.returncode == 2
    assert "台账.csv 第 3 行「编号」列" in text
    assert "编号「7」已登记为「迁出的药房」（东华门社区），不在西长安街街道" in text
    assert snapshot() == before  # nothing written, not even the good row
    moved.refresh_from_db()
    assert (moved.name, moved.community_id) == ("迁出的药房", world.b1x.pk)


def test_provider_staff_are_refused_before_the_file_is_read(world, tmp_path, client):
    """Audit: the file was parsed before any permission check, so provider staff could exhaust
    a worker's memory. Now the refusal comes first: a file that is not even a spreadsheet is
    never opened."""
    junk = tmp_path / "台账.xlsx"
    junk.write_bytes(b"not a spreadsheet at all")
    with pytest.raises(CommandError) as info:
        manage("import_facilities", str(junk), "--as", "provider_pa1")
    assert info.value.returncode == 2 and "您无权导入设施登记表" in str(info.value)
    assert "XLSX" not in str(info.value)
    client.force_login(world.users["provider"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("web:imports"),
        {"kind": "facilities", "action": "check", "file": SimpleUploadedFile("x.xlsx", b"x")},
    )
    assert response.status_code == 403
    assert "您无权导入数据" in response.content.decode()
    assert client.get(reverse("web:imports")).status_code == 403


def test_over_long_values_are_row_errors_not_database_errors(world, tmp_path):
    """Audit: over-long names in imports gave raw DataError tracebacks (PostgreSQL)."""
    path = register(
        tmp_path / "长名.csv",
        [
            ("1", "药" * 201, "药房", *at(world.a1x), "010"),
            ("2", "长安邮局", "生活服务;邮局", *at(world.a1x), "1" * 65),
        ],
        header="编号,名称,类别,经度,纬度,电话",
    )
    before = snapshot()
    with pytest.raises(CommandError) as info:
        manage("import_facilities", str(path), "--as", "street_a1")
    text = str(info.value)
    assert "长名.csv 第 2 行「名称」列：有 201 字，超过 200 字的上限：请缩短后重新导入" in text
    assert "长名.csv 第 3 行「电话」列：有 65 字，超过 64 字的上限" in text
    assert "DataError" not in text and snapshot() == before


def test_row_numbers_are_the_spreadsheets_after_blank_lines(world, tmp_path):
    """Audit: row numbers were wrong after blank lines."""
    lon, lat = at(world.a1x)
    path = tmp_path / "空行.csv"
    path.write_text(
        f"名称,类别,经度,纬度\n甲药房,药房,{lon},{lat}\n\n\n乙店,外星服务,{lon},{lat}\n", "utf-8"
    )
    out = manage("import_facilities", str(path), "--as", "street_a1", "--dry-run")
    assert "第 5 行「乙店」：类型「外星服务」不在标准内，未导入" in out  # set aside, by its row
    path.write_text(
        f"名称,类别,经度,纬度\n甲药房,药房,{lon},{lat}\n\n\n{'乙' * 201},药房,{lon},{lat}\n",
        "utf-8",
    )
    with pytest.raises(CommandError) as info:
        manage("import_facilities", str(path), "--as", "street_a1")
    assert "空行.csv 第 5 行「名称」列" in str(info.value)
    path.write_text(
        f"名称,类别,经度,纬度\n甲药房,药房,{lon},{lat}\n\n\n乙店,药房,100.0,30.0\n", "utf-8"
    )
    out = manage("import_facilities", str(path), "--as", "street_a1")
    assert "第 5 行「乙店」（100.000000, 30.000000）不在任何社区内，跳过" in out


def test_legacy_keys_move_into_their_streets_register(world, tmp_path):
    """The migration: a key made before registers had jurisdictions (``台账:1``) moves into the
    register of the street its facility lies in; the street's next import of the same file
    then finds it (unchanged), and OSM keys stay global."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("quarterhour.platform.facilities.migrations.0005_register_scope")
    lon, lat = at(world.a1x)
    old = Facility.objects.create(
        key="台账:1", name="长安邮局", lon=float(lon), lat=float(lat), community=world.a1x,
        source="台账.csv",
    )  # fmt: skip
    FacilityItem.objects.create(facility=old, item_code="shop.post")
    osm = Facility.objects.create(
        key="osm:node/1", name="便利店", lon=float(lon), lat=float(lat), community=world.a1x
    )
    migration.scope_legacy_keys(apps, None)
    old.refresh_from_db()
    osm.refresh_from_db()
    assert (old.key, old.register_scope) == (f"{STREET_A1}/台账:1", STREET_A1)
    assert (osm.key, osm.register_scope) == ("osm:node/1", "")
    path = register(
        tmp_path / "台账.csv", [("1", "长安邮局", "生活服务;邮局", lon, lat)],
        header="编号,名称,类别,经度,纬度",
    )  # fmt: skip
    assert "设施：新增 0，更新 0，不变 1" in manage(
        "import_facilities", str(path), "--as", "street_a1"
    )
