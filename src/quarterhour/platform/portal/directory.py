"""The facilities "near me" lists, kept in memory per process under the directory's version.

A near-me answer names every facility within walking distance with its items, services,
provider, hours and hotline. Reading those rows through model instances was most of a request's
time, and the same facilities come up request after request; so each process keeps light,
read-only records of them: a facility is read once (four plain queries for all the facilities a
request misses: facilities with providers, their items, their active services with providers,
the services' items), together with its fixed HTML lines (address, hotline, provider link, route
button) in the request's language. Everything is dropped at once when the public directory's
data version (:func:`~quarterhour.platform.web.pagecache.directory_version`) changes, which any
write to a facility, service, item, provider, certification or area does: an edit shows on the
next request.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from quarterhour.platform.catalogue.models import Service, ServiceItem
from quarterhour.platform.core import standard
from quarterhour.platform.core.gcsettle import settle_if_enabled
from quarterhour.platform.facilities.hours import hours_words
from quarterhour.platform.facilities.models import Facility, FacilityItem

#: most facilities kept per process (a whole city's register fits; beyond it, start again)
MAX_KEPT = 200_000
#: registers up to this size are read whole on the first request after a change (about 0.2 s
#: for 20,000 facilities); larger ones facility by facility as requests need them
READ_ALL_UP_TO = 50_000


@dataclass(frozen=True, slots=True)
class ProviderView:
    pk: int
    name: str
    hotline: str


@dataclass(frozen=True, slots=True)
class ServiceView:
    """What near me, the handbook and the map show of a service (names as on the model)."""

    pk: int
    name: str
    category: str
    provider: ProviderView
    hotline: str  # the service's own (the provider's is ``provider.hotline``)
    is_free: bool
    fee_note: str
    home_visit: bool
    by_appointment: bool
    off_peak: bool
    item_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FacilityView:
    """What near me, the cards and the map show of a facility (names as on the model)."""

    pk: int
    name: str
    address: str
    lon: float
    lat: float
    opening_hours: Any
    hours_note: str
    phone: str
    is_active: bool
    provider: ProviderView | None
    item_codes: tuple[str, ...]
    services: tuple[ServiceView, ...]
    key: str = ""
    community: str = ""  # the community's name
    street: str = ""  # the street's (街道) name

    @property
    def named(self) -> bool:
        """False for places the register knows by id only (an OSM feature without a name)."""
        return bool(self.name) and self.name != self.key

    def title(self) -> str:
        """Its name; for a place without one, its item and where it is (active language)."""
        return place_title(
            name=self.name,
            key=self.key,
            item_codes=self.item_codes,
            where=self.address or self.street or self.community,
        )

    def hours_text(self) -> str:
        """The opening hours in words (the register's own note when they are not structured)."""
        return hours_words(self.opening_hours) if self.opening_hours else self.hours_note

    @property
    def hotline(self) -> str:
        """The facility's phone, else its first service's hotline, else its provider's."""
        if self.phone:
            return self.phone
        for s in self.services:
            if s.hotline:
                return s.hotline
        return self.provider.hotline if self.provider else ""


def place_title(*, name: str, key: str, item_codes: Iterable[str], where: str) -> str:
    """A place's name; for one the register knows by id only (an OSM feature without a name),
    its item and where it is: ``药店 · Mannerheimintie 9``, never an ``osm:node/…`` id."""
    if name and name != key:
        return name
    codes = list(item_codes)
    what = standard.item_label(codes[0]) if codes else str(_("服务点"))
    return f"{what} · {where}" if where else what


_lock = threading.Lock()
_read_lock = threading.Lock()
_version: str | None = None
_entries: dict[int, FacilityView | None] = {}  # None: no such facility
_whole = False  # _entries holds the whole register of _version
_html: dict[tuple[str, int, str], SafeString] = {}


def _start(version: str) -> None:
    global _version, _whole
    with _lock:
        if _version != version:
            _entries.clear()
            _html.clear()
            _version = version
            _whole = False


def _provider(pk: int | None, name: str | None, hotline: str | None) -> ProviderView | None:
    return None if pk is None else ProviderView(pk, name or "", hotline or "")


def _read(pks: list[int] | None) -> dict[int, FacilityView | None]:
    """Records of these facilities (None: every facility; absent ones map to None)."""
    items: dict[int, list[str]] = {}
    fi = (
        FacilityItem.objects.all()
        if pks is None
        else FacilityItem.objects.filter(facility_id__in=pks)
    )
    for fid, code in fi.order_by("facility_id", "item_code").values_list(
        "facility_id", "item_code"
    ):
        items.setdefault(fid, []).append(code)
    sq = Service.objects.filter(is_active=True, facility_id__isnull=False)
    if pks is not None:
        sq = sq.filter(facility_id__in=pks)
    srows = list(
        sq.order_by("provider_id", "name", "id").values_list(
            "pk",
            "facility_id",
            "name",
            "category",
            "provider_id",
            "provider__name",
            "provider__hotline",
            "hotline",
            "is_free",
            "fee_note",
            "home_visit",
            "by_appointment",
            "off_peak",
        )
    )
    s_items: dict[int, list[str]] = {}
    si = (
        ServiceItem.objects.filter(service__is_active=True, service__facility_id__isnull=False)
        if pks is None
        else ServiceItem.objects.filter(service_id__in=[r[0] for r in srows])
    )
    for sid, code in si.order_by("service_id", "item_code").values_list("service_id", "item_code"):
        s_items.setdefault(sid, []).append(code)
    services: dict[int, list[ServiceView]] = {}
    for sid, fid, name, cat, ppk, pname, photline, hotline, free, fee, home, appt, off in srows:
        provider = ProviderView(ppk, pname, photline)
        services.setdefault(fid, []).append(
            ServiceView(
                sid,
                name,
                cat,
                provider,
                hotline,
                free,
                fee,
                home,
                appt,
                off,
                tuple(s_items.get(sid, ())),
            )
        )
    out: dict[int, FacilityView | None] = {} if pks is None else dict.fromkeys(pks)
    fq = Facility.objects.all() if pks is None else Facility.objects.filter(pk__in=pks)
    for row in fq.values_list(
        "pk",
        "name",
        "address",
        "lon",
        "lat",
        "opening_hours",
        "hours_note",
        "phone",
        "is_active",
        "provider_id",
        "provider__name",
        "provider__hotline",
        "key",
        "community__name",
        "community__street__name",
    ):
        pk, name, address, lon, lat, hours, note, phone, active, ppk, pname, phot = row[:12]
        key, community, street = row[12:]
        out[pk] = FacilityView(
            pk,
            name,
            address,
            lon,
            lat,
            hours,
            note,
            phone,
            active,
            _provider(ppk, pname, phot),
            tuple(items.get(pk, ())),
            tuple(services.get(pk, ())),
            key,
            community or "",
            street or "",
        )
    return out


def facilities(pks: Iterable[int], *, version: str) -> dict[int, FacilityView]:
    """The active facilities among ``pks`` (inactive and deleted ones are left out)."""
    _start(version)
    wanted = list(pks)
    read: dict[int, FacilityView | None] = {}
    if any(pk not in _entries for pk in wanted):
        with _read_lock:  # one thread reads; the others find its records
            missing = [pk for pk in wanted if pk not in _entries]
            if missing and not (_version == version and _whole):
                # a newer version arrived meanwhile: read this request's own, keep nothing
                read = _fill(missing, version) if _version == version else _read(missing)
    out: dict[int, FacilityView] = {}
    for pk in wanted:
        f = read[pk] if pk in read else _entries.get(pk)
        if f is not None and f.is_active:
            out[pk] = f
    return out


def _fill(missing: list[int], version: str) -> dict[int, FacilityView | None]:
    global _whole
    whole = not _entries and Facility.objects.count() <= READ_ALL_UP_TO
    read = _read(None if whole else missing)
    if whole:
        read.update({pk: None for pk in missing if pk not in read})
    with _lock:
        if _version == version:
            if len(_entries) + len(read) > MAX_KEPT:
                _entries.clear()
                _html.clear()
            _entries.update(read)
            _whole = whole
    if whole:
        settle_if_enabled()  # the whole register's records: out of later collections
    return read


def _cached(kind: str, pk: int, build: Any, lang: str | None) -> SafeString:
    key = (kind, pk, (translation.get_language() or "") if lang is None else lang)
    html = _html.get(key)
    if html is None:
        html = build()
        _html[key] = html
    return html


def tel_href(phone: str) -> str:
    """The ``tel:`` target of a number as written: ``010-6512 3456`` → ``tel:01065123456``."""
    return "tel:" + re.sub(r"[^0-9+#*]", "", phone)


def phone_html(phone: str) -> SafeString:
    """A phone number a finger can tap."""
    return format_html('<a class="phone" href="{}">{}</a>', tel_href(phone), phone)


def facility_html(f: FacilityView, *, lang: str | None = None) -> SafeString:
    """The facility's fixed lines on the near-me page (escaped), in the active language: its
    hours in words, address, phone, provider and the route button."""

    def build() -> SafeString:
        parts: list[SafeString] = []
        hours = f.hours_text()
        if hours:
            parts.append(format_html('<br><span class="hours">{}</span>', hours))
        if f.address and f.named:  # a nameless place's title says its address already
            parts.append(format_html("<br><small>{}</small>", f.address))
        if f.hotline:
            parts.append(format_html("<br>{} {}", _("电话"), phone_html(f.hotline)))
        if f.provider is not None:
            url = reverse("portal:provider", args=[f.provider.pk])
            parts.append(format_html('<br><a href="{}">{}</a>', url, f.provider.name))
        parts.append(
            format_html(
                '<button type="button" class="route" data-facility="{}">{}</button>',
                f.pk,
                _("显示路线"),
            )
        )
        return SafeString("\n  ".join(parts))

    return _cached("facility", f.pk, build, lang)


def title_html(f: FacilityView, *, lang: str | None = None) -> SafeString:
    """The facility's name (or item and place when it has none), escaped, in the language."""
    return _cached("title", f.pk, lambda: format_html("{}", f.title()), lang)


def service_html(s: ServiceView, *, lang: str | None = None) -> tuple[SafeString, SafeString]:
    """A service's fixed parts of its near-me line, in the active language: (name and provider,
    methods, hotline and fee); the walking time goes between them."""

    def head() -> SafeString:
        url = reverse("portal:provider", args=[s.provider.pk])
        return format_html(
            '<strong>{}</strong> · <a href="{}">{}</a>', s.name, url, s.provider.name
        )

    def tail() -> SafeString:
        parts: list[SafeString] = [
            format_html('<span class="tag">{}</span>', label)
            for on, label in (
                (s.home_visit, _("上门")),
                (s.by_appointment, _("预约")),
                (s.off_peak, _("错时")),
            )
            if on
        ]
        hotline = s.hotline or s.provider.hotline
        if hotline:
            parts.append(format_html("· {}", phone_html(hotline)))
        if s.is_free:
            parts.append(format_html('<span class="tag free">{}</span>', _("免费")))
        elif s.fee_note:
            parts.append(format_html("<small>{}</small>", s.fee_note))
        return SafeString(" ".join(parts))

    return _cached("service", s.pk, head, lang), _cached("service-tail", s.pk, tail, lang)


def hours_html(open_now: bool | None, *, lang: str | None = None) -> SafeString:
    """ "Open now" / "closed" / "hours unknown", in the active language."""
    if open_now is True:
        return _cached(
            "hours", 1, lambda: format_html('<span class="open">{}</span>', _("营业中")), lang
        )
    if open_now is False:
        return _cached(
            "hours", 0, lambda: format_html('<span class="closed">{}</span>', _("已休息")), lang
        )
    return _cached(
        "hours", -1, lambda: format_html('<span class="unknown">{}</span>', _("时间未知")), lang
    )


def _h(text: Any) -> str:
    """``text`` escaped for HTML unless it is already (as ``format_html`` treats its arguments;
    the same characters, without its per-argument overhead on the page's many lines)."""
    if hasattr(text, "__html__"):
        return str(text.__html__())
    return html.escape(str(text))


def hit_html(
    f: FacilityView,
    *,
    walk_text: str,
    metres_text: str,
    open_now: bool | None,
    lang: str | None = None,
) -> str:
    """One facility's line in the near-me list."""
    return SafeString(
        f'<li class="hit" data-facility="{f.pk}">\n  <strong class="place">'
        f"{title_html(f, lang=lang)}</strong> · "
        f'<span class="minutes">{_h(walk_text)}</span> ({_h(metres_text)} m)\n  '
        f"{hours_html(open_now, lang=lang)}\n  {facility_html(f, lang=lang)}\n</li>"
    )


def service_line_html(s: ServiceView, *, walk_text: str, lang: str | None = None) -> str:
    """One service's line in the near-me list."""
    head, tail = service_html(s, lang=lang)
    return SafeString(f"<li>{head} · {_h(walk_text)}\n  {tail}\n</li>")
