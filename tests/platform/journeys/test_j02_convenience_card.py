"""Journey 2 — print my convenience card (发放便民服务卡(手册)).

From ``/`` a resident finds home, chooses "print the convenience card" for that place, and gets
one A4 page (and a pocket A6, front and back): the nearest place of each item with walking
minutes, hours and phone, the 96156 hotline and the supervision phone, and a QR code that leads
to the live page of the same place. The places on the card are the demo's stored places.
"""

from __future__ import annotations

import re
import subprocess
from urllib.parse import parse_qs, urlsplit

import numpy as np

from tests.platform.journeys.conftest import SHOTS, shot

A4 = (595, 842)
A6 = (298, 420)


def _pdf(page, link) -> bytes:
    """The PDF a link of the page leads to (fetched with the page's own session)."""
    href = link.get_attribute("href")
    answer = page.request.get(page.url.split("/card/")[0] + href if href.startswith("/") else href)
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    return answer.body()


def _pages(pdf: bytes) -> tuple[list[tuple[int, int]], str, object]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    sizes = [(round(p.get_width()), round(p.get_height())) for p in doc]
    text = "".join(p.get_textpage().get_text_range() for p in doc)
    return sizes, text, doc


def _qr_ink(doc) -> float:
    """Share of dark pixels in the square above the QR code's caption (a QR code: about half)."""
    page = doc[0]
    tp = page.get_textpage()
    full = tp.get_text_range()
    at = full.index("扫码查看最新信息")
    left, _bottom, _right, top = tp.get_charbox(at)
    _l2, _b2, right2, _t2 = tp.get_charbox(at + 7)
    scale = 3
    image = np.asarray(page.render(scale=scale).to_pil().convert("L"))
    height = page.get_height()
    mid = (left + right2) / 2
    side = 60  # points: the code is 26 mm ≈ 74 pt wide
    x0, x1 = int((mid - side / 2) * scale), int((mid + side / 2) * scale)
    y1 = int((height - top) * scale) - 4
    y0 = y1 - side * scale
    crop = image[y0:y1, x0:x1]
    return float((crop < 128).mean())


def test_print_my_card_for_the_place_i_chose(demo, page):
    name = re.fullmatch(r"如：(.+)", page.get_attribute("#q", "placeholder")).group(1)
    page.fill("#q", name)
    page.get_by_role("button", name="查找我的周边").click()
    page.wait_for_selector("#map.isochrone-ready")
    page.get_by_role("link", name="打印这个位置的便民卡").click()
    page.wait_for_selector("table.card-table")

    # the card: the phones, the QR code to the live page of the same place
    hotline = page.locator(".phones .hotline").inner_text()
    supervision = page.locator(".phones .supervision").inner_text()
    assert "社区服务热线 96156" in hotline and supervision.startswith("监督电话 ")
    here = parse_qs(urlsplit(page.url).query)
    import qrcode
    import qrcode.image.svg

    live = f"{demo.url}/near/?lon={here['lon'][0]}&lat={here['lat'][0]}"
    expected = qrcode.make(
        live, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    ).to_string(encoding="unicode")
    drawn = page.locator("figure.qr svg path").get_attribute("d")
    assert drawn and drawn in expected
    # each row: an item, its nearest stored place, minutes, hours, phone
    rows = page.locator("table.card-table tbody tr:not(.cat)")
    assert rows.count() >= 5
    assert page.locator("table.card-table tr.cat th").all_inner_texts()[0] == "社区公共服务"
    for i in range(rows.count()):
        cells = rows.nth(i).locator("th, td").all_inner_texts()
        assert re.fullmatch(r"\d+ 分钟", cells[2]), cells
        assert "osm:node" not in cells[1]
    # each row names a stored, active place of the row's item
    for i in range(rows.count()):
        pk, code = (
            rows.nth(i).get_attribute("data-facility"),
            rows.nth(i).get_attribute("data-code"),
        )
        assert (
            demo.one(
                "select count(*) from facilities_facility f join facilities_facilityitem i "
                "on i.facility_id = f.id where f.id = %s and f.is_active and i.item_code = %s",
                int(pk),
                code,
            )
            == 1
        ), (pk, code)
    shot(page, "j02-card")

    # one A4 page
    sizes, text, doc = _pages(_pdf(page, page.get_by_role("link", name="下载 PDF（A4 一页）")))
    assert sizes == [A4]
    for words in ("便民服务卡", "社区服务热线", "96156", "监督电话", "分钟", "扫码查看最新信息"):
        assert words in text, words
    assert 0.3 < _qr_ink(doc) < 0.7
    doc.close()
    a4 = _pdf(page, page.get_by_role("link", name="下载 PDF（A4 一页）"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "j02-card-a4.pdf").write_bytes(a4)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-singlefile",
            str(SHOTS / "j02-card-a4.pdf"),
            str(SHOTS / "j02-card-a4"),
        ],
        check=True,
    )

    # the pocket version: A6, a front (the phones, the QR code) and a back (the places)
    a6 = _pdf(page, page.get_by_role("link", name="下载口袋版 PDF（A6）"))
    sizes, text, doc = _pages(a6)
    assert sizes == [A6, A6]
    front = doc[0].get_textpage().get_text_range()
    assert "96156" in front and "监督电话" in front and "扫码查看最新信息" in front
    assert "分钟" in doc[1].get_textpage().get_text_range()
    doc.close()
    (SHOTS / "j02-card-a6.pdf").write_bytes(a6)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            str(SHOTS / "j02-card-a6.pdf"),
            str(SHOTS / "j02-card-a6"),
        ],
        check=True,
    )
