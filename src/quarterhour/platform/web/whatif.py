"""The what-if pages (假设分析): add, move or close facilities hypothetically and see, for each
affected community and item, the covered residents and walking minutes before and after. The
circle's page also saves scenarios, compares two side by side, exports them and promotes one into
the plan; the district's page (全区假设分析) answers every circle of the district a change may
touch, circle by circle, and saves district scenarios, compares two or more side by side, exports
them and promotes them the same way.

The changes made so far travel with the page (a hidden field), so nothing is stored until the
planner saves; answers come from :mod:`quarterhour.platform.planning.whatif`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.engine.table_writer import XlsxBook, csv_bytes
from quarterhour.platform.core import labels, picking, standard
from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.core.forms import errors_of, staff_only
from quarterhour.platform.core.text import coordinates_ok
from quarterhour.platform.facilities.selectors import facilities_near_communities
from quarterhour.platform.geography import selectors as geo
from quarterhour.platform.geography.models import Circle, Community, District
from quarterhour.platform.planning import scenarios as plans
from quarterhour.platform.planning import whatif
from quarterhour.platform.planning.error_codes import PlanningError as E
from quarterhour.platform.planning.models import WhatIfScenario
from quarterhour.platform.requests import location
from quarterhour.platform.web.svgmap import SvgMap
from quarterhour.platform.web.views import _network_under, network_within

#: the longest changes field taken from a form
CHANGES_MAX_CHARS = 20_000


def _circle(request: HttpRequest, pk: int) -> Circle:
    staff_only(request)
    try:
        circle = geo.circle_detail(pk)
    except Circle.DoesNotExist:
        raise Http404(_("没有这个服务圈")) from None
    plans.check_planner(request.user, circle)
    return circle


def _scenario(circle: Circle, raw: str) -> WhatIfScenario | None:
    if not (raw.isascii() and raw.isdigit() and len(raw) < 12):
        return None
    return plans.scenarios_of(circle).filter(pk=int(raw)).first()


def _changes_from(data: Any) -> list[whatif.HypoChange]:
    raw = str(data.get("changes", "") or "[]")
    if len(raw) > CHANGES_MAX_CHARS:
        raise Invalid(E.WHATIF_INVALID, _("变更过多"))
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return whatif.parse_changes(parsed)


def _new_change(request: HttpRequest, op: str) -> whatif.HypoChange:
    data = request.POST
    place = {"lon": data.get("lon"), "lat": data.get("lat")}
    if op == whatif.ADD:
        item = str(data.get("item", ""))
        name = str(data.get("name", "")).strip()
        return whatif.parse_change(
            {"action": op, "items": [item] if item else [], "name": name} | place
        )
    facility = picking.picked(data, "facility", kind_name="facility", user=request.user)
    raw = {"action": op, "facility": facility.key, "name": labels.place_name(facility.name, [])}
    if op == whatif.MOVE:
        raw |= place
    return whatif.parse_change(raw)


def _picked(data: Any, communities: Callable[[], Iterable[Community]]) -> dict[str, str]:
    """The place picked on the map (re-shown after a post), said with the community it lies
    in: its coordinates and the name of the first of ``communities`` (read only when a place
    was picked) whose boundary holds it, or nothing when it is in none of them."""
    try:
        lon, lat = float(data.get("lon", "")), float(data.get("lat", ""))
    except ValueError:
        return {}
    if not coordinates_ok(lon, lat):
        return {}
    hits = location.boundaries_at(lon, lat)  # the process's index of every boundary
    inside = next((c for c in communities() if c.pk in hits), None) if hits else None
    return {"at": f"{lon:.5f}, {lat:.5f}", "community": inside.name if inside else ""}


def _map(circle: Circle, answer: whatif.Answer | None, proposed: list[Any], network: Any) -> Any:
    svg = SvgMap()
    changed = answer.affected_community_ids if answer is not None else set()
    for m in circle.memberships.all():
        c = m.community
        css = "community changed" if c.pk in changed else "community"
        for ring in geo.boundary_coordinates(c.boundary_geojson):
            svg.polygon(ring, css=css, title=c.name)
        if c.centre_lon is not None and c.centre_lat is not None:
            svg.label(c.centre_lon, c.centre_lat, c.name)
    if network is not None:
        _network_under(svg, circle, network)
    member_ids = [m.community_id for m in circle.memberships.all()]
    for f in facilities_near_communities(member_ids):
        codes = [i.item_code for i in f.items.all()]
        title = f"{labels.place_name(f.name, codes)} — {labels.items_label(codes)}"
        svg.point(f.lon, f.lat, r=3.5, css="facility", title=title)
    for s in proposed:
        svg.point(s.lon, s.lat, r=5, css="proposed", title=f"{s.name} — {s.items}")
    if answer is not None:
        for p in answer.points:
            svg.point(p.lon, p.lat, r=6, css=f"hypo-{p.kind}", title=p.title)
    return svg.render(
        aria_label=_("假设分析地图：%(name)s（点击地图选择位置）") % {"name": circle.name}
    )


def _network_of(circle: Circle) -> Any:
    run = whatif.basis_run(circle)
    return run.network if run is not None else None


def _page(
    request: HttpRequest,
    circle: Circle,
    changes: list[whatif.HypoChange],
    *,
    errors: dict[str, list[str]] | None = None,
    opened: WhatIfScenario | None = None,
) -> HttpResponse:
    answer = None
    if changes:
        try:
            answer = whatif.answer(circle, changes)
        except Invalid as exc:
            errors = {**(errors or {}), **errors_of(exc)}
            changes = []
    else:
        try:
            whatif.circle_base(circle)  # says when the circle was never assessed
        except Invalid as exc:
            errors = {**(errors or {}), **errors_of(exc)}
    saved = list(plans.scenarios_of(circle))
    proposed = plans.proposed_sites(circle)
    context = {
        "circle": circle,
        "changes": changes,
        "changes_json": json.dumps([c.as_json() for c in changes], ensure_ascii=False),
        "answer": answer,
        "ms": round(1000 * answer.seconds, 1) if answer is not None else None,
        "gained": "、".join(standard.item_label(c) for c in answer.gained_items) if answer else "",
        "lost": "、".join(standard.item_label(c) for c in answer.lost_items) if answer else "",
        "items": [(i.code, i.label()) for i in standard.walk_items()],
        "errors": errors or {},
        "saved": saved,
        "opened": opened,
        "proposed": proposed,
        "map_svg": _map(circle, answer, proposed, _network_of(circle)),
        "picked": _picked(
            request.POST,
            lambda: [m.community for m in circle.memberships.select_related("community")],
        ),
    }
    response = render(request, "web/whatif.html", context)
    if errors:
        response.status_code = 422
    return response


@login_required
def circle_whatif(request: HttpRequest, pk: int) -> HttpResponse:
    circle = _circle(request, pk)
    if request.method != "POST":
        opened = _scenario(circle, request.GET.get("scenario", ""))
        changes = plans.changes_of(opened) if opened is not None else []
        return _page(request, circle, changes, opened=opened)
    try:
        changes = _changes_from(request.POST)
    except Invalid as exc:
        return _page(request, circle, [], errors=errors_of(exc))
    op = request.POST.get("op", "")
    try:
        if op in (whatif.ADD, whatif.MOVE, whatif.CLOSE):
            if len(changes) >= whatif.MAX_CHANGES:
                raise Invalid(
                    E.WHATIF_INVALID, _("一个方案最多 %(n)d 项变更") % {"n": whatif.MAX_CHANGES}
                )
            new = _new_change(request, op)
            whatif.engine_changes(whatif.circle_base(circle), [*changes, new])
            changes = [*changes, new]
        elif op == "undo":
            changes = changes[:-1]
        elif op == "clear":
            changes = []
        elif op == "save":
            row = plans.scenario_save(
                actor=request.user,
                circle=circle,
                name=str(request.POST.get("scenario_name", "")),
                changes=changes,
            )
            messages.success(
                request, _("方案“%(name)s”已保存（仅为假设，未改动设施登记）") % {"name": row.name}
            )
            return redirect(f"{reverse('web:circle_whatif', args=[circle.pk])}?scenario={row.pk}")
    except Invalid as exc:
        return _page(request, circle, changes, errors=errors_of(exc))
    return _page(request, circle, changes)


@login_required
@require_POST
def scenario_action(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    """纳入规划 / 撤回 a saved scenario."""
    circle = _circle(request, pk)
    row = _scenario(circle, str(sid))
    if row is None:
        raise Http404(_("没有这个方案"))
    _move(request, row, promoted=_("方案“%(name)s”已纳入规划，其新址列为拟建点"))
    return redirect(f"{reverse('web:circle_whatif', args=[circle.pk])}?scenario={row.pk}")


def _move(request: HttpRequest, row: WhatIfScenario, *, promoted: str) -> None:
    """纳入规划 / 撤回 ``row`` through the plans service, said in words: ``promoted`` is the
    message of a promotion (with ``%(name)s``)."""
    action = request.POST.get("action", "")
    if action not in plans.MACHINE.transitions:
        messages.error(request, _("请选择要办理的事项"))
        return
    try:
        plans.scenario_move(actor=request.user, scenario=row, action=action)
    except Invalid as exc:
        messages.error(request, str(exc.message))
        return
    if action == "promote":
        messages.success(request, promoted % {"name": row.name})
    else:
        messages.success(request, _("方案“%(name)s”已撤回") % {"name": row.name})


def _fmt(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


@login_required
def scenario_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two saved scenarios side by side: each affected community × item, now and under each."""
    circle = _circle(request, pk)
    a = _scenario(circle, request.GET.get("a", ""))
    b = _scenario(circle, request.GET.get("b", ""))
    if a is None or b is None or a.pk == b.pk:
        messages.error(request, _("请选择两个不同的方案进行比较"))
        return redirect("web:circle_whatif", pk=circle.pk)
    answers = [whatif.answer(circle, plans.changes_of(s)) for s in (a, b)]
    keyed: dict[tuple[int, str], list[Any]] = {}
    for n, ans in enumerate(answers):
        for r in ans.rows:
            slot = keyed.setdefault((r.community.pk, r.item_code), [r, None, None])
            slot[1 + n] = r
    rows = []
    for first, ra, rb in sorted(
        keyed.values(), key=lambda s: (s[0].community.code, s[0].item_code)
    ):
        rows.append(
            {
                "community": first.community.name,
                "item": first.item,
                "population": round(first.population),
                "now": round(first.covered_before),
                "a": round(ra.covered_after) if ra else round(first.covered_before),
                "b": round(rb.covered_after) if rb else round(first.covered_before),
                "now_min": _fmt(first.median_before),
                "a_min": _fmt(ra.median_after) if ra else _fmt(first.median_before),
                "b_min": _fmt(rb.median_after) if rb else _fmt(first.median_before),
            }
        )
    return render(
        request,
        "web/whatif_compare.html",
        {
            "circle": circle,
            "a": a,
            "b": b,
            "pairs": list(zip((a, b), answers, strict=True)),
            "rows": rows,
        },
    )


