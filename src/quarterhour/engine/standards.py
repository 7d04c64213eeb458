"""Facility standards as data: one loader, one schema, and the matchers that classify places.

The pieces live in :mod:`~quarterhour.engine.standard_model` (the dataclasses and
:class:`Standard`), :mod:`~quarterhour.engine.standard_matchers` (OSM rules, POI type and name
matchers), :mod:`~quarterhour.engine.standard_loader` (files and the schema) and
:mod:`~quarterhour.engine.schema_reader` (the TOML reader); this module names them together.

A standard is a TOML file (``standard_files/<name>.toml`` for the ones shipped, or any path):

* top level: ``schema = 1``, ``code``, ``name_zh``, ``name_en``, ``source_zh``/``source_en``,
  ``share_threshold`` (default share of residents that must reach an item, in (0, 1]);
* ``[walking]``: ``minutes``, ``speed_kmh``, ``elderly_speed_kmh``;
* ``[demonstration]`` (optional): which items count (``items = "walk" | "all"``) and how many
  must be met (``min_met_share`` or ``min_items``), ``must_meet``, ``min_population``;
* ``[targets]`` (optional): the city's targets (demonstration circles, share of communities);
* ``[[groups]]``: ``code``, ``name_zh``, ``name_en``, optional ``count`` (items it must hold);
* ``[[levels]]`` (optional): life-circle levels (minutes, distance range, population range);
* ``[[items]]``: the facility items (see :class:`FacilityItem`), with OSM tag rules, POI type
  matchers (``amap``: ``"090601 医疗保健服务;医药保健销售店;药房"`` — AMap typecode of 2, 4 or 6
  digits and/or the same levels in words; ``baidu``: ``"医疗;药店"``), name rules for coarse types
  (``poi_names``, see :class:`PoiNameRule`), veto words (``poi_not_names``), name keywords, and the
  host kinds that may take the item on (``hosts``);
* ``[[hosts]]`` (optional): kinds of existing facility (see :class:`HostKind`) for 一室多用;
* ``[[categories]]`` (optional): service categories with the services they list.

Unknown keys are errors (they are nearly always typos). Every problem in a file is collected and
raised once as :class:`StandardFileError` (a :class:`~quarterhour.engine._errors.StandardError`)
naming the file, the key path (``items[3].osm[0]``, indices from 0) and the reason.

OSM rule syntax, one string per rule; conditions joined by ``&`` must all hold, and an item
matches when any of its rules holds:

* ``key=v1|v2``  the value is one of (OSM ``a;b`` lists are split); ``key=*`` the key is present
* ``key!=v1|v2`` absent or none of; ``key!=*`` the key is absent
* ``key~s1|s2``  the value contains one of (ignoring case and full-/half-width); ``key!~...`` not

Every rule needs at least one ``=`` or ``~`` condition (a rule of negations alone would match
almost every object).

>>> std = load_standard("beijing-2011")
>>> std.classify_osm({"amenity": "pharmacy", "name": "同仁堂"})
('shop.pharmacy',)
>>> std.classify_category("医疗保健服务；医药保健销售店；药房")
('shop.pharmacy',)
>>> std.classify_category("不知道")
()
>>> std.classify_poi("医疗保健服务;诊所;诊所", typecode="090300", name="天坛南里社区卫生服务站")
('station.health',)
>>> std.walking.limit_m(), std.walking.limit_m(elderly=True)
(1000.0, 750.0)
"""

from __future__ import annotations

from quarterhour.engine.schema_reader import StandardProblem
from quarterhour.engine.standard_loader import (
    DEFAULT_STANDARD,
    SCHEMA_VERSION,
    list_standards,
    load_standard,
)
from quarterhour.engine.standard_matchers import (
    AmapMatcher,
    OsmCondition,
    OsmOp,
    OsmRule,
    PoiNameRule,
    normalise_text,
    normalise_typecode,
    parse_osm_rule,
    poi_name_text,
    poi_parts,
)
from quarterhour.engine.standard_model import (
    DemonstrationRule,
    FacilityItem,
    HostKind,
    ItemGroup,
    LifeCircleLevel,
    Name,
    Service,
    ServiceCategory,
    Standard,
    StandardFileError,
    Targets,
    WalkProfile,
)

__all__ = [
    "DEFAULT_STANDARD",
    "SCHEMA_VERSION",
    "AmapMatcher",
    "DemonstrationRule",
    "FacilityItem",
    "HostKind",
    "ItemGroup",
    "LifeCircleLevel",
    "Name",
    "OsmCondition",
    "OsmOp",
    "OsmRule",
    "PoiNameRule",
    "Service",
    "ServiceCategory",
    "Standard",
    "StandardFileError",
    "StandardProblem",
    "Targets",
    "WalkProfile",
    "list_standards",
    "load_standard",
    "normalise_text",
    "normalise_typecode",
    "parse_osm_rule",
    "poi_name_text",
    "poi_parts",
]
