"""The scheduled side of deadlines: reminders before the deadline and escalation after it.

Both work on sets, not rows (a city may hold 100,000 open requests): a few queries per chunk
of requests, whatever the chunk size. Escalation hands an overdue request to the next level —
community or provider station → street → district → city (the city keeps it) — with a fresh
deadline from the category's limit, a :class:`Handover` and an :class:`Event` per request, a
digest notification to each receiving unit's staff and a notice to each submitter.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from quarterhour.platform.accounts.models import Membership, Role, User
from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.geography.models import Community, District, Street
from quarterhour.platform.notifications.services import Message, notify_bulk
from quarterhour.platform.requests.deadlines import calendar_for, due_and_remind
from quarterhour.platform.requests.models import (
    OPEN_STATUSES,
    Category,
    Event,
    Handover,
    Level,
    ServiceRequest,
    Status,
)

CHUNK = 10_000

_FIELDS = (
    "pk",
    "status",
    "owner_level",
    "owner_community_id",
    "owner_street_id",
    "owner_district_id",
    "owner_provider_id",
    "owner_user_id",
    "category_id",
    "district_id",
    "submitter_id",
)


class _Names:
    """Unit names for handover records, loaded once per run."""

    def __init__(self) -> None:
        self.community = dict(Community.objects.values_list("pk", "name"))
        self.community_street = dict(Community.objects.values_list("pk", "street_id"))
        self.street = dict(Street.objects.values_list("pk", "name"))
        self.street_district = dict(Street.objects.values_list("pk", "district_id"))
        self.district = dict(District.objects.values_list("pk", "name"))
        self.provider = dict(Provider.objects.values_list("pk", "name"))
        self.provider_street = dict(Provider.objects.values_list("pk", "street_id"))

    def unit(self, level: str, unit_id: int | None) -> str:
        table = {
            Level.COMMUNITY: self.community,
            Level.STREET: self.street,
            Level.DISTRICT: self.district,
            Level.PROVIDER: self.provider,
        }.get(Level(level))
        label = str(Level(level).label)
        return f"{label} {table.get(unit_id, '')}".strip() if table is not None else label


def _unit_id(level: str, row: dict[str, Any]) -> int | None:
    return {
        Level.COMMUNITY: row["owner_community_id"],
        Level.STREET: row["owner_street_id"],
        Level.DISTRICT: row["owner_district_id"],
        Level.PROVIDER: row["owner_provider_id"],
    }.get(Level(level))


def _next(row: dict[str, Any], names: _Names) -> tuple[str, int | None]:
    """The next level up and its unit id."""
    level = row["owner_level"]
    if level == Level.COMMUNITY:
        return Level.STREET, names.community_street[row["owner_community_id"]]
    if level == Level.PROVIDER:
        return Level.STREET, names.provider_street[row["owner_provider_id"]]
    if level == Level.STREET:
        return Level.DISTRICT, names.street_district[row["owner_street_id"]]
    return Level.CITY, None


def _due_cases(rows: list[dict[str, Any]], now: datetime) -> tuple[Case, Case]:
    """CASE expressions giving each (category, district) its fresh deadline and reminder."""
    groups = sorted({(r["category_id"], r["district_id"]) for r in rows})
    cats = Category.objects.in_bulk([g[0] for g in groups])
    calendars: dict[int, Any] = {}
    due_whens, remind_whens = [], []
    for cat_id, district_id in groups:
        cal = calendars.get(district_id) or calendars.setdefault(
            district_id, calendar_for(district_id)
        )
        due, remind = due_and_remind(cats[cat_id], district_id, now, calendar=cal)
        cond = Q(category_id=cat_id, district_id=district_id)
        due_whens.append(When(cond, then=Value(due)))
        remind_whens.append(When(cond, then=Value(remind)))
    return (
        Case(*due_whens, default=F("due_at"), output_field=DateTimeField()),
        Case(*remind_whens, default=F("remind_at"), output_field=DateTimeField()),
    )


def _take(qs: Any) -> list[dict[str, Any]]:
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.order_by("pk").values(*_FIELDS)[:CHUNK])


def escalate_overdue(*, now: datetime | None = None) -> dict[str, int]:
    """Hand every open request past its deadline to the next level. Returns counts."""
    when = now or timezone.now()
    names = _Names()
    total: Counter[str] = Counter()
    while True:
        with transaction.atomic():
            rows = _take(ServiceRequest.objects.filter(status__in=OPEN_STATUSES, due_at__lte=when))
            if not rows:
                break
            _escalate_chunk(rows, when, names, total)
        if len(rows) < CHUNK:
            break
    return dict(total)


def _escalate_chunk(
    rows: list[dict[str, Any]], when: datetime, names: _Names, total: Counter[str]
) -> None:
    due_case, remind_case = _due_cases(rows, when)
    by_target: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    handovers, events, targets = [], [], {}
    reason = _("超过办结期限，自动升级")
    for r in rows:
        level, unit = _next(r, names)
        by_target[(level, unit)].append(r["pk"])
        targets[r["pk"]] = (level, unit)
        to_name = names.unit(level, unit)
        handovers.append(
            Handover(
                request_id=r["pk"],
                kind=Handover.Kind.ESCALATION,
                at=when,
                by=None,
                from_level=r["owner_level"],
                from_unit=names.unit(r["owner_level"], _unit_id(r["owner_level"], r))[:200],
                from_user_id=r["owner_user_id"],
                to_level=level,
                to_unit=to_name[:200],
                to_user=None,
                reason=reason,
            )
        )
        events.append(
            Event(
                request_id=r["pk"],
                at=when,
                actor=None,
                action=Event.Action.ESCALATE,
                from_status=r["status"],
                to_status=Status.NEW,
                note=f"{reason} → {to_name}"[:1000],
            )
        )
    for (level, unit), ids in by_target.items():
        fields: dict[str, Any] = {
            "owner_level": level,
            "owner_community": None,
            "owner_street_id": unit if level == Level.STREET else None,
            "owner_district_id": unit if level == Level.DISTRICT else None,
            "owner_provider": None,
            "owner_user": None,
        }
        for i in range(0, len(ids), 5000):
            ServiceRequest.objects.filter(pk__in=ids[i : i + 5000]).update(
                **fields,
                status=Status.NEW,
                due_at=due_case,
                remind_at=remind_case,
                reminded_at=None,
                escalations=F("escalations") + 1,
                updated_at=when,
            )
        total[level] += len(ids)
    Handover.objects.bulk_create(handovers, batch_size=5000)
    Event.objects.bulk_create(events, batch_size=5000)
    _notify_escalated(rows, by_target, when)


def _unit_staff(level: str, units: set[int | None]) -> dict[int | None, list[Any]]:
    q = Membership.objects.select_related("user")
    if level == Level.STREET:
        q = q.filter(role=Role.STREET, street_id__in=units)
        key = "street_id"
    elif level == Level.DISTRICT:
        q = q.filter(role=Role.DISTRICT, district_id__in=units)
        key = "district_id"
    else:
        q = q.filter(role=Role.CITY)
        key = ""
    out: dict[int | None, list[Any]] = defaultdict(list)
    for m in q:
        out[getattr(m, key) if key else None].append(m.user)
    return out


def _notify_escalated(
    rows: list[dict[str, Any]],
    by_target: dict[tuple[str, int | None], list[int]],
    when: datetime,
) -> None:
    messages = []
    per_level: dict[str, set[int | None]] = defaultdict(set)
    for level, unit in by_target:
        per_level[level].add(unit)
    for level, units in per_level.items():
        staff = _unit_staff(level, units)
        for unit in units:
            ids = by_target[(level, unit)]
            for user in {u.pk: u for u in staff.get(unit, [])}.values():
                messages.append(
                    Message(
                        user,
                        "request.escalated",
                        _("%(n)d 件超期诉求已升级到您单位") % {"n": len(ids)},
                        _("诉求编号：%(ids)s") % {"ids": ", ".join(f"#{i}" for i in ids[:50])}
                        + (" …" if len(ids) > 50 else ""),
                    )
                )
    submitters = {r["submitter_id"] for r in rows if r["submitter_id"] is not None}
    people = User.objects.in_bulk(list(submitters))
    for r in rows:
        person = people.get(r["submitter_id"])
        if person is not None:
            messages.append(
                Message(
                    person,
                    "request.status",
                    _("您的诉求 #%(n)s 已超期，已升级督办") % {"n": r["pk"]},
                    "",
                    ServiceRequest(pk=r["pk"]),
                )
            )
    notify_bulk(messages, now=when)


def send_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Remind owners of open requests whose reminder time has come (once per deadline)."""
    when = now or timezone.now()
    qs = ServiceRequest.objects.filter(
        status__in=OPEN_STATUSES, reminded_at__isnull=True, remind_at__lte=when, due_at__gt=when
    )
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(
                _lockable(qs).select_related("owner_user", "category").order_by("pk")[:CHUNK]
            )
            if not rows:
                break
            ServiceRequest.objects.filter(pk__in=[r.pk for r in rows]).update(reminded_at=when)
            Event.objects.bulk_create(
                [
                    Event(
                        request=r,
                        at=when,
                        action=Event.Action.REMIND,
                        from_status=r.status,
                        to_status=r.status,
                        note=_("到期时间 %(d)s")
                        % {"d": timezone.localtime(r.due_at).strftime("%Y-%m-%d %H:%M")},
                    )
                    for r in rows
                ],
                batch_size=5000,
            )
            notify_bulk(_reminder_messages(rows), now=when)
            sent += len(rows)
        if len(rows) < CHUNK:
            break
    return {"reminded": sent}


def _lockable(qs: Any) -> Any:
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def _reminder_messages(rows: list[ServiceRequest]) -> list[Message]:
    from quarterhour.platform.requests.services import owner_people

    unit_cache: dict[tuple[Any, ...], list[Any]] = {}
    out = []
    for r in rows:
        key = (
            r.owner_user_id,
            r.owner_level,
            r.owner_community_id,
            r.owner_street_id,
            r.owner_district_id,
            r.owner_provider_id,
        )
        if key not in unit_cache:
            unit_cache[key] = owner_people(r)
        due = timezone.localtime(r.due_at).strftime("%Y-%m-%d %H:%M")
        for person in unit_cache[key]:
            out.append(
                Message(
                    person,
                    "request.reminder",
                    _("诉求 #%(n)s 将于 %(d)s 到期") % {"n": r.pk, "d": due},
                    r.category.name,
                    r,
                )
            )
    return out
