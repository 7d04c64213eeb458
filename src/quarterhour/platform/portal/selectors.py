"""Reads for the resident pages. Everything here is public directory data: providers, services,
facilities, communities. Residents' own details are never read."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from quarterhour.platform.catalogue.models import Category, Provider, Service, ServiceItem
from quarterhour.platform.core import standard
from quarterhour.platform.facilities.hours import is_open
from quarterhour.platform.facilities.models import Facility, FacilityItem
from quarterhour.platform.geography.models import Community, Street
from quarterhour.platform.portal import directory, walking
from quarterhour.platform.portal.directory import _h
from quarterhour.platform.portal.search import fold, folded_q, matching_item_codes, text_q
from quarterhour.platform.web.pagecache import directory_version

if TYPE_CHECKING:
    from quarterhour.platform.certification.selectors import Disqualification

OTHER = "other"  # items the standard lists under no service category


@dataclass(frozen=True, slots=True)
class Place:
    """A place a typed query matched: a community (its centre) or a facility (its address)."""

    kind: str  # community | facility
    label: str
    detail: str
    lon: float
    lat: float


def find_places(query: str, *, limit: int = 10) -> list[Place]:
    if not fold(query):
        return []
    out: list[Place] = []
    for c in (
        Community.objects.filter(text_q(query, "name"))
        .exclude(centre_lon=None)
        .exclude(centre_lat=None)
        .select_related("street")[:limit]
    ):
        if c.centre_lon is None or c.centre_lat is None:  # excluded by the query itself
            continue
        out.append(Place("community", c.name, c.street.name, c.centre_lon, c.centre_lat))
    for f in Facility.objects.filter(is_active=True).filter(folded_q(query, "search_text"))[:limit]:
        out.append(Place("facility", f.name, f.address, f.lon, f.lat))
    return out[:limit]


_examples: dict[str, str] = {}


def example_place(*, version: str | None = None) -> str:
    """A community name from the loaded data, for the search box's example ("" when none)."""
    ver = directory_version() if version is None else version
    known = _examples.get(ver)
    if known is None:
        name = (
            Community.objects.exclude(centre_lon=None)
            .order_by("code")
            .values_list("name", flat=True)
            .first()
        )
        known = name or ""
        _examples.clear()
        _examples[ver] = known
    return known


def example_places(*, limit: int = 5) -> list[str]:
    """A few community names to try when a search found nothing and nothing is like it."""
    return list(
        Community.objects.exclude(centre_lon=None)
        .order_by("code")
        .values_list("name", flat=True)[:limit]
    )


def suggestions(query: str, *, limit: int = 5) -> list[str]:
    """The closest community names and facility addresses to a query that matched nothing."""
    needle = fold(query)
    if not needle:
        return []
    names = list(Community.objects.values_list("name", flat=True)[:5000])
    names += [
        a
        for a in Facility.objects.filter(is_active=True)
        .exclude(address="")
        .values_list("address", flat=True)[:5000]
    ]
    folded = {fold(n): n for n in names}
    scored = sorted(
        folded,
        key=lambda f: (
            -len(set(f) & set(needle)),
            -difflib.SequenceMatcher(None, needle, f).ratio(),
        ),
    )
    out = [folded[f] for f in scored if set(f) & set(needle)]
    return out[:limit]


# --- near me ---------------------------------------------------------------------------------

#: places listed per item (and services per category) before "more"
SHOW_NEAREST = 3
#: "more" for the services of a category: ``services:<category>``
SERVICES_MORE = "services:"


@dataclass
class FacilityHit:
    facility: directory.FacilityView
    metres: float
    minutes: float
    open_now: bool | None
    services: list[directory.ServiceView] = field(default_factory=list)
    hotline: str = ""
    walk_text: str = ""  # "步行 12 分钟" in the active language
    html: str = ""  # its line in the near-me list (made for the lines shown only)

    @property
    def whole_minutes(self) -> str:
        """Walking minutes as shown: rounded half up, at least 1 (a door away is "1 分钟")."""
        return _whole(max(1.0, self.minutes))


