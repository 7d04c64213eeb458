"""Our public directory rows as HSDS 3.0 objects (plain dicts ready for JSON).

Only public data: provider and service names, descriptions, hotlines, hours, fees and facility
places. Nothing about residents or staff accounts is read here. Empty values are left out
rather than sent as ``null`` (the spec's schemas type every field without null).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from quarterhour.platform.catalogue.models import Provider, Service
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.hsds import ids
from quarterhour.platform.hsds.taxonomy import Taxonomies, Taxonomy, Term

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _when(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="milliseconds")


def _offset() -> str:
    off = timezone.localtime().strftime("%z") or "+0000"
    return f"{off[:3]}:{off[3:]}"


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        out[key] = value


def schedules(
    periods: Iterable[dict[str, Any]], *, owner: str, owner_id: str, note: str
) -> list[dict[str, Any]]:
    """Opening periods as weekly RRULE-style schedules (times carry the local UTC offset)."""
    tz = _offset()
    out = []
    for i, p in enumerate(periods):
        closes = "23:59" if p.get("closes") == "24:00" else p.get("closes", "")
        sch: dict[str, Any] = {
            "id": ids.named("schedule", owner, owner_id, i),
            f"{owner}_id": owner_id,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": ",".join(_DAYS[d - 1] for d in p.get("days", []) if 1 <= d <= 7),
            "opens_at": f"{p.get('opens', '')}{tz}",
            "closes_at": f"{closes}{tz}",
        }
        _put(sch, "description", note)
        out.append(sch)
    return out


def phones(
    number: str, *, owner: str, owner_id: str, description: str = ""
) -> list[dict[str, Any]]:
    if not number.strip():
        return []
    ph: dict[str, Any] = {
        "id": ids.named("phone", owner, owner_id),
        f"{owner}_id": owner_id,
        "number": number.strip(),
        "type": "voice",
    }
    _put(ph, "description", description)
    return [ph]


def term(t: Term, tax: Taxonomy | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": t.id,
        "code": t.code,
        "name": t.name,
        "description": t.name_en,
        "taxonomy_id": t.taxonomy_id,
        "language": "zh",
    }
    _put(out, "parent_id", t.parent_id)
    if tax is not None:
        out["taxonomy"] = tax.name
        out["taxonomy_detail"] = taxonomy(tax)
    return out


def taxonomy(t: Taxonomy) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "description": t.description, "version": "3.0"}


def organization_basic(p: Provider) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ids.make("organization", p.pk),
        "name": p.name,
        "description": p.description or p.get_kind_display(),
    }
    _put(out, "website", p.website)
    return out


def organization_full(p: Provider, services: Iterable[Service], *, full: bool) -> dict[str, Any]:
    out = organization_basic(p)
    oid = out["id"]
    out["phones"] = phones(p.hotline, owner="organization", owner_id=oid)
    out["services"] = [
        service_full(s, tax=None) if full else service_basic(s, with_org=False) for s in services
    ]
    return out


def service_basic(s: Service, *, with_org: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ids.make("service", s.pk),
        "organization_id": ids.make("organization", s.provider_id),
        "name": s.name,
        "status": "active" if s.is_active else "inactive",
        "last_modified": _when(s.updated_at),
    }
    _put(out, "description", s.description)
    fees = "免费 / free" if s.is_free else s.fee_note
    _put(out, "fees_description", fees)
    methods = [
        label
        for on, label in (
            (s.home_visit, "上门服务 / home visits"),
            (s.by_appointment, "预约服务 / by appointment"),
            (s.off_peak, "错时服务 / off-peak hours"),
        )
        if on
    ]
    _put(out, "application_process", "；".join(methods))
    if with_org:
        out["organization"] = organization_basic(s.provider)
    return out


def _attributes(s: Service, tax: Taxonomies) -> list[dict[str, Any]]:
    sid = ids.make("service", s.pk)
    codes = [s.category, *(i.item_code for i in s.items.all())]
    out = []
    for code in codes:
        t = tax.by_code.get(code)
        if t is None:
            continue
        out.append(
            {
                "id": ids.named("attribute", sid, t.id),
                "link_id": sid,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": t.id,
                "taxonomy_term": term(t),
            }
        )
    return out


def service_full(s: Service, *, tax: Taxonomies | None) -> dict[str, Any]:
    out = service_basic(s)
    sid = out["id"]
    out["phones"] = phones(s.hotline or s.provider.hotline, owner="service", owner_id=sid)
    out["schedules"] = schedules(s.opening_hours, owner="service", owner_id=sid, note=s.hours_note)
    if s.facility_id is not None and s.facility is not None:
        out["service_at_locations"] = [sal_basic(s, with_service=False)]
    if s.is_free:
        out["cost_options"] = [
            {
                "id": ids.named("cost", sid),
                "service_id": sid,
                "amount": 0,
                "currency": "CNY",
                "amount_description": "免费 / free",
            }
        ]
    if tax is not None:
        out["attributes"] = _attributes(s, tax)
    return out


def location(f: Facility, *, full: bool = False) -> dict[str, Any]:
    lid = ids.make("location", f.pk)
    out: dict[str, Any] = {
        "id": lid,
        "location_type": "physical",
        "name": f.name,
        "latitude": round(f.lat, 7),
        "longitude": round(f.lon, 7),
    }
    if f.address:
        community = f.community
        out["addresses"] = [
            {
                "id": ids.named("address", lid),
                "location_id": lid,
                "address_1": f.address,
                "city": community.street.district.name,
                "region": community.street.name,
                "state_province": "",
                "postal_code": "",
                "country": "CN",
                "address_type": "physical",
            }
        ]
    if full:
        out["phones"] = phones(f.phone, owner="location", owner_id=lid)
        out["schedules"] = schedules(
            f.opening_hours, owner="location", owner_id=lid, note=f.hours_note
        )
    return out


def _place(s: Service) -> Facility:
    if s.facility is None:
        raise ValueError(f"service {s.pk} has no place")
    return s.facility


def sal_basic(s: Service, *, with_service: bool = True) -> dict[str, Any]:
    facility = _place(s)
    out: dict[str, Any] = {
        "id": ids.make("service_at_location", s.pk),
        "service_id": ids.make("service", s.pk),
        "location_id": ids.make("location", facility.pk),
        "location": location(facility),
    }
    if with_service:
        out["service"] = service_basic(s, with_org=False)
    return out


def sal_full(s: Service, *, tax: Taxonomies) -> dict[str, Any]:
    out = sal_basic(s, with_service=False)
    sal_id = out["id"]
    facility = _place(s)
    out["location"] = location(facility, full=True)
    out["phones"] = phones(
        s.hotline or s.provider.hotline, owner="service_at_location", owner_id=sal_id
    )
    out["schedules"] = schedules(
        s.opening_hours or facility.opening_hours,
        owner="service_at_location",
        owner_id=sal_id,
        note=s.hours_note or facility.hours_note,
    )
    out["service"] = service_full(s, tax=tax)
    out["service"].pop("service_at_locations", None)
    return out
