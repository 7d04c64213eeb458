"""Multi-use hosts (一室多用): which existing places may take on an item, and why.

The standard file lists host kinds (``[[hosts]]``: a community service station, a school, a
library, a restaurant …) and, per item, the kinds that may take it on (``hosts``). A place is of
the first kind it fits (:meth:`Standard.host_kind_of`): by the items it serves, its OSM tags, its
AMap/Baidu type, or — in a plain register — its name. Siting then offers, for each item, only the
places of an allowed kind, each with its host kind and a short reason in Chinese and English.
A day-care room is proposed in a community service station or a residents' committee office,
never in a restaurant, a café, a hotel or a shop.

>>> from quarterhour.engine.standards import load_standard
>>> std = load_standard("beijing-2011")
>>> cafe = Facility("osm:node/1", "Starbucks", 104.06, 30.66, ("shop.food",),
...                 tags=(("amenity", "cafe"), ("name", "Starbucks")))
>>> school = Facility("osm:node/2", "成华小学", 104.07, 30.67, (),
...                   tags=(("amenity", "school"), ("name", "成华小学")))
>>> [(c.name, c.host_kind) for c in candidates_for_item(std, "school.citizen", [cafe, school])]
[('成华小学', 'school')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from quarterhour.engine.osm_features import facility_name
from quarterhour.engine.places import Facility
from quarterhour.engine.siting import SHARED_TAG, Candidate
from quarterhour.engine.standards import FacilityItem, HostKind, Standard


def host_kind(standard: Standard, place: Facility) -> HostKind | None:
    """The host kind of an existing place (OSM object or register row), or None."""
    tags = dict(place.tags)
    if place.facility_id.startswith("osm:"):
        return standard.host_kind_of(name=place.name, item_codes=place.item_codes, osm_tags=tags)
    return standard.host_kind_of(
        name=place.name,
        item_codes=place.item_codes,
        category=tags.get("category", ""),
        typecode=tags.get("typecode", ""),
    )


def hosting_kinds(standard: Standard) -> frozenset[str]:
    """Codes of the host kinds some item may be taken on by."""
    return frozenset(code for it in standard.items for code in it.hosts)


def osm_host_filter(standard: Standard) -> Callable[[Mapping[str, str]], bool]:
    """For :func:`quarterhour.engine.osm_features.read_osm_facilities`'s ``keep``: OSM objects
    that serve no item but are of a kind that may take one on (schools, police stations …)."""
    wanted = hosting_kinds(standard)

    def keep(tags: Mapping[str, str]) -> bool:
        kind = standard.host_kind_of(name=facility_name(tags), osm_tags=tags)
        return kind is not None and kind.code in wanted

    return keep


def proposal_reason(item: FacilityItem, host: HostKind) -> tuple[str, str]:
    """Why a place of kind ``host`` can take on ``item``: (Chinese, English).

    >>> from quarterhour.engine.standards import load_standard
    >>> std = load_standard("beijing-2011")
    >>> proposal_reason(std.item("room.daycare"), std.host("committee"))[0]
    '居委会可兼设日间照料室：居委会办公用房就在社区内,可兼作服务用房'
    """
    host_en = host.name_en[:1].lower() + host.name_en[1:]
    article = "an" if host_en[:1] in "aeiou" else "a"
    return (
        f"{host.name_zh}可兼设{item.name_zh}：{host.reason_zh}",
        f"{item.name_en} in {article} {host_en}: {host.reason_en}",
    )


def _candidate(place: Facility, item: FacilityItem, host: HostKind) -> Candidate:
    zh, en = proposal_reason(item, host)
    return Candidate(
        place.facility_id,
        place.name,
        place.lon,
        place.lat,
        "shared_unit" if SHARED_TAG in place.tags else "multi_use",
        host_kind=host.code,
        host_zh=host.name_zh,
        host_en=host.name_en,
        reason_zh=zh,
        reason_en=en,
    )


def candidates_by_item(
    standard: Standard, places: Iterable[Facility], item_codes: Sequence[str]
) -> dict[str, list[Candidate]]:
    """Per item, the existing named places that may take it on: of a kind the item lists in
    ``hosts``, and not already serving it. Each candidate carries its host kind and reason.
    Places are classified once, whatever the number of items."""
    items = [standard.item(c) for c in item_codes]
    out: dict[str, list[Candidate]] = {it.code: [] for it in items}
    seen: set[str] = set()
    for place in places:
        if place.facility_id in seen or not place.name.strip():
            continue  # a host nobody can name is no proposal to put to a street office
        seen.add(place.facility_id)
        kind = host_kind(standard, place)
        if kind is None:
            continue
        for it in items:
            if kind.code in it.hosts and it.code not in place.item_codes:
                out[it.code].append(_candidate(place, it, kind))
    return out


def candidates_for_item(
    standard: Standard, item_code: str, places: Iterable[Facility]
) -> list[Candidate]:
    """The existing places that may take on one item (see :func:`candidates_by_item`)."""
    return candidates_by_item(standard, places, [item_code])[item_code]
