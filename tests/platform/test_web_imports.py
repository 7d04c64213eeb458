"""A street officer imports its communities and its facility register from the web."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quarterhour.engine.coords import from_wgs84
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Community

ROW = (
    "{code},{parent},{name},village,5,110102,,,111,f,f,f,{lon},{lat},,"
    "北京市,市辖区,西城区,x,{name}\n"
)


def upload(client, kind, name, data, **extra):
    return client.post(
        reverse("web:imports"),
        {"kind": kind, "file": SimpleUploadedFile(name, data), **extra},
    )


def test_street_officer_imports_its_communities(client, world):
    client.force_login(world.users["street"])
    text = ROW.format(
        code="110102001003", parent="110102001000", name="新建社区", lon="116.3700", lat="39.9020"
    )
    dry = upload(client, "adcode", "mine.csv", text.encode(), dry_run="1")
    assert "community：新增 1" in dry.content.decode()
    assert not Community.objects.filter(code="110102001003").exists()
    done = upload(client, "adcode", "mine.csv", text.encode())
    assert "已写入数据库" in done.content.decode()
    created = Community.objects.get(code="110102001003")
    assert created.street == world.A1
    assert created.history.get().history_user == world.users["street"]


def test_street_officer_cannot_import_another_streets_community(client, world):
    client.force_login(world.users["street"])
    text = ROW.format(code="110101001009", parent="110101001000", name="别处社区", lon="", lat="")
    page = upload(client, "adcode", "other.csv", text.encode()).content.decode()
    assert 'id="import-error"' in page and "other.csv, row 1" in page
    assert not Community.objects.filter(code="110101001009").exists()


def test_street_officer_imports_its_facility_register(client, world):
    client.force_login(world.users["street"])
    lon, lat = from_wgs84([world.a1x.centre_lon], [world.a1x.centre_lat], crs="gcj02")
    csv = f"名称,类别,经度,纬度\n长安邮局,生活服务;邮局,{lon[0]},{lat[0]}\n".encode("gbk")
    page = upload(client, "facilities", "登记表.csv", csv, crs="gcj02").content.decode()
    assert "facility：新增 1" in page
    post = Facility.objects.get(key="登记表:2")
    assert post.community == world.a1x
    assert list(post.items.values_list("item_code", flat=True)) == ["shop.post"]


def test_register_row_outside_the_officers_street_is_refused(client, world):
    client.force_login(world.users["street"])
    csv = (
        "名称,类别,经度,纬度\n"
        f"本街道邮局,生活服务;邮局,{world.a1x.centre_lon},{world.a1x.centre_lat}\n"
        f"外街道邮局,生活服务;邮局,{world.b1x.centre_lon},{world.b1x.centre_lat}\n"
    ).encode()
    page = upload(client, "facilities", "reg.csv", csv).content.decode()
    assert "row 3" in page and "外街道邮局" in page
    assert not Facility.objects.filter(key__startswith="reg:").exists()


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
    page = upload(
        client, "facilities", "amap.csv", (header + company + health + health).encode(), crs="gcj02"
    ).content.decode()
    assert "facility：新增 1" in page
    assert "1 行的类型不在标准内，未导入：公司企业;公司;公司 (1)" in page
    assert "1 行与前面编号和内容都相同的重复行已略过" in page
    station = Facility.objects.get(key="amap:B01")
    assert station.community == world.a1x
    assert list(station.items.values_list("item_code", flat=True)) == ["station.health"]
    # the set-aside company does not shift the row named for the refused one (file row 4)
    page = upload(
        client,
        "facilities",
        "amap2.csv",
        (header + company + health + outside).encode(),
        crs="gcj02",
    ).content.decode()
    assert "row 4" in page and "外街道社区卫生服务站" in page
    assert not Facility.objects.filter(key__startswith="amap2:").exists()


def test_uploads_are_checked(client, world):
    client.force_login(world.users["street"])
    page = upload(client, "facilities", "x.exe", b"MZ").content.decode()
    assert "只接受 CSV、TSV 或 XLSX 文件" in page
    client.force_login(world.users["resident"])
    assert upload(client, "adcode", "a.csv", b"").status_code == 403