@dataclass
class ServiceLine:
    service: directory.ServiceView
    hit: FacilityHit
    html: str  # its line in the near-me list


@dataclass
class ItemRow:
    code: str
    label: str
    hits: list[FacilityHit]  # every place within reach, nearest first
    shown: int = SHOW_NEAREST

    @property
    def listed(self) -> list[FacilityHit]:
        return self.hits[: self.shown]

    @property
    def more(self) -> int:
        """How many more places within reach than are listed."""
        return max(0, len(self.hits) - self.shown)


@dataclass
class CategoryBlock:
    code: str
    label: str
    items: list[ItemRow]
    services: list[ServiceLine]  # the ones listed
    services_more: int = 0

    @property
    def more_key(self) -> str:
        return SERVICES_MORE + self.code


@dataclass
class NearMe:
    lon: float
    lat: float
    elderly: bool
    limit_m: float
    speed_kmh: float
    minutes: float
    blocks: list[CategoryBlock]
    missing: list[tuple[str, str]]  # (code, label) of standard items not within reach
    hits: list[FacilityHit]  # every place within reach, nearest first
    expanded: str = ""  # the item (or services:<category>) listed in full

    @property
    def missing_html(self) -> str:
        """The not-within-reach list's items (escaped)."""
        return SafeString(
            "".join(f'<li data-code="{_h(c)}">{_h(label)}</li>' for c, label in self.missing)
        )

    @property
    def listed(self) -> list[FacilityHit]:
        """The places the page lists (each once), nearest first: the map's markers."""
        seen: dict[int, FacilityHit] = {}
        for b in self.blocks:
            for row in b.items:
                for h in row.listed:
                    seen.setdefault(h.facility.pk, h)
            for line in b.services:
                seen.setdefault(line.hit.facility.pk, line.hit)
        return sorted(seen.values(), key=lambda h: (h.metres, h.facility.pk))


def walk_profile(*, elderly: bool) -> tuple[float, float, float]:
    """(limit metres, pace km/h, minutes) from the standard's walking section."""
    walk = standard.engine_standard().walking
    speed = walk.elderly_speed_kmh if elderly else walk.speed_kmh
    return walk.limit_m(elderly=elderly), float(speed), float(walk.minutes)


def _category_items() -> dict[str, tuple[str, ...]]:
    std = standard.engine_standard()
    return {c.code: tuple(c.facility_items) for c in std.categories}


def category_codes() -> list[str]:
    """The standard's service categories in its order, then the facilities it files under none."""
    return [c.code for c in standard.engine_standard().categories] + [OTHER]


def category_label(code: str) -> str:
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    if code == OTHER:
        return str(_("社区配套设施"))
    for c in standard.engine_standard().categories:
        if c.code == code:
            english = (get_language() or "").startswith("en")
            return c.name_en if english else c.name_zh
    return str(Category(code).label) if code in Category.values else code


