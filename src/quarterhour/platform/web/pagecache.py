"""Rendered page fragments cached under the register's data version.

The register's version is one cheap query: the newest history row of every model the staff pages
show (districts, streets, communities, circles and their members, facilities and their items —
every write goes through ``simple_history``, bulk imports included) and the newest assessment
run, result rows and walk network. Each of those ids only grows, so any edit, import or finished
assessment gives a new version and a new key: a cached fragment is never served after the data
under it changed, and nothing has to be invalidated by hand (old keys age out of the cache).
Results are append-only (a new run writes new rows and clears ``is_latest`` on the old ones in
the same transaction), so the newest result ids cover them.

Caching is on when the settings name a ``"pages"`` cache (production: local memory per worker;
with several hosts, point it at a shared cache such as Redis — see the README). Without it every
request renders afresh (development, tests that do not ask for it).
"""

from __future__ import annotations

import functools
import hashlib
import time
import weakref
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import QueryDict
from django.utils import timezone, translation

from quarterhour.platform.catalogue.models import Provider, Service, ServiceItem
from quarterhour.platform.certification.models import Certification
from quarterhour.platform.facilities.models import Facility, FacilityItem
from quarterhour.platform.geography.models import (
    Circle,
    CircleMembership,
    Community,
    District,
    Street,
)
from quarterhour.platform.planning.models import (
    AssessmentRun,
    CircleResult,
    CommunityResult,
    WalkNetworkFile,
)
from quarterhour.platform.sharing.models import SharedFacility, Window

PAGE_CACHE_ALIAS = "pages"
#: how long a fragment stays (an edit changes the key at once; this only bounds memory)
FRAGMENT_SECONDS = 3600

_HISTORY: tuple[type[Model], ...] = (
    District,
    Street,
    Community,
    Circle,
    CircleMembership,
    Facility,
    FacilityItem,
)
_APPEND_ONLY: tuple[type[Model], ...] = (
    AssessmentRun,
    CommunityResult,
    CircleResult,
    WalkNetworkFile,
)
#: what the public directory (resident pages, HSDS) shows: places, providers, their services and
#: items, the areas they lie in, certifications (the unified sign on provider entries), and the
#: rooms resident units open to residents with their windows (near me lists them)
_DIRECTORY_HISTORY: tuple[type[Model], ...] = (
    Provider,
    Service,
    ServiceItem,
    Facility,
    FacilityItem,
    Certification,
    District,
    Street,
    Community,
    SharedFacility,
    Window,
)
_DIRECTORY_APPEND_ONLY: tuple[type[Model], ...] = (WalkNetworkFile,)


def page_cache() -> BaseCache | None:
    """The fragment cache, or None when the settings do not configure one."""
    if PAGE_CACHE_ALIAS not in settings.CACHES:
        return None
    return caches[PAGE_CACHE_ALIAS]


@functools.cache
def _version_sql(vendor: str, group: str = "register") -> str:
    """The version query's text (built once per database vendor and model group: looking the
    history models up through their managers costs more than the query)."""
    qn = connection.ops.quote_name
    history, append_only = (
        (_HISTORY, _APPEND_ONLY)
        if group == "register"
        else (_DIRECTORY_HISTORY, _DIRECTORY_APPEND_ONLY)
    )
    parts = []
    for model in history:
        # ``history`` is added to each model by simple_history's HistoricalRecords (untyped)
        hist = model.history.model  # type: ignore[attr-defined]
        parts.append(f"(SELECT MAX({qn('history_id')}) FROM {qn(hist._meta.db_table)})")
    for model in append_only:
        pk_field = model._meta.pk
        pk = pk_field.column if pk_field is not None and pk_field.column is not None else "id"
        parts.append(f"(SELECT MAX({qn(pk)}) FROM {qn(model._meta.db_table)})")
    return "SELECT " + ", ".join(parts)


#: PostgreSQL connections holding our prepared version statements (planning the statement took
#: ~0.35 ms of server time a request; executing a prepared one ~0.1 ms)
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _version(group: str) -> str:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = connection.connection
            done = _prepared.setdefault(raw, set())
            name = f"qh_version_{group}"
            if group not in done:  # once per connection, like the session settings Django sends
                raw.execute(f"PREPARE {name} AS {_version_sql(connection.vendor, group)}")
                done.add(group)
            cur.execute(f"EXECUTE {name}")
        else:
            cur.execute(_version_sql(connection.vendor, group))
        row = cur.fetchone()
    return ".".join("-" if v is None else str(v) for v in row)


def data_version() -> str:
    """The register's version now: one query of index-only MAX() lookups."""
    return _version("register")


def directory_version() -> str:
    """The public directory's version now (resident pages, HSDS): the same kind of query over
    providers, services, facilities, their items, certifications, areas and the walk network."""
    return _version("directory")


#: the directory's version this process read last, and when (``time.monotonic()``)
_recent: tuple[float, str] | None = None


def recent_directory_version() -> str:
    """The public directory's version as this process read it at most
    ``QH_DIRECTORY_VERSION_MAX_AGE_MS`` ago (production: 250 ms; 0, the default, reads it every
    time). A write saved in this process (any model of the directory or its history) is seen at
    once; one saved by another process (or without signals, as a bulk write) is seen within that
    age: a near-me page may show a place opening or closing that much later, never longer."""
    global _recent
    max_age = float(getattr(settings, "QH_DIRECTORY_VERSION_MAX_AGE_MS", 0)) / 1000
    if max_age <= 0:
        return directory_version()
    now = time.monotonic()
    got = _recent
    if got is not None and 0 <= now - got[0] < max_age:
        return got[1]
    version = directory_version()
    _recent = (now, version)
    return version


def forget_recent_directory_version(**_kwargs: Any) -> None:
    """Drop the version read last (now, and again when the writing transaction commits: a
    request of another thread may have read it in between)."""
    global _recent
    _recent = None
    transaction.on_commit(_forget)


def _forget() -> None:
    global _recent
    _recent = None


def watch_directory_writes() -> None:
    """Forget the directory's version read last whenever this process saves or deletes a row of
    the directory (the models behind its version and their history models)."""
    history: list[type[Model]] = []
    for model in _DIRECTORY_HISTORY:
        history += [model, model.history.model]  # type: ignore[attr-defined]
    for model in (*history, *_DIRECTORY_APPEND_ONLY):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_recent_directory_version,
                sender=model,
                dispatch_uid=f"qh-directory-version-{model._meta.label}-{id(signal)}",
            )


def query_key(query: QueryDict) -> list[tuple[str, str]]:
    """A request's query parameters in one order (a key part: ``?a=1&b=2`` is ``?b=2&a=1``)."""
    return sorted((k, v) for k in query for v in query.getlist(k))


def fragment_key(kind: str, *parts: Any, version: str) -> str:
    """A short cache key for one fragment: kind, its own parts (page, filters, scope), the data
    version and what the rendering depends on besides the data (language, time zone)."""
    raw = "|".join(
        [
            kind,
            *(str(p) for p in parts),
            version,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
        ]
    )
    return f"qh:{kind}:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