HEADER = (
    "社区 community",
    "项目 item",
    "居民 residents",
    "覆盖居民（现状） covered now",
    "覆盖居民（方案） covered in scenario",
    "覆盖比例（现状） share now",
    "覆盖比例（方案） share in scenario",
    "中位步行分钟（现状） median minutes now",
    "中位步行分钟（方案） median minutes in scenario",
)


def _export_rows(answer: whatif.Answer) -> list[list[Any]]:
    return [
        [
            r.community.name,
            r.item,
            round(r.population),
            round(r.covered_before),
            round(r.covered_after),
            None if r.share_before is None else round(r.share_before, 4),
            None if r.share_after is None else round(r.share_after, 4),
            None if r.median_before is None else round(r.median_before, 1),
            None if r.median_after is None else round(r.median_after, 1),
        ]
        for r in answer.rows
    ]


@login_required
def scenario_export(request: HttpRequest, pk: int, sid: int, fmt: str) -> HttpResponse:
    circle = _circle(request, pk)
    row = _scenario(circle, str(sid))
    if row is None or fmt not in ("csv", "xlsx"):
        raise Http404(_("没有这个方案"))
    answer = whatif.answer(circle, plans.changes_of(row))
    return _export(
        fmt,
        stem=f"whatif-{circle.code}-{row.pk}",
        sheet=row.name,
        title=f"{circle.name} · {row.name}",
        changes=answer.changes,
        header=HEADER,
        rows=_export_rows(answer),
    )