def _whole(x: float) -> str:
    """``x`` rounded half up to a whole number, as the templates' ``floatformat:0`` shows it."""
    return str(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def near_me(
    data: walking.WalkData,
    lon: float,
    lat: float,
    *,
    elderly: bool,
    now: datetime | None = None,
    version: str | None = None,
    expand: str = "",
) -> tuple[NearMe, walking.PointReach]:
    """Everything within walking distance of a point, grouped by the standard's service
    categories and items, the nearest :data:`SHOW_NEAREST` of each listed (all of ``expand``:
    an item code or ``services:<category>``), with the standard items not within reach.
    ``version``: the directory's data version if the caller has read it already."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    ver = directory_version() if version is None else version
    lang = get_language() or ""
    english = lang.startswith("en")
    limit_m, speed, minutes = walk_profile(elderly=elderly)
    reach = walking.reach_from(data, lon, lat, limit_m=limit_m, version=ver)
    at = timezone.localtime(now)
    per_min = speed * 1000.0 / 60.0
    hits: list[FacilityHit] = []
    for pk, f in directory.facilities(reach.facility_m, version=ver).items():
        m = reach.facility_m[pk]
        hits.append(FacilityHit(f, m, m / per_min, None, list(f.services), f.hotline))
    hits.sort(key=lambda h: (h.metres, h.facility.pk))
    by_item: dict[str, list[FacilityHit]] = {}
    for h in hits:
        for code in h.facility.item_codes:
            by_item.setdefault(code, []).append(h)
    cat_items = _category_items()
    placed = {c for codes in cat_items.values() for c in codes}
    std_items = standard.items()
    blocks: list[CategoryBlock] = []
    for cat in category_codes():
        codes = (
            cat_items.get(cat, ())
            if cat != OTHER
            else tuple(i.code for i in std_items if i.code not in placed)
        )
        rows = [
            ItemRow(
                code,
                standard.item_label(code),
                by_item[code],
                len(by_item[code]) if expand == code else SHOW_NEAREST,
            )
            for code in codes
            if code in by_item
        ]
        lines = [(s, h) for h in hits for s in h.services if s.category == cat]
        show = len(lines) if expand == SERVICES_MORE + cat else SHOW_NEAREST
        services = [ServiceLine(s, h, "") for s, h in lines[:show]]
        if rows or services or cat != OTHER:
            blocks.append(
                CategoryBlock(cat, category_label(cat), rows, services, len(lines) - show)
            )
    result = NearMe(lon, lat, elderly, limit_m, speed, minutes, blocks, [], hits, expanded=expand)
    # the lines of the places listed only (a city centre has hundreds within reach)
    walk_words = _("步行 %(m)s 分钟")  # translated once per request, not per line
    for h in result.listed:
        h.open_now = is_open(h.facility.opening_hours, at)
        h.walk_text = walk_words % {"m": h.whole_minutes}
        h.html = directory.hit_html(
            h.facility,
            walk_text=h.walk_text,
            metres_text=_whole(h.metres),
            open_now=h.open_now,
            lang=lang,
        )
    for b in blocks:
        for line in b.services:
            line.html = directory.service_line_html(
                line.service, walk_text=line.hit.walk_text, lang=lang
            )
    result.missing = [
        (i.code, i.name_en if english else i.name_zh) for i in std_items if i.code not in by_item
    ]
    return result, reach


def near_or_nearest(
    data: walking.WalkData,
    lon: float,
    lat: float,
    *,
    elderly: bool,
    now: datetime | None = None,
    version: str | None = None,
    expand: str = "",
) -> tuple[NearMe, walking.PointReach, float | None] | None:
    """:func:`near_me` from the point; from the nearest walkable place when the point is off
    the streets (third value: how far it was moved, metres); None when no street is near."""
    options: dict[str, Any] = {"elderly": elderly, "now": now, "version": version, "expand": expand}
    try:
        result, reach = near_me(data, lon, lat, **options)
        return result, reach, None
    except walking.PointOffNetworkError:
        nearest = walking.nearest_place(data, lon, lat)
        if nearest is None:
            return None
        result, reach = near_me(data, nearest[0], nearest[1], **options)
        return result, reach, nearest[2]


# --- catalogue -------------------------------------------------------------------------------

METHODS = {"home_visit": "home_visit", "appointment": "by_appointment", "off_peak": "off_peak"}


@dataclass(frozen=True, slots=True)
class CatalogueFilter:
    category: str = ""
    item: str = ""
    community: int | None = None
    street: int | None = None
    open_now: bool = False
    method: str = ""
    q: str = ""


def item_codes_for(category: str) -> tuple[str, ...]:
    """Facility items and service codes of a category (all of them for an empty category)."""
    std = standard.current()
    if not category:
        return tuple(i.code for i in std.items) + tuple(std.service_codes)
    if category == OTHER:
        placed = {c for codes in _category_items().values() for c in codes}
        return tuple(i.code for i in std.items if i.code not in placed)
    return _category_items().get(category, ()) + tuple(
        c for c, (cat, _zh, _en) in std.service_codes.items() if cat == category
    )


def _service_has(codes: Iterable[str]) -> Q:
    # IN (subquery) is answered from the item-code index; a correlated EXISTS runs per row
    return Q(pk__in=ServiceItem.objects.filter(item_code__in=list(codes)).values("service_id"))


def _facility_has(codes: Iterable[str]) -> Q:
    return Q(pk__in=FacilityItem.objects.filter(item_code__in=list(codes)).values("facility_id"))


def catalogue_services(flt: CatalogueFilter) -> QuerySet[Service]:
    """Active services matching every filter (no row joins that could repeat a service)."""
    qs = (
        Service.objects.filter(is_active=True)
        .select_related("provider", "facility")
        .prefetch_related(Prefetch("items", queryset=ServiceItem.objects.order_by("item_code")))
        .order_by("provider__name", "name", "pk")
    )
    if flt.category == OTHER:
        qs = qs.filter(_service_has(item_codes_for(OTHER)))
    elif flt.category:
        qs = qs.filter(Q(category=flt.category) | (_service_has(item_codes_for(flt.category))))
    if flt.item:
        qs = qs.filter(_service_has([flt.item]))
    if flt.community is not None:
        qs = qs.filter(
            Q(facility__community_id=flt.community) | Q(provider__community_id=flt.community)
        )
    if flt.street is not None:
        qs = qs.filter(provider__street_id=flt.street)
    if flt.method in METHODS:
        qs = qs.filter(**{METHODS[flt.method]: True})
    if flt.q:
        cond = folded_q(flt.q, "search_text", "provider__search_text", "facility__search_text")
        codes = matching_item_codes(flt.q)
        qs = qs.filter(cond | (_service_has(codes)) if codes else cond)
    return qs


def catalogue_facilities(flt: CatalogueFilter) -> QuerySet[Facility]:
    qs = (
        Facility.objects.filter(is_active=True)
        .select_related("provider", "community__street")
        .prefetch_related(Prefetch("items", queryset=FacilityItem.objects.order_by("item_code")))
        .order_by("name", "pk")
    )
    if flt.item:
        qs = qs.filter(_facility_has([flt.item]))
    elif flt.category:
        qs = qs.filter(_facility_has(item_codes_for(flt.category)))
    if flt.community is not None:
        qs = qs.filter(community_id=flt.community)
    if flt.street is not None:
        qs = qs.filter(community__street_id=flt.street)
    if flt.q:
        cond = folded_q(flt.q, "search_text")
        codes = matching_item_codes(flt.q)
        qs = qs.filter(cond | (_facility_has(codes)) if codes else cond)
    if flt.method in METHODS:
        qs = qs.filter(
            Exists(
                Service.objects.filter(
                    facility=OuterRef("pk"), is_active=True, **{METHODS[flt.method]: True}
                )
            )
        )
    return qs


def open_filter(rows: Sequence[Any], *, hours: str = "opening_hours") -> list[Any]:
    at = timezone.localtime()
    return [r for r in rows if is_open(getattr(r, hours), at)]


def streets() -> QuerySet[Street]:
    return Street.objects.order_by("code")


def communities() -> QuerySet[Community]:
    return Community.objects.select_related("street").order_by("code")


# --- provider ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reputation:
    certified: bool
    certified_since: datetime | None
    score: str | None
    score_year: int | None
    #: the certification was cancelled (已取消资格) and not renewed since: the date and the
    #: decision's public reason
    disqualified: Disqualification | None = None


def reputation(provider: Provider) -> Reputation:
    """Certification in force (or its cancellation) and the latest published year-end score (the
    other apps' data)."""
    from quarterhour.platform.certification.selectors import (
        current_certification,
        disqualification,
    )
    from quarterhour.platform.evaluation.selectors import published

    cert = current_certification(provider)
    ev = published().filter(provider=provider).order_by("-year").first()
    return Reputation(
        certified=cert is not None,
        certified_since=getattr(cert, "certified_at", None),
        score=None if ev is None else str(ev.score),
        score_year=None if ev is None else ev.year,
        disqualified=None if cert is not None else disqualification(provider),
    )


def certified_ids(provider_ids: Iterable[int]) -> set[int]:
    from quarterhour.platform.certification.selectors import certified_providers

    return set(certified_providers().filter(pk__in=list(provider_ids)).values_list("pk", flat=True))


def provider_detail(pk: int) -> Provider | None:
    return (
        Provider.objects.select_related("street", "community")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.filter(is_active=True)
                .select_related("facility")
                .prefetch_related("items"),
            ),
            Prefetch("facilities", queryset=Facility.objects.filter(is_active=True)),
        )
        .filter(pk=pk)
        .first()
    )


