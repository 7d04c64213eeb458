"""Journey 10: a street officer imports the facility register and sees coverage change
(缺什么，补什么).

From the street officer's home: 导入 → a register file of the street's own communities, saved by
Chinese Excel (GBK) with coordinates from AMap (GCJ-02), chosen in words → 检查并预览 shows what
would change → 确认导入 → the page links to the assessment it queued; the demo's worker runs it,
and the assessment page says which circles gained which items. The register is made here, from
the demo's database: for two circles of the street, one facility of an item each circle misses,
at the middle of the circle. (The demo map is Helsinki, outside China, where GCJ-02 and WGS-84
coincide: the conversion is exercised, and the points stay where they are.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quarterhour.engine.coords import from_wgs84
from quarterhour.engine.standards import load_standard
from tests.platform.journeys.conftest import login, shot

STREET = "990100001000"  # 南港街道（演示）, demo-street's street


@dataclass(frozen=True)
class Row:
    """One register row: a facility of ``code`` (a walk item ``circle`` misses) at its middle."""

    ident: str
    name: str
    category: str
    code: str
    label: str
    circle: str
    lon: float
    lat: float


def _register_rows(demo: Any) -> list[Row]:
    """Two circles of the street, each with a walk item it misses in the latest result."""
    std = load_standard("beijing-2011")
    walk = {i.code: i for i in std.items if i.walk_applies}
    circles = demo.sql(
        "select c.id, c.name from geography_circle c join geography_street s on s.id = c.street_id"
        " where s.code = %s order by c.code",
        STREET,
    )
    rows: list[Row] = []
    for circle_id, circle_name in circles:
        missing = [
            code
            for (code,) in demo.sql(
                "select i.item_code from planning_circleitemresult i"
                " join planning_circleresult r on r.run_id = i.run_id and r.circle_id = i.circle_id"
                " where r.is_latest and i.circle_id = %s and i.met = %s order by i.item_code",
                circle_id,
                False,
            )
            if code in walk
        ]
        # a category text the register reader files under exactly that item
        found = next(
            (
                (code, text)
                for code in missing
                for text in (walk[code].name_zh, *walk[code].keywords_zh)
                if std.classify_category(text) == (code,)
            ),
            None,
        )
        if found is None:
            continue
        centres = demo.sql(
            "select m.centre_lon, m.centre_lat from geography_community m"
            " join geography_circlemembership cm on cm.community_id = m.id"
            " where cm.circle_id = %s",
            circle_id,
        )
        code, text = found
        rows.append(
            Row(
                ident=f"J10-{len(rows) + 1}",
                name=f"{circle_name}{walk[code].name_zh}（演示）",
                category=text,
                code=code,
                label=walk[code].name_zh,
                circle=circle_name,
                lon=sum(c[0] for c in centres) / len(centres),
                lat=sum(c[1] for c in centres) / len(centres),
            )
        )
        if len(rows) == 2:
            return rows
    raise AssertionError("the demo's street has no two circles missing a walk item")


def _write_gbk_gcj02(path: Path, rows: list[Row]) -> Path:
    """The register as Chinese Excel saves it: GBK, CRLF, coordinates as AMap gives them."""
    glon, glat = from_wgs84([r.lon for r in rows], [r.lat for r in rows], crs="gcj02")
    lines = ["编号,名称,类别,地址,经度（GCJ-02）,纬度（GCJ-02）"]
    for r, x, y in zip(rows, glon.tolist(), glat.tolist(), strict=True):
        lines.append(f"{r.ident},{r.name},{r.category},{r.circle}中心,{x:.7f},{y:.7f}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def test_j10_import_the_register_and_see_which_circles_gained_which_items(demo, page, tmp_path):
    rows = _register_rows(demo)
    register = _write_gbk_gcj02(tmp_path / "南港街道设施台账.csv", rows)

    # the same register with two mistakes: a longitude that is no number, a latitude left empty
    # (a category outside the standard is no mistake: such a row is set aside and listed)
    broken = tmp_path / "broken" / register.name
    broken.parent.mkdir()
    text = register.read_bytes().decode("gbk").splitlines()
    first, second = text[1].split(","), text[2].split(",")
    first[4], second[5] = "东经116度", ""
    broken.write_bytes("\r\n".join([text[0], ",".join(first), ",".join(second), ""]).encode("gbk"))

    def upload(path: Path) -> None:
        page.get_by_label("设施登记表").check()
        page.get_by_label("坐标来自哪里（坐标系）").select_option(
            label="高德地图、腾讯地图（GCJ-02）"
        )
        page.get_by_label("文字编码").select_option(label="GBK（中文版 Excel 另存的 CSV）")
        page.set_input_files("input[type=file]", str(path))

    login(page, "demo-street")
    page.get_by_role("link", name="导入", exact=True).click()
    upload(broken)
    shot(page, "j10-import-form")
    page.get_by_role("button", name="检查并预览").click()
    problems = page.locator("#import-error")
    assert "有 2 处问题，未导入任何数据" in problems.inner_text()
    listed = problems.locator("li").all_inner_texts()
    assert listed[0].startswith("南港街道设施台账.csv 第 2 行「经度（GCJ-02）」列：经度不是数字")
    assert listed[1].startswith("南港街道设施台账.csv 第 3 行「纬度（GCJ-02）」列：缺少纬度")
    shot(page, "j10-import-problems")

    upload(register)
    page.get_by_role("button", name="检查并预览").click()
    preview = page.locator("#import-preview")
    assert "这份设施登记表将导入到「南港街道（演示）」" in preview.inner_text()
    added = page.locator("#import-added li").all_inner_texts()
    assert [line.split("：")[0] for line in added] == [f"第 {k} 行「{r.name}」" for k, r in
                                                       ((2, rows[0]), (3, rows[1]))]  # fmt: skip
    counts = page.locator("#import-counts tbody tr").first
    assert counts.locator("[data-count=created]").inner_text() == "2"
    assert counts.locator("[data-count=skipped]").inner_text() == "0"
    scope = f"street:{STREET}"
    assert (
        demo.one("select count(*) from facilities_facility where register_scope = %s", scope) == 0
    )  # a preview writes nothing
    shot(page, "j10-import-preview")
    page.get_by_role("button", name="确认导入").click()

    assert "已导入「南港街道设施台账.csv」" in page.locator("#import-done").inner_text()
    stored = demo.sql(
        "select key, name, lon, lat from facilities_facility where register_scope = %s"
        " order by key",
        scope,
    )
    assert [s[0] for s in stored] == [f"{scope}/南港街道设施台账:{r.ident}" for r in rows]
    for (_key, name, lon, lat), r in zip(stored, rows, strict=True):
        assert name == r.name and abs(lon - r.lon) < 1e-6 and abs(lat - r.lat) < 1e-6
    history = demo.sql(
        "select h.history_type, u.username from facilities_historicalfacility h"
        " join accounts_user u on u.id = h.history_user_id where h.register_scope = %s",
        scope,
    )
    assert history == [("+", "demo-street"), ("+", "demo-street")]
    shot(page, "j10-imported")

    page.get_by_role("link", name="查看评估进度，以及各服务圈补上了哪些项目").click()
    changes = page.locator("#circle-changes")
    changes.wait_for(timeout=300_000)  # the demo's worker runs the street's assessment
    run_id, status = demo.one(
        "select r.id, r.status from planning_assessmentrun r join geography_street s"
        " on s.id = r.street_id where s.code = %s order by r.id desc limit 1",
        STREET,
    )
    assert status == "done"
    lines = changes.inner_text().splitlines()
    for r in rows:
        assert any(r.circle in line and f"新达标：{r.label}" in line for line in lines), lines
        met = dict(
            demo.sql(
                "select i.run_id, i.met from planning_circleitemresult i join geography_circle c"
                " on c.id = i.circle_id where c.name = %s and i.item_code = %s",
                r.circle,
                r.code,
            )
        )
        before = max(k for k in met if k < run_id)
        assert met[run_id] and not met[before]
    shot(page, "j10-circles-gained")
