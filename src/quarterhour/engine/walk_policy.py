"""Which OpenStreetMap ways a pedestrian may walk on: the policy as data, and one function.

A way is walkable when it has a ``highway`` tag and passes the rules below, checked in this
order; the first rule that refuses gives the reason (``refusal_reason`` returns it, ``""`` when
the way is walkable). Tag values are compared lower-cased and stripped; several values separated
by ``;`` (``foot=yes;no``, common in hand-edited data) are read by their first value.

============================  =====================================================================
tags                          decision
============================  =====================================================================
no ``highway``                refused (``no_highway``). ``area:highway=*`` outlines, buildings,
                              ``indoor=room`` etc. describe surfaces, not paths.
``highway`` lifecycle         refused (``highway=<value>``): construction, proposed, planned,
                              abandoned, disused, razed, removed, no.
``highway`` not for walking   refused (``highway=<value>``): motorway, motorway_link (even with
                              ``foot=yes``: a pedestrian on a motorway is not a 15-minute walk),
                              platform (public-transport platforms: the stop is reached from the
                              street; a platform tied into the network would let routes run along
                              rail lines), bus_guideway, busway, raceway, rest_area and services
                              (car areas), and any value not listed in
                              :data:`WALKABLE_HIGHWAY` or :data:`CONDITIONAL_HIGHWAY`
                              (``highway=<value>``).
``foot`` = no, private,       refused (``foot=<value>``). ``use_sidepath`` means the law sends
use_sidepath, …               pedestrians to a parallel path that is mapped on its own.
``access`` = no, private, …   refused (``access=<value>``) unless ``foot`` grants access
                              (yes, designated, permissive, destination, customers, official).
trunk, trunk_link             walkable only with ``foot`` granting access or a sidewalk on the
                              way (``sidewalk``/``sidewalk:both``/``:left``/``:right`` = both,
                              left, right or yes; ``separate`` is *not* enough, the separately
                              mapped sidewalk carries the walk);
                              otherwise refused (``trunk_without_sidewalk``). In Chinese cities
                              ``trunk`` is mostly the elevated or sunken 快速路 (urban expressway)
                              whose pedestrians walk on the 辅路 (side roads, mapped as their own
                              primary/secondary ways) — walking the trunk itself would invent
                              shortcuts across interchanges.
footway, path, pedestrian,    walkable. ``cycleway`` and ``bridleway`` are walkable unless
steps, living_street,         ``foot`` refuses (Chinese 非机动车道 are walked in practice; where a
residential, service,         sign forbids it OSM says ``foot=no``).
unclassified, road, track,
tertiary(_link),
secondary(_link),
primary(_link), cycleway,
bridleway, corridor,
elevator
============================  =====================================================================

Notes on the rest of the tags:

* **Steps** are walkable (elevation and step-free routing are not modelled).
* **Car ``oneway`` is ignored**: walking is two-way and the network is undirected.
  ``oneway:foot=yes`` (rare; mostly escalators and some turnstile passages) is also ignored and
  documented here rather than honoured, so every edge is walkable both ways.
* **``sidewalk=separate``**: the carriageway stays walkable. The separately mapped sidewalk is a
  walkable way of its own; keeping the road as well does not double count anything in a
  shortest-path network (a parallel way is only an alternative, distances stay the shortest),
  and it keeps the crossings where the road meets side streets. Many Chinese cities map no
  sidewalks at all, so the carriageway is the only trace of the footpath beside it. Network
  *length* totals therefore include both the road and its sidewalk where both are mapped.
* **Pedestrian areas** (``highway=pedestrian`` + ``area=yes``, also any other walkable highway
  value with ``area=yes``, e.g. a ``highway=footway`` square): the closed way is walked along its
  outline ring, whose nodes connect it to the ways that touch it. Crossing the square is not
  modelled, so distances across it are an upper bound (the way around). Multipolygon relations
  tagged ``highway=pedestrian`` are not read (their outer ways usually carry no ``highway``).
* **``indoor``**: ``highway=corridor`` (indoor footway) and ``highway=elevator`` ways are
  walkable; ``indoor=*`` on an otherwise walkable way changes nothing.
* **``service``** values (driveway, parking_aisle, alley…) change nothing: a pedestrian may
  walk a parking aisle. ``service=*`` on a private road is caught by ``access=private``.
"""

from __future__ import annotations

from collections.abc import Mapping

#: ``highway`` values that are walkable unless ``foot``/``access`` refuse.
WALKABLE_HIGHWAY: frozenset[str] = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "road",
        "track",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "cycleway",
        "bridleway",
        "corridor",
        "elevator",
    }
)

