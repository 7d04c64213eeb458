"""A self-contained HTML report that works offline: maps, tables and target progress.

Everything is inline: CSS, and maps rendered by matplotlib (``Figure`` without pyplot, no global
state) as base64 PNG. Text is Chinese first with English alongside. Map labels are bilingual
when a CJK font is installed ("Noto Sans CJK SC", Debian ``fonts-noto-cjk``, or another common
one) and English otherwise — the page text around them is always bilingual, the browser draws
it with its own fonts. Maps drawn on OpenStreetMap data carry "© OpenStreetMap contributors".
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager

from quarterhour.engine.circles import CircleLayout
from quarterhour.engine.coverage import CoverageTable, ItemSpec, RollUp
from quarterhour.engine.exports import KIND_ZH, OSM_ATTRIBUTION, SitingPlan
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.planning import Gap, counted_label
from quarterhour.engine.population import Communities

FloatArray = npt.NDArray[np.float64]

#: Fonts tried, in order, for Chinese map labels.
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)


def cjk_font() -> str | None:
    """The first installed font of :data:`CJK_FONTS`, or None."""
    names = {f.name for f in fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in names), None)


@dataclass(frozen=True, slots=True, eq=False)
class ReportData:
    """What the report shows. Optional parts are left out of the page when absent."""

    title_zh: str
    title_en: str
    network: WalkNetwork
    osm_derived: bool
    item_specs: tuple[ItemSpec, ...]
    walk_minutes: float
    speed_kmh: float
    limit_m: float
    facilities: tuple[Facility, ...] = ()
    origins: Origins | None = None
    minutes: Mapping[str, FloatArray] = field(default_factory=dict)  # per item, per origin
    communities: Communities | None = None
    community_table: CoverageTable | None = None
    derived_areas: bool = False
    layout: CircleLayout | None = None
    circle_table: CoverageTable | None = None
    roll_up: tuple[RollUp, ...] = ()
    plans: tuple[SitingPlan, ...] = ()
    notes: tuple[str, ...] = ()
    max_item_maps: int = 40
    counted: str = "residents"  # or "network_points": no population was given
    gaps: tuple[Gap, ...] = ()  # per circle (else community): required items not met
    items_table: CoverageTable | None = None  # per-item coverage when no zone table is shown


# ---------------------------------------------------------------------------------------------
# maps


@contextmanager
def _style() -> Iterator[bool]:
    font = cjk_font()
    family = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with rc_context({"font.size": 9, "axes.titlesize": 10, "font.family": family}):
        yield font is not None


def _label(zh: str, en: str, cjk: bool) -> str:
    return f"{zh} / {en}" if cjk else en


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


@dataclass(frozen=True, slots=True, eq=False)
class _Background:
    """The walk network drawn once as an image, reused under every map (lines are slow)."""

    image: npt.NDArray[np.uint8]
    extent: tuple[float, float, float, float]


def _segments(net: WalkNetwork) -> FloatArray:
    return np.stack(
        [
            np.column_stack([net.node_lon[net.edge_u], net.node_lat[net.edge_u]]),
            np.column_stack([net.node_lon[net.edge_v], net.node_lat[net.edge_v]]),
        ],
        axis=1,
    )


def network_background(net: WalkNetwork, *, width_px: int = 1000) -> _Background:
    x0, x1 = float(net.node_lon.min()), float(net.node_lon.max())
    y0, y1 = float(net.node_lat.min()), float(net.node_lat.max())
    k = math.cos(math.radians((y0 + y1) / 2.0))
    span_x = max((x1 - x0) * k, 1e-9)
    height_px = max(1, round(width_px * max(y1 - y0, 1e-9) / span_x))
    fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.add_collection(LineCollection(_segments(net), colors="#c8c8c8", linewidths=0.5))  # type: ignore[arg-type]
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    rgba = np.asarray(canvas.buffer_rgba()).copy()  # type: ignore[no-untyped-call]
    return _Background(rgba, (x0, x1, y0, y1))


def _base_map(data: ReportData, title: str, bg: _Background | None = None) -> tuple[Figure, Axes]:
    # a fixed layout: the constrained-layout engine cost more than drawing the map itself
    fig = Figure(figsize=(7.5, 6.0))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.06, top=0.94)
    ax = fig.add_subplot(1, 1, 1)
    net = data.network
    bg = bg or network_background(net)
    ax.imshow(bg.image, extent=bg.extent, interpolation="antialiased", zorder=0)
    ax.set_xlim(float(net.node_lon.min()), float(net.node_lon.max()))
    ax.set_ylim(float(net.node_lat.min()), float(net.node_lat.max()))
    ax.set_aspect(1.0 / math.cos(math.radians(float(net.node_lat.mean()))))
    ax.set_title(title)
    ax.tick_params(labelsize=7)
    if data.osm_derived:
        ax.text(
            0.995, 0.005, OSM_ATTRIBUTION, transform=ax.transAxes, ha="right", va="bottom",
            fontsize=7, color="#333333", bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 1},
        )  # fmt: skip
    return fig, ax


def coverage_map(
    data: ReportData, spec: ItemSpec, cjk: bool, bg: _Background | None = None
) -> str | None:
    if data.origins is None or spec.code not in data.minutes:
        return None
    m = data.minutes[spec.code]
    o = data.origins
    fig, ax = _base_map(data, _label(spec.name_zh, spec.name_en, cjk) + f" ({spec.code})", bg)
    within = np.isfinite(m)
    ax.scatter(
        o.lon[~within], o.lat[~within], s=3, c="#d62728", marker="x", linewidths=0.5,
        label=_label("超出步行时限", "beyond the walk", cjk), zorder=2,
    )  # fmt: skip
    sc = ax.scatter(
        o.lon[within], o.lat[within], s=4, c=m[within], cmap="viridis_r", vmin=0,
        vmax=data.walk_minutes, zorder=3,
    )  # fmt: skip
    fac = [f for f in data.facilities if spec.code in f.item_codes]
    if fac:
        ax.scatter(
            [f.lon for f in fac], [f.lat for f in fac], s=28, marker="^", c="black",
            label=_label("设施", "facility", cjk), zorder=4,
        )  # fmt: skip
    fig.colorbar(sc, ax=ax, shrink=0.7, label=_label("步行分钟", "walking minutes", cjk))
    ax.legend(loc="upper right", fontsize=7)
    return _png(fig)


def gap_map(data: ReportData, cjk: bool, bg: _Background | None = None) -> str | None:
    if data.origins is None or not data.minutes:
        return None
    req = [s.code for s in data.item_specs if s.required and s.code in data.minutes]
    if not req:
        return None
    missing = np.zeros(len(data.origins), dtype=np.int64)
    for c in req:
        missing += ~np.isfinite(data.minutes[c])
    fig, ax = _base_map(
        data, _label("步行时限内缺少的项目数", "required items missing within the walk", cjk), bg
    )
    sc = ax.scatter(
        data.origins.lon, data.origins.lat, s=4, c=missing, cmap="Reds", vmin=0,
        vmax=max(1, len(req)), zorder=3,
    )  # fmt: skip
    fig.colorbar(sc, ax=ax, shrink=0.7, label=_label("缺项数", "items missing", cjk))
    return _png(fig)


def circles_map(data: ReportData, cjk: bool, bg: _Background | None = None) -> str | None:
    if data.layout is None:
        return None
    net = data.network
    lab = data.layout.node_circle
    fig, ax = _base_map(data, _label("服务圈划分", "circle layout", cjk), bg)
    has = lab >= 0
    ax.scatter(net.node_lon[has], net.node_lat[has], s=3, c=lab[has] % 20, cmap="tab20", zorder=2)
    cx = [c.centre_lon for c in data.layout.circles if c.centre_node >= 0]
    cy = [c.centre_lat for c in data.layout.circles if c.centre_node >= 0]
    ax.scatter(
        cx, cy, s=40, marker="*", c="black", label=_label("建议服务中心", "suggested centre", cjk),
        zorder=4,
    )  # fmt: skip
    ax.legend(loc="upper right", fontsize=7)
    return _png(fig)


def sites_map(
    data: ReportData, plan: SitingPlan, cjk: bool, bg: _Background | None = None
) -> str | None:
    fig, ax = _base_map(
        data,
        _label("选址建议", "proposed sites", cjk)
        + f": {_label(plan.item.name_zh, plan.item.name_en, cjk)}",
        bg,
    )
    if data.origins is not None and plan.item.code in data.minutes:
        m = data.minutes[plan.item.code]
        out = ~np.isfinite(m)
        ax.scatter(
            data.origins.lon[out], data.origins.lat[out], s=3, c="#d62728", marker="x",
            linewidths=0.5, label=_label("现状未覆盖", "not covered now", cjk), zorder=2,
        )  # fmt: skip
    chosen = [plan.candidates[s.candidate] for s in plan.result.sites]
    ax.scatter(
        [c.lon for c in chosen], [c.lat for c in chosen], s=70, marker="*", c="#1f77b4",
        edgecolors="black", linewidths=0.5, label=_label("建议新址", "proposed site", cjk),
        zorder=5,
    )  # fmt: skip
    for i, c in enumerate(chosen, start=1):
        ax.annotate(str(i), (c.lon, c.lat), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.legend(loc="upper right", fontsize=7)
    return _png(fig)


def targets_chart(rows: Sequence[RollUp], cjk: bool) -> str | None:
    if not rows:
        return None
    city = rows[0]
    fig = Figure(figsize=(7.5, 2.4), layout="constrained")
    ax1 = fig.add_subplot(1, 2, 1)
    target = city.demonstration_target or 0
    ax1.barh([0], [city.circles_demonstration], color="#2ca02c")
    ax1.axvline(target, color="black", ls="--")
    ax1.set_xlim(0, max(target, city.circles_demonstration, 1) * 1.1)
    ax1.set_yticks([])
    ax1.set_title(_label("示范点", "demonstration circles", cjk))
    ax1.text(target, 0.3, f" {target}", fontsize=8)
    ax2 = fig.add_subplot(1, 2, 2)
    share = city.urban_share or 0.0
    ax2.barh([0], [share * 100], color="#1f77b4")
    ax2.axvline(city.urban_share_target * 100, color="black", ls="--")
    ax2.set_xlim(0, 100)
    ax2.set_yticks([])
    ax2.set_title(_label("城市社区覆盖 %", "urban communities covered %", cjk))
    return _png(fig)


# ---------------------------------------------------------------------------------------------
# HTML

_CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;
color:#222;max-width:1100px}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef3f8}td.num{text-align:right}.en{color:#666;font-size:.9em}
.bad{color:#b00}.ok{color:#070}img{max-width:100%;border:1px solid #eee}
.note{background:#fffbe6;border:1px solid #f0e0a0;padding:.5em 1em}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _bi(zh: str, en: str) -> str:
    return f'{_e(zh)} <span class="en">{_e(en)}</span>'


def _num(x: float | None, nd: int = 0) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return f"{x:,.{nd}f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _img(b64: str | None, alt: str, caption: str = "") -> str:
    if not b64:
        return ""
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{b64}">{cap}</figure>'


def _counted(counted: str) -> tuple[str, str]:
    return counted_label(counted)


def _zone_table(
    table: CoverageTable, labels: Mapping[str, str], limit: int = 500, *, counted: str
) -> str:
    czh, cen = _counted(counted)
    head = (
        "<tr><th>编号 <span class=en>id</span></th><th>名称 <span class=en>name</span></th>"
        f"<th>{czh} <span class=en>{cen}</span></th>"
        "<th>达标 / 应达标 <span class=en>met / required</span></th>"
        "<th>示范点 <span class=en>demonstration</span></th>"
        "<th>缺少的设施 <span class=en>missing items</span></th></tr>"
    )
    rows = []
    for z in table.zones[:limit]:
        demo = (
            '<span class="ok">是 yes</span>'
            if z.demonstration
            else '<span class="bad">否 no</span>'
        )
        missing = "、".join(s.name_zh for s in z.missing)
        missing_en = "; ".join(s.name_en for s in z.missing)
        rows.append(
            f"<tr><td>{_e(z.zone_id)}</td><td>{_e(labels.get(z.zone_id, ''))}</td>"
            f"<td class=num>{_num(z.population)}</td>"
            f"<td class=num>{z.items_met} / {z.items_required}</td><td>{demo}</td>"
            f"<td>{_e(missing)}<br><span class=en>{_e(missing_en)}</span></td></tr>"
        )
    more = (
        f"<p>… 另有 {len(table.zones) - limit} 行见 XLSX / {len(table.zones) - limit} more rows "
        "in the XLSX workbook</p>"
        if len(table.zones) > limit
        else ""
    )
    return f"<table>{head}{''.join(rows)}</table>{more}"


def _items_overview(table: CoverageTable, *, counted: str) -> str:
    """Per item: its walking distance, the share of all residents within it (summed over
    zones), the share required, and how many zones meet it."""
    czh, cen = _counted(counted)
    rows = []
    for k, spec in enumerate(table.item_specs):
        limit = spec.limit_for(table.limit_m)
        pop = sum(z.items[k].population for z in table.zones)
        cov = sum(z.items[k].covered for z in table.zones)
        met = sum(1 for z in table.zones if z.items[k].met)
        share = cov / pop if pop > 0 else None
        cls = "ok" if share is not None and share >= spec.share_threshold else "bad"
        req = "是 yes" if spec.required else "否 no"
        rows.append(
            f"<tr><td>{_e(spec.code)}</td><td>{_bi(spec.name_zh, spec.name_en)}</td>"
            f"<td>{req}</td><td class=num>{limit:,.0f}</td>"
            f"<td class=num>{_num(cov)} / {_num(pop)}</td>"
            f"<td class='num {cls}'>{_pct(share)}</td><td class=num>{_pct(spec.share_threshold)}"
            f"</td><td class=num>{met} / {len(table.zones)}</td></tr>"
        )
    return (
        "<table><tr><th>代码 <span class=en>code</span></th><th>项目 <span class=en>item</span>"
        "</th><th>必需 <span class=en>required</span></th>"
        "<th>步行距离（米） <span class=en>walk (m)</span></th>"
        f"<th>步行可达{czh} <span class=en>{cen} within the walk</span></th>"
        f"<th>比例 <span class=en>share</span></th>"
        "<th>要求 <span class=en>required share</span></th>"
        "<th>达标的区域 <span class=en>zones meeting it</span></th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _gaps_table(data: ReportData, limit: int = 500) -> str:
    """Per circle (else community): each required item it misses and who that leaves out."""
    czh, cen = _counted(data.counted)
    kind_zh, kind_en = (
        ("服务圈", "circle") if data.circle_table is not None else ("社区", "community")
    )
    rows = "".join(
        f"<tr><td>{_e(g.zone_id)}</td><td>{_bi(g.name_zh, g.name_en)}</td>"
        f"<td class=num>{_num(g.uncovered)} / {_num(g.population)}</td>"
        f"<td class='num bad'>{_pct(g.share)}</td><td class=num>{_pct(g.threshold)}</td></tr>"
        for g in data.gaps[:limit]
    )
    more = (
        f"<p>… 另有 {len(data.gaps) - limit} 行 / {len(data.gaps) - limit} more rows</p>"
        if len(data.gaps) > limit
        else ""
    )
    return (
        f"<h2>{_bi('各' + kind_zh + '缺项', 'Missing items per ' + kind_en)}</h2>"
        f"<table><tr><th>{kind_zh} <span class=en>{kind_en}</span></th>"
        "<th>缺少的项目 <span class=en>missing item</span></th>"
        f"<th>未覆盖{czh} / 总{czh} <span class=en>{cen} left out / all</span></th>"
        "<th>比例 <span class=en>share</span></th><th>要求 <span class=en>required</span></th>"
        f"</tr>{rows}</table>{more}"
    )


def render_html(data: ReportData) -> str:
    """The whole report as one HTML string."""
    parts: list[str] = []
    with _style() as cjk:
        bg = network_background(data.network)
        parts.append(f"<h1>{_e(data.title_zh)}<br><span class=en>{_e(data.title_en)}</span></h1>")
        parts.append(
            f"<p>步行 {data.walk_minutes:g} 分钟，步速 {data.speed_kmh:g} 公里/小时，即 "
            f"{data.limit_m:.0f} 米 / walk {data.walk_minutes:g} min at {data.speed_kmh:g} km/h "
            f"= {data.limit_m:.0f} m.</p>"
        )
        if data.derived_areas:
            parts.append(
                '<p class="note">社区范围由步行网络推导（每个路网节点归步行距离最近的社区中心），'
                "不是官方边界。<br><span class=en>Community areas are derived from the walk "
                "network (each node goes to the nearest community centre by walking), not "
                "official boundaries.</span></p>"
            )
        for n in data.notes:
            parts.append(f'<p class="note">{_e(n)}</p>')
        if data.roll_up:
            parts.append(f"<h2>{_bi('目标进度', 'Progress towards the targets')}</h2>")
            parts.append(_img(targets_chart(data.roll_up, cjk), "targets"))
            rows = "".join(
                f"<tr><td>{_e(r.area)}</td><td class=num>{r.circles_built}</td>"
                f"<td class=num>{r.circles_demonstration} / {r.demonstration_target or '—'}</td>"
                f"<td class=num>{r.communities_urban_covered} / {r.communities_urban}</td>"
                f"<td class=num>{_pct(r.urban_share)} / {_pct(r.urban_share_target)}</td></tr>"
                for r in data.roll_up
            )
            parts.append(
                "<table><tr><th>范围 <span class=en>area</span></th><th>服务圈 <span class=en>"
                "circles</span></th><th>示范点 / 目标 <span class=en>demonstration / target"
                "</span></th><th>已覆盖城市社区 <span class=en>urban communities covered</span>"
                "</th><th>比例 / 目标 <span class=en>share / target</span></th></tr>"
                f"{rows}</table>"
            )
        table = data.circle_table or data.community_table or data.items_table
        if table is not None:
            parts.append(f"<h2>{_bi('各项目覆盖情况', 'Coverage by item')}</h2>")
            parts.append(_items_overview(table, counted=data.counted))
        parts.append(_img(gap_map(data, cjk, bg), "gap map", _bi("缺项地图", "gap map")))
        if data.layout is not None and data.circle_table is not None:
            spread = data.layout.population_spread()
            parts.append(f"<h2>{_bi('服务圈', 'Circles')}</h2>")
            parts.append(
                f"<p>{int(spread['circles'])} 个服务圈，人口 {_num(spread.get('min'))} – "
                f"{_num(spread.get('max'))}（中位数 {_num(spread.get('median'))}），"
                f"{_pct(spread.get('in_range_share'))} 在 {data.layout.min_pop:,.0f}–"
                f"{data.layout.max_pop:,.0f} 范围内 / {int(spread['circles'])} circles, "
                f"population {_num(spread.get('min'))}–{_num(spread.get('max'))} (median "
                f"{_num(spread.get('median'))}), {_pct(spread.get('in_range_share'))} within "
                "range.</p>"
            )
            out = [c for c in data.layout.circles if not c.in_range]
            if out:
                parts.append(
                    "<p>超出范围的服务圈 / circles out of range: "
                    + "; ".join(
                        f"{_e(c.circle_id)} ({c.population:,.0f}): {_e(c.reason_text())}"
                        for c in out
                    )
                    + "</p>"
                )
            parts.append(_img(circles_map(data, cjk, bg), "circles"))
            labels = {
                c.circle_id: "、".join(
                    data.communities.name[p.community] if data.communities else str(p.community)
                    for p in c.parts[:6]
                )
                + (" …" if len(c.parts) > 6 else "")
                for c in data.layout.circles
            }
            parts.append(_zone_table(data.circle_table, labels, counted=data.counted))
        if data.community_table is not None:
            parts.append(f"<h2>{_bi('社区', 'Communities')}</h2>")
            labels = (
                dict(zip(data.communities.code, data.communities.name, strict=True))
                if data.communities
                else {}
            )
            parts.append(_zone_table(data.community_table, labels, counted=data.counted))
        if data.gaps:
            parts.append(_gaps_table(data))
        if data.plans:
            czh, cen = _counted(data.counted)
            parts.append(f"<h2>{_bi('选址建议', 'Proposed sites')}</h2>")
            for plan in data.plans:
                r = plan.result
                parts.append(
                    f"<h3>{_bi(plan.item.name_zh, plan.item.name_en)} ({_e(plan.item.code)})</h3>"
                    f"<p>{r.model.upper()} · {r.method} · 新增覆盖 / newly covered "
                    f"{_num(r.covered_after - r.covered_before)} · 覆盖比例 / share "
                    f"{_pct(r.share_before)} → {_pct(r.share_after)} · 最优性差距 / gap "
                    f"{r.gap:.2%} · {_e(r.status)}</p>"
                )
                for n in r.notes:
                    parts.append(f'<p class="note">{_e(n)}</p>')
                parts.append(_img(sites_map(data, plan, cjk, bg), f"sites {plan.item.code}"))
                site_rows = []
                for i, s in enumerate(r.sites, start=1):
                    c = plan.candidates[s.candidate]
                    site_rows.append(
                        f"<tr><td class=num>{i}</td><td>{_e(c.candidate_id)}</td>"
                        f"<td>{_e(c.name)}</td><td>{_e(KIND_ZH.get(c.kind, ''))}</td>"
                        f"<td>{_bi(c.host_zh, c.host_en) if c.host_zh else '—'}</td>"
                        f"<td>{_bi(c.reason_zh, c.reason_en) if c.reason_zh else '—'}</td>"
                        f"<td class=num>{_num(s.newly_covers)}</td>"
                        f"<td class=num>{_num(s.marginal)}</td>"
                        f"<td class=num>{_num(s.sequential_gain)}</td></tr>"
                    )
                rows = "".join(site_rows)
                parts.append(
                    "<table><tr><th>顺序 <span class=en>order</span></th><th>候选点 <span "
                    "class=en>candidate</span></th><th>名称 <span class=en>name</span></th>"
                    "<th>类型 <span class=en>kind</span></th><th>场所类型 <span class=en>host"
                    "</span></th><th>理由 <span class=en>why</span></th>"
                    f"<th>新增覆盖{czh} <span class=en>{cen} newly "
                    "covered</span></th><th>仅此点覆盖 <span class=en>only this site</span></th>"
                    "<th>按顺序新增 <span class=en>added in order</span></th></tr>"
                    f"{rows}</table>"
                )
        if data.minutes:
            parts.append(f"<h2>{_bi('各项目步行可达地图', 'Coverage map per item')}</h2>")
            shown = [s for s in data.item_specs if s.code in data.minutes][: data.max_item_maps]
            for spec in shown:
                parts.append(_img(coverage_map(data, spec, cjk, bg), spec.code))
        if data.osm_derived:
            parts.append(f"<p>地图数据 / map data {_e(OSM_ATTRIBUTION)} (ODbL)</p>")
    body = "\n".join(p for p in parts if p)
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans"><head><meta charset="utf-8">'
        f"<title>{_e(data.title_zh)} / {_e(data.title_en)}</title><style>{_CSS}</style>"
        f"</head><body>\n{body}\n</body></html>\n"
    )
