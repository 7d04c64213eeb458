"""The one place that reads the environment. Settings modules import these values only.

Variables (all optional unless production):

``DATABASE_URL``       database (dj-database-url syntax); default SQLite in the data directory
``SECRET_KEY``         required in production
``ALLOWED_HOSTS``      comma-separated; default ``127.0.0.1,localhost``
``DEBUG``              ``1``/``true`` to enable (never in production)
``QUARTERHOUR_DATA_DIR`` where SQLite, networks and uploads live; default ``./var``
``MAP_TILES``          ``none`` (default: vector map drawn from our data), or a tile URL template
``CSRF_TRUSTED_ORIGINS`` comma-separated origins (production behind a proxy)
``LOG_LEVEL``          default ``INFO``
``QUARTERHOUR_DEMO``  ``1`` when serving the demo (pages say the data are derived for it)
``QUARTERHOUR_HOTLINE`` the community service hotline residents call; default ``96156``
``QUARTERHOUR_SUPERVISION_PHONE`` the supervision (监督) phone on the portal and the cards when a
                       street has none of its own; default ``12345`` (the citizens' hotline)
``QUARTERHOUR_TILE_M`` tile size (metres) of the background assessments; default 5000
``QUARTERHOUR_STATE_DIR`` where assessments keep their tiles' answers between runs; default
                       ``<data dir>/assessment-state``
``QUARTERHOUR_DASK_SCHEDULER`` ``tcp://host:port``: run assessment tiles on that Dask cluster;
                       default none (tiles run in the worker process)
``QUARTERHOUR_TRUSTED_PROXIES`` how many reverse proxies stand in front of the server and append
                       to ``X-Forwarded-For``; default 0: the forwarded address is never believed
                       and login throttling counts the connection's own address
``QUARTERHOUR_WALK_AREA_KEEP`` near me's walking areas kept per snapped place, per process;
                       default 2048; 0 keeps none
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url

_TRUE = {"1", "true", "yes", "on"}


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in _TRUE


def _list(name: str, default: str) -> list[str]:
    raw = os.environ.get(name, default)
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass(frozen=True, slots=True)
class Env:
    data_dir: Path
    database: dict[str, Any]
    database_url: str
    secret_key: str | None
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    debug: bool
    map_tiles: str
    log_level: str
    demo: bool
    hotline: str
    supervision_phone: str
    tile_m: float
    state_dir: Path | None  # None: <data dir>/assessment-state
    dask_scheduler: str
    trusted_proxies: int  # reverse proxies that append to X-Forwarded-For (0: trust none)
    walk_area_keep: int = 2048  # near me's walking areas kept per snapped place (0: none)


def _path(name: str) -> Path | None:
    raw = os.environ.get(name, "").strip()
    return Path(raw).resolve() if raw else None


def _positive(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of metres, got {raw!r}") from None
    if not (value > 0 and value < float("inf")):
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


def _count(name: str, default: int, *, most: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > most:
        raise ValueError(f"{name} must be a whole number from 0 to {most}, got {raw!r}")
    return int(raw)


def read_env() -> Env:
    """Read every setting the platform takes from the environment."""
    data_dir = Path(os.environ.get("QUARTERHOUR_DATA_DIR", "var")).resolve()
    default_db = f"sqlite:///{data_dir / 'quarterhour.sqlite3'}"
    url = os.environ.get("DATABASE_URL", "").strip() or default_db
    database: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # persistent per-thread connections: a new one re-reads the whole schema on its first
        # query (about 2 ms with our tables), which was most of a cached page's cost
        database["CONN_MAX_AGE"] = 600
        database["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    return Env(
        data_dir=data_dir,
        database=database,
        database_url=url,
        secret_key=os.environ.get("SECRET_KEY") or None,
        allowed_hosts=_list("ALLOWED_HOSTS", "127.0.0.1,localhost"),
        csrf_trusted_origins=_list("CSRF_TRUSTED_ORIGINS", ""),
        debug=_flag("DEBUG"),
        map_tiles=os.environ.get("MAP_TILES", "none").strip() or "none",
        log_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        demo=_flag("QUARTERHOUR_DEMO"),
        hotline=os.environ.get("QUARTERHOUR_HOTLINE", "").strip()[:32] or "96156",
        supervision_phone=os.environ.get("QUARTERHOUR_SUPERVISION_PHONE", "").strip()[:32]
        or "12345",
        tile_m=_positive("QUARTERHOUR_TILE_M", 5000.0),
        state_dir=_path("QUARTERHOUR_STATE_DIR"),
        dask_scheduler=os.environ.get("QUARTERHOUR_DASK_SCHEDULER", "").strip(),
        trusted_proxies=_count("QUARTERHOUR_TRUSTED_PROXIES", 0, most=5),
        walk_area_keep=_count("QUARTERHOUR_WALK_AREA_KEEP", 2048, most=1_000_000),
    )


def ensure_data_dir() -> Path:
    """Create the data directory (called by our commands, never at import)."""
    env = read_env()
    env.data_dir.mkdir(parents=True, exist_ok=True)
    return env.data_dir