def _export(
    fmt: str,
    *,
    stem: str,
    sheet: str,
    title: str,
    changes: Any,
    header: Sequence[str],
    rows: list[list[Any]],
) -> HttpResponse:
    """A scenario's rows as a CSV or Excel download (every cell formula-neutralised by the
    writers); the workbook opens with the title and the changes in words."""
    if fmt == "csv":
        response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    else:
        book = XlsxBook()
        ws = book.sheet(sheet)
        ws.row([title], style="bold")
        ws.row([c.words() for c in changes], style="note")
        ws.row(header, style="header")
        ws.rows(rows)
        response = HttpResponse(
            book.to_bytes(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


# -- the district ------------------------------------------------------------------------------


def _district(request: HttpRequest, pk: int) -> District:
    staff_only(request)
    district = District.objects.filter(pk=pk).first()
    if district is None:
        raise Http404(_("没有这个区县"))
    plans.check_district_planner(request.user, district)
    return district


def _district_scenario(district: District, raw: str) -> WhatIfScenario | None:
    if not (raw.isascii() and raw.isdigit() and len(raw) < 12):
        return None
    return plans.district_scenarios_of(district).filter(pk=int(raw)).first()


def _district_network(circles: list[Circle], runs: dict[int, Any]) -> Any:
    """The walk network the district's latest assessed circle was answered on (the map's base)."""
    latest = max(runs.values(), key=lambda r: (r.created_at, r.pk), default=None)
    return latest.network if latest is not None else None


def _district_map(
    district: District,
    circles: list[Circle],
    answer: whatif.DistrictAnswer | None,
    *,
    network: Any = None,
    proposed: Sequence[Any] = (),
) -> Any:
    """The district's communities (and its circles' members beyond it), the walk network under
    them, their facilities, the plan's proposed sites and the changed places; each community's
    title names its circles."""
    svg = SvgMap()
    changed = answer.affected_community_ids if answer is not None else set()
    communities = {c.pk: c for c in geo.district_communities(district)}
    circles_of: dict[int, list[str]] = {}
    for circle in circles:
        for m in circle.memberships.all():
            communities.setdefault(m.community_id, m.community)
            circles_of.setdefault(m.community_id, []).append(circle.name)
    for c in communities.values():
        css = "community changed" if c.pk in changed else "community"
        title = " · ".join([c.name, *circles_of.get(c.pk, [])])
        for ring in geo.boundary_coordinates(c.boundary_geojson):
            svg.polygon(ring, css=css, title=title)
    network_within(svg, communities.values(), network)
    for f in facilities_near_communities(sorted(communities)):
        codes = [i.item_code for i in f.items.all()]
        title = f"{labels.place_name(f.name, codes)} — {labels.items_label(codes)}"
        svg.point(f.lon, f.lat, r=3, css="facility", title=title)
    for site in proposed:
        svg.point(site.lon, site.lat, r=5, css="proposed", title=f"{site.name} — {site.items}")
    if answer is not None:
        for p in answer.points:
            svg.point(p.lon, p.lat, r=6, css=f"hypo-{p.kind}", title=p.title)
    return svg.render(
        aria_label=_("全区假设分析地图：%(name)s（点击地图选择位置）") % {"name": district.name}
    )


def _labels(codes: tuple[str, ...]) -> str:
    return "、".join(standard.item_label(c) for c in codes)


def _district_url(district: District, scenario: WhatIfScenario | None = None) -> str:
    url = reverse("web:district_whatif", args=[district.pk])
    return f"{url}?scenario={scenario.pk}" if scenario is not None else url


@login_required
def district_whatif(request: HttpRequest, pk: int) -> HttpResponse:
    """全区假设分析: the changes travel with the page as on the circle's; 保存方案 keeps them as
    a district scenario, listed below with its exports, 纳入规划 and the comparison."""
    district = _district(request, pk)
    changes: list[whatif.HypoChange] = []
    errors: dict[str, list[str]] = {}
    answer: whatif.DistrictAnswer | None = None
    opened: WhatIfScenario | None = None
    version = whatif.register_version()  # once for the request: every circle's base keys on it
    circles = whatif.district_circles(district)
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            changes = _changes_from(request.POST)
            if op in (whatif.ADD, whatif.MOVE, whatif.CLOSE):
                if len(changes) >= whatif.MAX_CHANGES:
                    raise Invalid(
                        E.WHATIF_INVALID,
                        _("一个方案最多 %(n)d 项变更") % {"n": whatif.MAX_CHANGES},
                    )
                wanted = [*changes, _new_change(request, op)]
                answer = whatif.district_answer(
                    district, wanted, version=version, circles=circles
                )  # a bad change: in words
                changes = wanted
            elif op == "undo":
                changes = changes[:-1]
            elif op == "clear":
                changes = []
            elif op == "save":
                row = plans.district_scenario_save(
                    actor=request.user,
                    district=district,
                    name=str(request.POST.get("scenario_name", "")),
                    changes=changes,
                )
                messages.success(
                    request,
                    _("全区方案“%(name)s”已保存（仅为假设，未改动设施登记）") % {"name": row.name},
                )
                return redirect(_district_url(district, row))
        except Invalid as exc:
            errors = errors_of(exc)
    else:
        opened = _district_scenario(district, request.GET.get("scenario", ""))
        if opened is not None:
            try:
                changes = plans.changes_of(opened)
            except Invalid as exc:
                errors = errors_of(exc)
    if answer is None and changes:
        try:
            answer = whatif.district_answer(district, changes, version=version, circles=circles)
        except Invalid as exc:
            errors = {**errors, **errors_of(exc)}
            changes = []
    outcomes = [
        {
            "circle": o.circle,
            "answer": o.answer,
            "gained": _labels(o.answer.gained_items),
            "lost": _labels(o.answer.lost_items),
        }
        for o in (answer.changed_circles if answer is not None else ())
    ]
    saved = list(plans.district_scenarios_of(district))
    proposed = plans.district_proposed_sites(district)
    context = {
        "district": district,
        "changes": changes,
        "changes_json": json.dumps([c.as_json() for c in changes], ensure_ascii=False),
        "answer": answer,
        "outcomes": outcomes,
        "ms": round(1000 * answer.seconds, 1) if answer is not None else None,
        "items": [(i.code, i.label()) for i in standard.walk_items()],
        "errors": errors,
        "n_circles": len(circles),
        "saved": saved,
        "opened": opened,
        "proposed": proposed,
        "compare_max": COMPARE_MAX,
        "map_svg": _district_map(
            district,
            circles,
            answer,
            network=_district_network(circles, whatif.district_runs(circles)),
            proposed=proposed,
        ),
        "picked": _picked(request.POST, lambda: geo.district_communities(district)),
    }
    response = render(request, "web/whatif_district.html", context)
    if errors:
        response.status_code = 422
    return response


@login_required
@require_POST
def district_scenario_action(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    """纳入规划 / 撤回 a saved district scenario."""
    district = _district(request, pk)
    row = _district_scenario(district, str(sid))
    if row is None:
        raise Http404(_("没有这个方案"))
    _move(request, row, promoted=_("全区方案“%(name)s”已纳入规划，其新址列为所在服务圈的拟建点"))
    return redirect(_district_url(district, row))


#: most scenarios compared side by side
COMPARE_MAX = 4


def _district_answers(
    district: District, rows: list[WhatIfScenario]
) -> list[whatif.DistrictAnswer]:
    version = whatif.register_version()
    circles = whatif.district_circles(district)
    return [
        whatif.district_answer(district, plans.changes_of(s), version=version, circles=circles)
        for s in rows
    ]


def _district_compare_rows(
    answers: list[whatif.DistrictAnswer], names: list[str]
) -> list[dict[str, Any]]:
    """Per circle × community × item any scenario touches: now, and after each scenario (its
    name beside each value, for the cards a phone shows)."""
    keyed: dict[tuple[int, int, str], list[Any]] = {}
    for n, ans in enumerate(answers):
        for circle, r in ans.rows:
            slot = keyed.setdefault(
                (circle.pk, r.community.pk, r.item_code), [circle, r, *([None] * len(answers))]
            )
            slot[2 + n] = r
    out = []
    for circle, first, *each in sorted(
        keyed.values(), key=lambda s: (s[0].code, s[1].community.code, s[1].item_code)
    ):
        out.append(
            {
                "circle": circle.name,
                "circle_code": circle.code,
                "community": first.community.name,
                "item": first.item,
                "population": round(first.population),
                "now": round(first.covered_before),
                "after": list(
                    zip(
                        names,
                        [round(r.covered_after if r else first.covered_before) for r in each],
                        strict=True,
                    )
                ),
                "now_min": _fmt(first.median_before),
                "after_min": list(
                    zip(
                        names,
                        [_fmt(r.median_after if r else first.median_before) for r in each],
                        strict=True,
                    )
                ),
            }
        )
    return out


@login_required
def district_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two or more saved district scenarios side by side: per circle, community and item, now
    and under each scenario."""
    district = _district(request, pk)
    wanted = list(dict.fromkeys(request.GET.getlist("s")))
    rows = [r for raw in wanted if (r := _district_scenario(district, str(raw))) is not None]
    if len(rows) < 2 or len(rows) != len(wanted) or len(rows) > COMPARE_MAX:
        messages.error(
            request, _("请选择 2 至 %(n)d 个不同的全区方案进行比较") % {"n": COMPARE_MAX}
        )
        return redirect(_district_url(district))
    try:
        answers = _district_answers(district, rows)
    except Invalid as exc:
        messages.error(request, str(exc.message))
        return redirect(_district_url(district))
    summaries = [
        {
            "scenario": s,
            "answer": ans,
            "changed": len(ans.changed_circles),
            "met": [
                (o.circle.name, o.answer.met_before, o.answer.met_after, o.answer.items_required)
                for o in ans.changed_circles
            ],
        }
        for s, ans in zip(rows, answers, strict=True)
    ]
    table = _district_compare_rows(answers, [s.name for s in rows])
    circles = list(dict.fromkeys((r["circle_code"], r["circle"]) for r in table))
    chosen = request.GET.get("circle", "")
    if chosen and chosen not in {code for code, _ in circles}:
        messages.error(request, _("这些方案没有影响所选的服务圈，下面列出全部服务圈"))
        chosen = ""
    return render(
        request,
        "web/whatif_district_compare.html",
        {
            "district": district,
            "scenarios": rows,
            "summaries": summaries,
            "rows": [r for r in table if not chosen or r["circle_code"] == chosen],
            "all_rows": len(table),
            "circles": circles,
            "chosen": chosen,
        },
    )


DISTRICT_HEADER = ("服务圈 circle", *HEADER)


@login_required
def district_export(request: HttpRequest, pk: int, sid: int, fmt: str) -> HttpResponse:
    """A saved district scenario's answer as CSV or Excel (each cell formula-neutralised)."""
    district = _district(request, pk)
    row = _district_scenario(district, str(sid))
    if row is None or fmt not in ("csv", "xlsx"):
        raise Http404(_("没有这个方案"))
    try:
        answer = _district_answers(district, [row])[0]
    except Invalid as exc:
        messages.error(request, str(exc.message))
        return redirect(_district_url(district, row))
    return _export(
        fmt,
        stem=f"whatif-district-{district.code}-{row.pk}",
        sheet=row.name,
        title=f"{district.name} · {row.name}",
        changes=answer.changes,
        header=DISTRICT_HEADER,
        rows=[[o.circle.name, *line] for o in answer.circles for line in _export_rows(o.answer)],
    )
