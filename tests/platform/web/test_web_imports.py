"""The import page: a street officer uploads its communities or its facility register, sees every
problem at once or a preview, confirms; bad files change nothing and say what to do."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quarterhour.engine.coords import from_wgs84
from quarterhour.engine.network import build_network
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Community
from quarterhour.platform.planning.models import AssessmentRun
from quarterhour.platform.planning.networks import store_network
from tests.platform.conftest import DLAT, DLON
from tests.platform.facilities.helpers import snapshot
from tests.wide_xlsx import write_wide_xlsx

ROW = (
    "{code},{parent},{name},village,5,110102,,,111,f,f,f,{lon},{lat},,"
    "北京市,市辖区,西城区,x,{name}\n"
)


def check(client: Any, kind: str, name: str, data: bytes, **extra: str) -> str:
    fields = {"kind": kind, "action": "check", "crs": "wgs84", "encoding": "", **extra}
    response = client.post(
        reverse("web:imports"), {**fields, "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    return str(response.content.decode())


def confirm(client: Any, page: str) -> str:
    token = page.split('name="token" value="')[1].split('"')[0]
    response = client.post(reverse("web:imports"), {"action": "confirm", "token": token})
    return str(response.content.decode())


def counts(page: str) -> dict[str, str]:
    """The preview's table: 新增 / 更新 / 不变 / 跳过 of the facility (or community) row."""
    row = page.split('id="import-counts"')[1].split("</tbody>")[0].split("<tr>")[-1]
    return {
        k: row.split(f'data-count="{k}">')[1].split("<")[0]
        for k in ("created", "updated", "unchanged", "skipped")
    }


def gcj(c: Any, dx: float = 0.0) -> tuple[float, float]:
    lon, lat = from_wgs84([c.centre_lon + dx], [c.centre_lat], crs="gcj02")
    return float(lon[0]), float(lat[0])


def test_street_officer_imports_its_communities(client, world):
    client.force_login(world.users["street"])
    text = ROW.format(
        code="110102001003", parent="110102001000", name="新建社区", lon="116.3700", lat="39.9020"
    )
    page = check(client, "adcode", "mine.csv", text.encode())
    assert "预览" in page and counts(page)["created"] == "1"
    assert not Community.objects.filter(code="110102001003").exists()
    done = confirm(client, page)
    assert 'id="import-done"' in done and "已导入「mine.csv」" in done
    created = Community.objects.get(code="110102001003")
    assert created.street == world.A1
    assert created.history.get().history_user == world.users["street"]


def test_street_officer_cannot_import_another_streets_community(client, world):
    client.force_login(world.users["street"])
    text = ROW.format(code="110101001009", parent="110101001000", name="别处社区", lon="", lat="")
    page = check(client, "adcode", "other.csv", text.encode())
    assert 'id="import-error"' in page and "other.csv 第 1 行" in page
    assert "无权修改该辖区" in page
    assert not Community.objects.filter(code="110101001009").exists()


