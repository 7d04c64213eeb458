"""Offers, bookings and withdrawal of shared facilities.

Capacity is never exceeded, even when many people book the same slot at once: the booking
transaction locks the slot row (``SELECT … FOR UPDATE`` on PostgreSQL) and increments its
``taken`` counter with a conditional ``UPDATE … WHERE taken + n <= capacity``; a check constraint
on the table is the last guard. On SQLite the platform opens every transaction with
``BEGIN IMMEDIATE`` (settings), so writers are serialised and the same code is correct.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.core.clock import now_or as _now
from quarterhour.platform.core.errors import Invalid, Issue, Refusal, raise_if_any
from quarterhour.platform.core.notify import tell
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.core.standard import known_item_codes
from quarterhour.platform.geography.models import Community
from quarterhour.platform.sharing import machines
from quarterhour.platform.sharing import permissions as perm
from quarterhour.platform.sharing.error_codes import SharingError as E
from quarterhour.platform.sharing.models import Booking, SharedFacility, Slot, Window


def min_notice_days() -> int:
    """Days of notice a unit gives before withdrawing (``QH_SHARING_NOTICE_DAYS``)."""
    return int(getattr(settings, "QH_SHARING_NOTICE_DAYS", 3))


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权管理或预约该共享设施"))


def _parse_time(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        return None


def _check_windows(windows: Sequence[dict[str, Any]]) -> tuple[list[Window], list[Issue]]:
    out: list[Window] = []
    issues: list[Issue] = []
    if not windows:
        issues.append(Issue(E.WINDOW_INVALID, _("至少需要一个开放时段"), field="windows"))
    said: set[tuple[int, str]] = set()
    for n, w in enumerate(windows, start=1):
        # a form row ticked for several days gives one window per day: numbered by the row the
        # person filled in (``row``), each issue said once per row
        row = w.get("row")
        i = row if isinstance(row, int) and row > 0 else n
        start, end = _parse_time(w.get("start")), _parse_time(w.get("end"))
        weekday = w.get("weekday")
        slot = w.get("slot_minutes", 0)
        row_issues = []
        if not isinstance(weekday, int) or not 1 <= weekday <= 7:
            row_issues.append(_("第 %(i)d 个时段的星期须为 1–7") % {"i": i})
        if start is None or end is None:
            row_issues.append(_("第 %(i)d 个时段的时间须为 HH:MM") % {"i": i})
        elif end <= start:
            row_issues.append(_("第 %(i)d 个时段的结束须晚于开始") % {"i": i})
        if not isinstance(slot, int) or slot < 0:
            row_issues.append(_("第 %(i)d 个时段的时段长度须为非负整数") % {"i": i})
        elif slot and start is not None and end is not None and end > start:
            length = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            if length % slot:
                # the remainder would never be bookable: said, not silently dropped
                row_issues.append(
                    _(
                        "第 %(i)d 个时段 %(s)s–%(e)s 共 %(n)d 分钟，不能按每 %(m)d 分钟分完"
                        "（最后 %(r)d 分钟无法预约），请调整结束时间或时段长度"
                    )
                    % {
                        "i": i,
                        "s": start.strftime("%H:%M"),
                        "e": end.strftime("%H:%M"),
                        "n": length,
                        "m": slot,
                        "r": length % slot,
                    }
                )
        for text in row_issues:
            if (i, str(text)) not in said:
                said.add((i, str(text)))
                issues.append(Issue(E.WINDOW_INVALID, text, row=i, field="windows"))
        # no issues: the weekday is an int and both times were read (said again for the types)
        if not row_issues and isinstance(weekday, int) and start is not None and end is not None:
            out.append(
                Window(
                    weekday=weekday,
                    start=start,
                    end=end,
                    slot_minutes=slot,
                    valid_from=w.get("valid_from"),
                    valid_until=w.get("valid_until"),
                )
            )
    return out, issues


@transaction.atomic
def offer(
    *,
    actor: Any,
    unit: Provider,
    community: Community,
    name: str,
    kind: str,
    lon: float,
    lat: float,
    price: str,
    capacity: int,
    windows: Sequence[dict[str, Any]],
    item_codes: Sequence[str] = (),
    price_note: str = "",
    address: str = "",
    facility: Any = None,
) -> SharedFacility:
    """A resident unit (驻区单位) offers a facility with recurring off-peak windows."""
    if not perm.can_offer_facility(actor, unit, community):
        raise _refuse()
    issues: list[Issue] = []
    if unit.kind != Provider.Kind.RESIDENT_UNIT:
        issues.append(Issue(E.NOT_A_UNIT, _("只有驻区单位可以登记共享设施"), field="unit"))
    known = known_item_codes()
    for code in item_codes:
        if code not in known:
            issues.append(
                Issue(E.UNKNOWN_ITEM, _("未知的服务项目 %(c)s") % {"c": code}, field="item_codes")
            )
    rows, window_issues = _check_windows(windows)
    issues.extend(window_issues)
    if not isinstance(capacity, int) or capacity < 1:
        issues.append(Issue(E.FIELD_INVALID, _("容量须为正整数"), field="capacity"))
    raise_if_any(issues)
    shared = SharedFacility(
        unit=unit,
        community=community,
        name=name,
        kind=kind,
        lon=lon,
        lat=lat,
        price=price,
        price_note=price_note,
        capacity=capacity,
        item_codes=sorted(set(item_codes)),
        address=address,
        facility=facility,
    )
    offered = str(_("开放共享"))
    save_audited(shared, actor=actor, reason=offered)
    for w in rows:
        w.shared = shared
        save_audited(w, actor=actor, reason=offered)
    return shared


def find_window(shared: SharedFacility, date: dt.date, start: dt.time) -> tuple[Window, dt.time]:
    """The window a slot starting at ``start`` on ``date`` belongs to, and the slot's end."""
    for w in shared.windows.filter(weekday=date.isoweekday()).order_by("start"):
        if w.valid_from and date < w.valid_from:
            continue
        if w.valid_until and date > w.valid_until:
            continue
        if w.slot_minutes == 0:
            if start == w.start:
                return w, w.end
            continue
        begin = dt.datetime.combine(date, w.start)
        at = dt.datetime.combine(date, start)
        offset = (at - begin).total_seconds() / 60
        end = at + dt.timedelta(minutes=w.slot_minutes)
        if offset >= 0 and offset % w.slot_minutes == 0 and end <= dt.datetime.combine(date, w.end):
            return w, end.time()
    raise Invalid(
        E.OUTSIDE_WINDOW,
        _("%(d)s %(t)s 不在该设施的开放时段内") % {"d": date, "t": start.strftime("%H:%M")},
        [Issue(E.OUTSIDE_WINDOW, _("不在开放时段内"), field="start")],
    )