# --- convenience card ---------------------------------------------------------------------------


@dataclass
class CardRow:
    code: str
    label: str
    category: str
    hit: FacilityHit | None


@dataclass
class Card:
    """The convenience card of a place: the nearest place of every standard item within reach."""

    rows: list[CardRow]  # the items found within reach, by category, nearest place each
    missing: list[str]  # labels of the items not within reach
    result: NearMe | None
    problem: str  # "" when fine
    moved_m: float | None = None  # the point was off the streets: how far it was moved
    lon: float | None = None
    lat: float | None = None

    @property
    def missing_text(self) -> str:
        """The items not within reach, as one line in the active language."""
        from django.utils.translation import gettext as _

        return str(_("、")).join(self.missing)


def place_card(
    data: walking.WalkData,
    lon: float,
    lat: float,
    *,
    elderly: bool = False,
    now: datetime | None = None,
) -> Card:
    """Nearest place for every standard item from a point (15 min walk). A point off the
    streets is moved to the nearest walkable place (``moved_m`` says how far)."""
    from django.utils.translation import gettext as _

    found = near_or_nearest(data, lon, lat, elderly=elderly, now=now)
    if found is None:
        return Card([], [], None, _("附近没有可步行的道路，无法计算步行距离"))
    result, _reach, moved = found
    at = timezone.localtime(now)
    nearest_of: dict[str, FacilityHit] = {}
    for h in result.hits:
        for code in h.facility.item_codes:
            nearest_of.setdefault(code, h)
    rows: list[CardRow] = []
    for block in result.blocks:
        codes = (
            _category_items().get(block.code, ())
            if block.code != OTHER
            else tuple(r.code for r in block.items)
        )
        for code in codes:
            hit = nearest_of.get(code)
            if hit is not None:
                hit.open_now = is_open(hit.facility.opening_hours, at)
                rows.append(CardRow(code, standard.item_label(code), block.label, hit))
    missing = [label for _code, label in result.missing]
    return Card(rows, missing, result, "", moved, result.lon, result.lat)


def community_card(
    data: walking.WalkData, community: Community, *, now: datetime | None = None
) -> Card:
    """The card of a community: from its centre."""
    from django.utils.translation import gettext as _

    if community.centre_lon is None or community.centre_lat is None:
        return Card([], [], None, _("该社区没有中心位置，无法计算步行距离"))
    return place_card(data, community.centre_lon, community.centre_lat, now=now)


def community_at(lon: float, lat: float) -> Community | None:
    """The community a point lies in (its boundary), else the one with the nearest centre."""
    import json

    import shapely

    box = 0.02
    near = list(
        Community.objects.filter(
            centre_lon__range=(lon - box, lon + box), centre_lat__range=(lat - box, lat + box)
        ).select_related("street__district")[:500]
    )
    if not near:
        return None
    point = shapely.Point(lon, lat)
    for c in near:
        if c.boundary_geojson:
            try:
                shape = shapely.geometry.shape(json.loads(c.boundary_geojson))
            except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError):
                continue
            if shape.covers(point):
                return c
    return min(
        near,
        key=lambda c: (float(c.centre_lon or 0) - lon) ** 2 + (float(c.centre_lat or 0) - lat) ** 2,
    )