#: ``highway`` values walkable only when ``foot`` grants access or a sidewalk is on the way.
CONDITIONAL_HIGHWAY: frozenset[str] = frozenset({"trunk", "trunk_link"})

#: ``foot`` values that grant access (and override a restrictive ``access``).
FOOT_ALLOWED: frozenset[str] = frozenset(
    {"yes", "designated", "permissive", "destination", "customers", "official"}
)

#: ``foot`` values that refuse the way.
FOOT_REFUSED: frozenset[str] = frozenset(
    {
        "no",
        "private",
        "use_sidepath",
        "agricultural",
        "forestry",
        "delivery",
        "military",
        "emergency",
    }
)

#: ``access`` values that refuse the way unless ``foot`` grants access.
ACCESS_REFUSED: frozenset[str] = frozenset(
    {"no", "private", "agricultural", "forestry", "delivery", "military", "emergency"}
)

#: ``sidewalk`` values that put a footpath on a trunk itself (``separate`` does not).
SIDEWALK_ON_WAY: frozenset[str] = frozenset({"both", "left", "right", "yes"})

#: Sidewalk keys read for trunks.
SIDEWALK_KEYS: tuple[str, ...] = ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")

#: ``highway`` values of things not (or no longer / not yet) built.
LIFECYCLE_HIGHWAY: frozenset[str] = frozenset(
    {"construction", "proposed", "planned", "abandoned", "disused", "razed", "removed", "no"}
)

#: Reason codes and their Chinese / English explanations (for reports).
REASON_TEXT: Mapping[str, tuple[str, str]] = {
    "no_highway": ("没有 highway 标签", "no highway tag"),
    "lifecycle": ("道路在建、规划或已废弃", "road under construction, planned or abandoned"),
    "not_for_walking": ("该道路类型不供步行", "this highway type is not for walking"),
    "foot_refused": ("foot 标签禁止步行", "the foot tag forbids walking"),
    "access_refused": ("access 标签禁止通行", "the access tag forbids entry"),
    "trunk_without_sidewalk": (
        "干道（快速路）无人行道且未允许步行",
        "trunk road without a sidewalk or foot access",
    ),
}


def _first_value(value: str | None) -> str:
    if not value:
        return ""
    return value.split(";", 1)[0].strip().lower()


def refusal_reason(tags: Mapping[str, str]) -> str:
    """Why a way with these tags is not walkable, or ``""`` when it is.

    The reason is ``"<rule>:<key>=<value>"`` (rules as in :data:`REASON_TEXT`), e.g.
    ``"foot_refused:foot=no"``; the part before ``:`` is the rule.

    >>> refusal_reason({"highway": "footway"})
    ''
    >>> refusal_reason({"highway": "motorway"})
    'not_for_walking:highway=motorway'
    >>> refusal_reason({"highway": "service", "access": "private", "foot": "yes"})
    ''
    >>> refusal_reason({})
    'no_highway'
    """
    highway = _first_value(tags.get("highway"))
    if not highway:
        return "no_highway"
    if highway in LIFECYCLE_HIGHWAY:
        return f"lifecycle:highway={highway}"
    if highway not in WALKABLE_HIGHWAY and highway not in CONDITIONAL_HIGHWAY:
        return f"not_for_walking:highway={highway}"
    foot = _first_value(tags.get("foot"))
    if foot in FOOT_REFUSED:
        return f"foot_refused:foot={foot}"
    foot_allowed = foot in FOOT_ALLOWED
    access = _first_value(tags.get("access"))
    if access in ACCESS_REFUSED and not foot_allowed:
        return f"access_refused:access={access}"
    if highway in CONDITIONAL_HIGHWAY and not foot_allowed:
        sidewalk = any(_first_value(tags.get(k)) in SIDEWALK_ON_WAY for k in SIDEWALK_KEYS)
        if not sidewalk:
            return f"trunk_without_sidewalk:highway={highway}"
    return ""


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these OSM tags belongs to the walk network (see the module table).

    >>> is_walkable({"highway": "steps"})
    True
    >>> is_walkable({"highway": "trunk"})
    False
    >>> is_walkable({"highway": "trunk", "sidewalk": "both"})
    True
    """
    return refusal_reason(tags) == ""


def reason_rule(reason: str) -> str:
    """The rule of a :func:`refusal_reason` (``"foot_refused:foot=no"`` → ``"foot_refused"``)."""
    return reason.split(":", 1)[0]