def _slot_for(
    shared: SharedFacility, window: Window, date: dt.date, start: dt.time, end: dt.time
) -> Slot:
    """The slot row (created once; concurrent creators fall back to the row that won)."""
    try:
        with transaction.atomic():
            slot, _created = Slot.objects.get_or_create(
                shared=shared,
                date=date,
                start=start,
                defaults={"window": window, "end": end, "capacity": shared.capacity},
            )
    except IntegrityError:
        slot = Slot.objects.get(shared=shared, date=date, start=start)
    return slot


def _check_offered(shared: SharedFacility, date: dt.date) -> None:
    if shared.status == SharedFacility.Status.WITHDRAWN and (
        shared.withdrawn_from is None or date >= shared.withdrawn_from
    ):
        raise Invalid(E.WITHDRAWN, _("该设施已退出共享"))


def book(
    *,
    actor: Any,
    shared: SharedFacility,
    date: dt.date,
    start: dt.time,
    places: int = 1,
    note: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Book ``places`` in the slot of ``shared`` starting at ``start`` on ``date``."""
    if not perm.can_book(actor, shared):
        raise _refuse()
    at = _now(now)
    shared = SharedFacility.objects.get(pk=shared.pk)
    _check_offered(shared, date)
    if not isinstance(places, int) or places < 1 or places > shared.capacity:
        raise Invalid(
            E.FIELD_INVALID,
            _("人数须在 1 到 %(c)d 之间") % {"c": shared.capacity},
            [Issue(E.FIELD_INVALID, _("人数超出范围"), field="places")],
        )
    window, end = find_window(shared, date, start)
    begins = timezone.make_aware(dt.datetime.combine(date, start))
    if begins <= at:
        raise Invalid(E.IN_PAST, _("不能预约已开始或已过去的时段"))
    slot = _slot_for(shared, window, date, start, end)
    with transaction.atomic():
        locked = Slot.objects.select_for_update().get(pk=slot.pk)
        # read again under the slot lock: a withdrawal locks these slots before cancelling
        _check_offered(SharedFacility.objects.get(pk=shared.pk), date)
        grabbed = Slot.objects.filter(pk=locked.pk, taken__lte=F("capacity") - places).update(
            taken=F("taken") + places
        )
        if grabbed != 1:
            raise Invalid(
                E.FULL,
                _("该时段已约满（容量 %(c)d）") % {"c": locked.capacity},
            )
        booking = Booking(slot=locked, booker=actor, places=places, note=note, created_at=at)
        save_audited(booking, actor=actor, reason=str(_("预约")))
    return booking


@transaction.atomic
def cancel(*, actor: Any, booking: Booking, reason: str = "") -> Booking:
    row = Booking.objects.select_for_update().select_related("slot__shared").get(pk=booking.pk)
    if not perm.can_cancel_booking(actor, row):
        raise _refuse()
    if not machines.BOOKING.can(row, "cancel"):
        raise Invalid(E.BOOKING_CLOSED, _("该预约已取消"))
    Slot.objects.select_for_update().filter(pk=row.slot_id).update(taken=F("taken") - row.places)
    return machines.BOOKING.move(row, "cancel", actor=actor, reason=reason, locked=True)


@transaction.atomic
def withdraw(
    *,
    actor: Any,
    shared: SharedFacility,
    effective_from: dt.date,
    reason: str,
    now: dt.datetime | None = None,
) -> list[Booking]:
    """The unit withdraws its facility from ``effective_from`` (at least the configured notice
    ahead). Bookings from that date on are cancelled and their bookers told; returns them."""
    row = SharedFacility.objects.select_for_update().get(pk=shared.pk)
    if not perm.can_manage_shared(actor, row):
        raise _refuse()
    issues: list[Issue] = []
    if row.status == SharedFacility.Status.WITHDRAWN:
        issues.append(Issue(E.WITHDRAWN, _("该设施已退出共享")))
    today = timezone.localdate(_now(now))
    if effective_from < today + dt.timedelta(days=min_notice_days()):
        issues.append(
            Issue(
                E.NOTICE_TOO_SHORT,
                _("退出须至少提前 %(n)d 天告知") % {"n": min_notice_days()},
                field="effective_from",
            )
        )
    if not reason.strip():
        issues.append(Issue(E.FIELD_INVALID, _("必须填写退出原因"), field="reason"))
    if issues:
        raise Invalid(issues[0].code, issues[0].message, issues)
    row = machines.OFFER.move(
        row,
        "withdraw",
        actor=actor,
        now=now,
        reason=reason,
        fields={"withdrawn_from": effective_from, "withdraw_reason": reason},
        locked=True,
    )
    # lock the slots first: a booking in flight either commits before (and is cancelled here)
    # or reads the withdrawal after it
    list(Slot.objects.select_for_update().filter(shared=row, date__gte=effective_from))
    affected = list(
        Booking.objects.select_for_update()
        .filter(slot__shared=row, slot__date__gte=effective_from, status=Booking.Status.ACTIVE)
        .select_related("slot", "booker")
        .order_by("pk")
    )
    for b in affected:
        Slot.objects.filter(pk=b.slot_id).update(taken=F("taken") - b.places)
        machines.BOOKING.move(b, "withdraw", actor=actor, now=now, reason=reason, locked=True)
    for b in affected:
        tell(
            recipients=[b.booker],
            kind="sharing.withdrawn",
            subject=_("%(f)s 自 %(d)s 起退出共享，您 %(s)s 的预约已取消")
            % {"f": row.name, "d": effective_from, "s": b.slot.date},
            body=reason,
            obj=b,
        )
    return affected