def test_a_gbk_gcj02_register_previews_then_imports_and_queues_the_assessment(
    client, world, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.QH_NETWORK_DIR = tmp_path / "networks"
    settings.QH_UPLOAD_DIR = tmp_path / "uploads"
    store_network(_grid(), name="grid")
    client.force_login(world.users["street"])
    (lon, lat), (lon2, lat2) = gcj(world.a1x), gcj(world.b1x)
    data = (
        f"名称,类别,经度,纬度\n长安邮局,生活服务;邮局,{lon},{lat}\n"
        f"东华门邮局,生活服务;邮局,{lon2},{lat2}\n"
    ).encode("gbk")
    page = check(client, "facilities", "登记表.csv", data, crs="gcj02", encoding="gbk")
    assert counts(page) == {"created": "1", "updated": "0", "unchanged": "0", "skipped": "1"}
    assert "第 3 行「东华门邮局」位于东华门社区，不属于西长安街街道，跳过" in page
    assert "这份设施登记表将导入到「西长安街街道」" in page
    assert not Facility.objects.filter(register_scope="street:110102001000").exists()
    done = confirm(client, page)
    post = Facility.objects.get(key="street:110102001000/登记表:2")
    assert post.community == world.a1x and abs(post.lon - world.a1x.centre_lon) < 1e-6
    assert list(post.items.values_list("item_code", flat=True)) == ["shop.post"]
    run = AssessmentRun.objects.get(street=world.A1)
    assert run.status == AssessmentRun.Status.QUEUED and run.requested_by == world.users["street"]
    assert f'href="/assessments/{run.pk}/"' in done
    assert not list((tmp_path / "uploads").iterdir())  # the stored upload is gone
    assert "这次上传已处理或已过期" in confirm(client, page)  # a second confirm does nothing


def test_every_problem_at_once_in_words_and_nothing_changes(client, world):
    client.force_login(world.users["street"])
    lon, lat = world.a1x.centre_lon, world.a1x.centre_lat
    data = (
        "名称,类别,经度,纬度\n"
        f"甲药房,药房,{lon},\n"
        f"乙药房,药房,abc,{lat}\n"
        "\n"
        f"{'丙' * 201},药房,{lon},{lat}\n"
        f"丁店,外星服务,{lon},{lat}\n"  # a type outside the standard: set aside, no problem
    ).encode()
    before = snapshot()
    page = check(client, "facilities", "坏表.csv", data)
    assert "「坏表.csv」有 2 处问题，未导入任何数据" in page
    assert "坏表.csv 第 2 行「纬度」列：缺少纬度" in page
    assert "坏表.csv 第 3 行「经度」列：经度不是数字" in page
    assert (
        "/tmp/" not in page
        and "[missing" not in page
        and "[" not in page.split('id="import-error"')[1].split("</section>")[0]
    )
    assert snapshot() == before
    # the engine's problems fixed, the platform's: the over-long name after the blank line
    fixed = data.replace(f"{lon},\n".encode(), f"{lon},{lat}\n".encode()).replace(
        b"abc", str(lon).encode()
    )
    page = check(client, "facilities", "坏表.csv", fixed)
    assert "坏表.csv 第 5 行「名称」列：有 201 字，超过 200 字的上限" in page
    assert snapshot() == before


def test_the_upload_limit_cuts_a_big_file_off(client, world, settings, tmp_path):
    settings.QH_IMPORT_MAX_BYTES = 2048
    settings.QH_UPLOAD_DIR = tmp_path / "uploads"
    client.force_login(world.users["street"])
    page = check(client, "facilities", "大.csv", b"x" * 5000)
    assert "文件超过 2 KB 的上限：请拆分成几个文件分别上传" in page
    assert not (tmp_path / "uploads").exists() or not list((tmp_path / "uploads").iterdir())


def test_street_officer_imports_an_amap_export_as_it_comes(client, world):
    """An AMap export: typecode, a location column in GCJ-02, types outside the standard (set
    aside and counted on the page), a POI returned twice; a row's number stays its file row."""
    client.force_login(world.users["street"])
    a, b = world.a1x, world.b1x
    (alon, blon), (alat, blat) = from_wgs84(
        [a.centre_lon, b.centre_lon], [a.centre_lat, b.centre_lat], crs="gcj02"
    )
    header = "id,name,type,typecode,location\n"
    health = f'B01,南北长街社区卫生服务站,医疗保健服务;综合医院;卫生院,090102,"{alon},{alat}"\n'
    company = f'B02,某某科技有限公司,公司企业;公司;公司,170200,"{alon},{alat}"\n'
    outside = f'B03,外街道社区卫生服务站,医疗保健服务;诊所;诊所,090300,"{blon},{blat}"\n'
    page = check(
        client, "facilities", "amap.csv", (header + company + health + health).encode(), crs="gcj02"
    )
    assert counts(page) == {"created": "1", "updated": "0", "unchanged": "0", "skipped": "0"}
    aside = page.split('id="import-set-aside"')[1].split("</ul>")[0]
    assert "1 行的类型不在标准内，未导入：公司企业;公司;公司 (1)" in aside
    assert "第 2 行「某某科技有限公司」：类型「公司企业;公司;公司」不在标准内，未导入" in aside
    assert "1 行与前面编号和内容都相同的重复行已略过" in aside
    assert "170200" not in aside and "station.health" not in page
    done = confirm(client, page)
    assert "已导入「amap.csv」" in done and "公司企业;公司;公司 (1)" in done
    station = Facility.objects.get(key="street:110102001000/amap:B01")
    assert station.community == world.a1x
    assert list(station.items.values_list("item_code", flat=True)) == ["station.health"]
    assert not Facility.objects.filter(name="某某科技有限公司").exists()
    # the set-aside company does not shift the row named for the one outside the street (row 4)
    page = check(
        client,
        "facilities",
        "amap2.csv",
        (header + company + health + outside).encode(),
        crs="gcj02",
    )
    assert "第 4 行「外街道社区卫生服务站」位于东华门社区，不属于西长安街街道，跳过" in page
    assert counts(page)["skipped"] == "1"
    assert not Facility.objects.filter(key__contains="/amap2:").exists()


def test_uploads_are_checked(client, world):
    client.force_login(world.users["street"])
    page = check(client, "facilities", "x.exe", b"MZ")
    assert "只接受 CSV、TSV 或 XLSX 文件" in page
    page = check(client, "facilities", "x.xls", b"MZ")
    assert "另存为 .xlsx" in page
    client.force_login(world.users["resident"])
    assert client.post(reverse("web:imports"), {"kind": "adcode"}).status_code == 403


def test_the_wide_spreadsheet_is_refused_quickly_in_little_memory(client, world, tmp_path):
    """Audit: a 1 MB XLSX whose 200,000 rows reach column XFD drove a worker to gigabytes."""
    wide = write_wide_xlsx(tmp_path / "台账.xlsx", declare=False).read_bytes()
    client.force_login(world.users["street"])
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        page = check(client, "facilities", "台账.xlsx", wide)
        seconds = time.perf_counter() - t0
        peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert "第 1 行有单元格" in page and "第 XFD 列" in page and "上限 100 列" in page
    assert seconds < 10 and peak_mib < 60, (seconds, peak_mib)


def _grid() -> Any:
    """Streets every 50 m over the world's squares (x 0…2000 m, y 0…1000 m), WGS-84."""
    xs = np.arange(0, 2001, 50.0)
    ys = np.arange(0, 1001, 50.0)
    lon, lat, u, v = [], [], [], []
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            lon.append(116.36 + x / 500.0 * DLON)
            lat.append(39.90 + y / 500.0 * DLAT)
            k = j * len(xs) + i
            if i + 1 < len(xs):
                u.append(k)
                v.append(k + 1)
            if j + 1 < len(ys):
                u.append(k)
                v.append(k + len(xs))
    return build_network(lon, lat, u, v, edge_length_m=np.full(len(u), 50.0), source="grid")


@pytest.fixture
def gridded(world: Any, settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    settings.QH_NETWORK_DIR = tmp_path / "networks"
    settings.QH_UPLOAD_DIR = tmp_path / "uploads"
    store_network(_grid(), name="grid")
    return world


def test_gcj02_declared_as_wgs84_is_refused_naming_the_fix(client, gridded):
    """Audit: a GCJ-02 point imported from the web as WGS-84 was stored ~530 m off."""
    world = gridded
    # six post offices on north-south streets of a1x, halfway between crossings
    spots = [(100 + 50 * (k % 3), 100 + 50 * (k // 3)) for k in range(6)]
    rows = []
    for k, (x, y) in enumerate(spots):
        wlon, wlat = 116.36 + x / 500.0 * DLON, 39.90 + (y + 25) / 500.0 * DLAT
        glon, glat = from_wgs84([wlon], [wlat], crs="gcj02")
        rows.append(f"邮局{k},生活服务;邮局,{float(glon[0]):.7f},{float(glat[0]):.7f}")
    data = ("名称,类别,经度,纬度\n" + "\n".join(rows) + "\n").encode()
    client.force_login(world.users["street"])
    before = snapshot()
    page = check(client, "facilities", "邮局.csv", data, crs="wgs84")
    assert "坐标看起来是「高德地图、腾讯地图（GCJ-02）」" in page
    assert "而不是所选的「GPS 定位、天地图、OpenStreetMap（WGS-84）」" in page
    assert "请把坐标系改为「高德地图、腾讯地图（GCJ-02）」后重新上传" in page
    assert snapshot() == before
    page = check(client, "facilities", "邮局.csv", data, crs="gcj02")
    assert counts(page)["created"] == "6"
    confirm(client, page)
    stored = Facility.objects.filter(register_scope="street:110102001000").order_by("name")
    assert stored.count() == 6
    first = stored[0]  # on its street: 25 m north of the crossing (100, 100)
    assert abs(first.lon - (116.36 + 100 / 500.0 * DLON)) < 2e-6
    assert abs(first.lat - (39.90 + 125 / 500.0 * DLAT)) < 2e-6


def test_the_assessment_after_an_import_shows_which_circles_gained_which_items(client, gridded):
    """Journey 10's end: import a health station into 南北长街社区, the queued assessment runs,
    and its page says that 长安服务圈 now meets 卫生服务站 (it did not before)."""
    from quarterhour.platform.planning.services import assessment_request
    from quarterhour.platform.planning.worker import work

    world = gridded
    first = assessment_request(actor=world.users["street"], street=world.A1)
    assert work(once=True) == 1
    client.force_login(world.users["street"])
    lon, lat = world.a1x.centre_lon, world.a1x.centre_lat
    data = f"名称,类别,经度,纬度\n南北长街卫生服务站,社区卫生服务站,{lon},{lat}\n".encode()
    done = confirm(client, check(client, "facilities", "卫生.csv", data))
    run = AssessmentRun.objects.exclude(pk=first.pk).get(street=world.A1)
    assert f'href="/assessments/{run.pk}/"' in done
    assert work(once=True) == 1
    page = client.get(reverse("web:assessment", args=[run.pk])).content.decode()
    section = page.split('id="circle-changes"')[1].split("</section>")[0]
    assert "长安服务圈" in section and "新达标：卫生服务站" in section
    assert "新街口服务圈" not in section  # A2's circle is not in A1's assessment
    from quarterhour.platform.planning.models import CircleItemResult

    assert CircleItemResult.objects.get(run=run, circle=world.cA1, item_code="station.health").met
    assert not CircleItemResult.objects.get(
        run=first, circle=world.cA1, item_code="station.health"
    ).met
