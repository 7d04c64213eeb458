"""Policy constants, each named once with its unit. Convert minutes ↔ metres here only."""

from __future__ import annotations

#: The policy's walk: 15 minutes (一刻钟).
DEFAULT_WALK_MINUTES: float = 15.0
#: Adult walking speed, km/h. 15 min × 4.0 km/h = 1,000 m, the upper bound of GB 50180-2018's
#: 800–1,000 m for the 15-minute level.
DEFAULT_WALK_SPEED_KMH: float = 4.0
#: Elderly walking speed, km/h (15 min → 750 m).
ELDERLY_WALK_SPEED_KMH: float = 3.0
#: Largest distance a point may be from the walk network and still be attached to it, metres.
DEFAULT_MAX_SNAP_M: float = 300.0
#: Mean Earth radius used for great-circle lengths, metres (IUGG).
EARTH_RADIUS_M: float = 6_371_008.8


def speed_m_per_min(speed_kmh: float) -> float:
    """Walking speed in metres per minute."""
    if not speed_kmh > 0:
        raise ValueError(f"speed must be positive, got {speed_kmh!r} km/h")
    return speed_kmh * 1000.0 / 60.0


def minutes_to_metres(minutes: float, *, speed_kmh: float = DEFAULT_WALK_SPEED_KMH) -> float:
    """Distance walked in ``minutes`` at ``speed_kmh``."""
    if not minutes > 0:
        raise ValueError(f"minutes must be positive, got {minutes!r}")
    speed_m_per_min(speed_kmh)  # validates the speed
    # multiply before dividing so round figures stay exact: 15 min × 4 km/h = 1000.0 m
    return minutes * speed_kmh * 1000.0 / 60.0
