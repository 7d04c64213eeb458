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
from django.db.models import Case, DateTimeField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
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
        if table is None:
            return label
        name = table.get(unit_id, "") if unit_id is not None else ""
        return f"{label} {name}".strip()


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
            if connection.vendor == "postgresql":
                # a chunk lost in a crash is still overdue and escalated by the next run
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit TO OFF")
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
    ids = [r["pk"] for r in rows]
    by_target: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for r in rows:
        by_target[_next(r, names)].append(r["pk"])
    # the records first (they read the owners before the update), in SQL: a chunk of 10,000
    # requests is two INSERT … SELECT statements, not 20,000 model instances
    _record(ids, when)
    due_case, remind_case = _due_cases(rows, when)
    community_street = Community.objects.filter(pk=OuterRef("owner_community_id")).values(
        "street_id"
    )[:1]
    provider_street = Provider.objects.filter(pk=OuterRef("owner_provider_id")).values("street_id")[
        :1
    ]
    street_district = Street.objects.filter(pk=OuterRef("owner_street_id")).values("district_id")[
        :1
    ]
    ServiceRequest.objects.filter(pk__in=_id_set(ids)).update(
        owner_level=Case(
            When(owner_level__in=[Level.COMMUNITY, Level.PROVIDER], then=Value(Level.STREET)),
            When(owner_level=Level.STREET, then=Value(Level.DISTRICT)),
            default=Value(Level.CITY),
        ),
        owner_street_id=Case(
            When(owner_level=Level.COMMUNITY, then=Subquery(community_street)),
            When(owner_level=Level.PROVIDER, then=Subquery(provider_street)),
            default=None,
        ),
        owner_district_id=Case(
            When(owner_level=Level.STREET, then=Subquery(street_district)),
            default=None,
        ),
        owner_community=None,
        owner_provider=None,
        owner_user=None,
        status=Status.NEW,
        due_at=due_case,
        remind_at=remind_case,
        reminded_at=None,
        escalations=F("escalations") + 1,
        updated_at=when,
    )
    for (level, _unit), chunk_ids in by_target.items():
        total[str(level)] += len(chunk_ids)
    _notify_escalated(rows, by_target, when)


def _id_set(ids: list[int]) -> Any:
    """``ids`` for an ``__in`` lookup: one array parameter on PostgreSQL (10,000 placeholders
    cost more to send than the update itself), a plain list elsewhere."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


def _record(ids: list[int], when: datetime) -> None:
    """One handover and one event per request, written by the database from the rows."""
    table = ServiceRequest._meta.db_table
    id_params: list[list[int]] | list[int]
    if connection.vendor == "postgresql":
        marks, id_params = "SELECT unnest(%s::bigint[])", [ids]
    else:
        marks, id_params = ", ".join(["%s"] * len(ids)), list(ids)
    label = {lv: str(lv.label) for lv in Level}
    reason = _("超过办结期限，自动升级")
    handover_sql = f"""
        INSERT INTO {Handover._meta.db_table}
            (request_id, kind, at, by_id, from_level, from_unit, from_user_id, from_provider_id,
             to_level, to_unit, to_user_id, reason)
        SELECT r.id, %s, %s, NULL, r.owner_level,
            CASE r.owner_level
                WHEN 'community' THEN %s || ' ' || c.name
                WHEN 'provider' THEN %s || ' ' || p.name
                WHEN 'street' THEN %s || ' ' || s.name
                WHEN 'district' THEN %s || ' ' || d.name
                ELSE %s END,
            r.owner_user_id, r.owner_provider_id,
            CASE r.owner_level
                WHEN 'community' THEN 'street' WHEN 'provider' THEN 'street'
                WHEN 'street' THEN 'district' ELSE 'city' END,
            CASE r.owner_level
                WHEN 'community' THEN %s || ' ' || cs.name
                WHEN 'provider' THEN %s || ' ' || ps.name
                WHEN 'street' THEN %s || ' ' || sd.name
                ELSE %s END,
            NULL, %s
        FROM {table} r
        LEFT JOIN {Community._meta.db_table} c ON c.id = r.owner_community_id
        LEFT JOIN {Provider._meta.db_table} p ON p.id = r.owner_provider_id
        LEFT JOIN {Street._meta.db_table} s ON s.id = r.owner_street_id
        LEFT JOIN {District._meta.db_table} d ON d.id = r.owner_district_id
        LEFT JOIN {Street._meta.db_table} cs ON cs.id = c.street_id
        LEFT JOIN {Street._meta.db_table} ps ON ps.id = p.street_id
        LEFT JOIN {District._meta.db_table} sd ON sd.id = s.district_id
        WHERE r.id IN ({marks})
    """
    handover_params: list[str | datetime | int | list[int]] = [
        Handover.Kind.ESCALATION,
        when,
        label[Level.COMMUNITY],
        label[Level.PROVIDER],
        label[Level.STREET],
        label[Level.DISTRICT],
        label[Level.CITY],
        label[Level.STREET],
        label[Level.STREET],
        label[Level.DISTRICT],
        label[Level.CITY],
        reason,
        *id_params,
    ]
    event_sql = f"""
        INSERT INTO {Event._meta.db_table}
            (request_id, at, actor_id, action, from_status, to_status, note)
        SELECT r.id, %s, NULL, %s, r.status, %s, %s FROM {table} r WHERE r.id IN ({marks})
    """
    event_params: list[str | datetime | int | list[int]] = [
        when,
        Event.Action.ESCALATE,
        Status.NEW,
        reason,
        *id_params,
    ]
    with connection.cursor() as cur:
        cur.execute(handover_sql, handover_params)
        cur.execute(event_sql, event_params)


def _unit_staff(level: str, units: set[int | None]) -> dict[int | None, list[Any]]:
    q = Membership.objects.select_related("user")
    ids = {u for u in units if u is not None}  # ``__in`` drops None itself; said for the types
    if level == Level.STREET:
        q = q.filter(role=Role.STREET, street_id__in=ids)
        key = "street_id"
    elif level == Level.DISTRICT:
        q = q.filter(role=Role.DISTRICT, district_id__in=ids)
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
    mine: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r["submitter_id"] is not None:
            mine[r["submitter_id"]].append(r["pk"])
    people = User.objects.in_bulk(list(mine))
    for uid, their in mine.items():
        person = people.get(uid)
        if person is None:
            continue
        if len(their) == 1:
            subject = _("您的诉求 #%(n)s 已超期，已升级督办") % {"n": their[0]}
            about: Any = ServiceRequest(pk=their[0])
        else:
            subject = _("您的 %(k)d 件诉求已超期，已升级督办") % {"k": len(their)}
            about = None
        body = ", ".join(f"#{i}" for i in their[:50])
        messages.append(Message(person, "request.status", subject, body, about))
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
