"""Checks of input points against the walk network they are used with (after snapping).

Pure functions over arrays, no I/O; the CLI calls :func:`check_placement` once per input file.

1. **Wrong file.** When more than :data:`WRONG_FILE_SHARE` of a file's points lie beyond the snap
   limit, the file and the network do not belong together: an error naming the file (unless a
   swap or a coordinate-system mix-up below explains it, which is then the error). Fewer points
   beyond the limit are normal — a city-wide register used with one district's network — and are
   only returned (``beyond_ids``) for the ``unsnapped.csv`` listing.
2. **Swapped lat/lon.** When most points are beyond the limit and exchanging lon and lat puts
   them onto the network, the error says the columns are swapped.
3. **GCJ-02 or BD-09 declared as WGS-84** (or any other mix-up of the three). The points are
   re-read as each other system; an alternative is *suggested* (a warning naming the file and the
   ``--crs`` fix) when it brings clearly more points onto the network, or lowers the median snap
   distance markedly: to at most :data:`CRS_MEDIAN_RATIO` of it and by at least
   :data:`CRS_MEDIAN_GAIN_M`. Only for files whose points are in China, where the systems differ.

   Limits, measured on real data (central Chengdu OSM network, 554 OSM amenities/shops): facility
   points that sit inside blocks (building centroids) are about as far from the street centre lines
   as random points are, so a 500 m GCJ-02 shift moves their median snap distance by 1 % (26.8 m
   → 27.1 m) and cannot be told from the network alone; a BD-09 shift raises it by 33 %. Points
   geocoded to street addresses (3–15 m beside the street) go from a 6 m median to 32–44 m when
   shifted, and every mix-up among the three systems is detected. The check never warned about
   correct data in these measurements; when it cannot tell, it stays silent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from quarterhour.engine._errors import InputError, Problem
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.coords import CRS_NAMES, Crs, from_wgs84, in_china, to_wgs84
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.snapping import EdgeIndex, Snapped, index_for

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]

#: Above this share of points beyond the snap limit, the file is taken for the wrong file.
WRONG_FILE_SHARE = 0.8
#: A swap is diagnosed when at least this share of the beyond-limit points snap once swapped.
SWAP_SNAP_SHARE = 0.5
#: An alternative CRS is suggested when its median snap distance is at most this ratio …
CRS_MEDIAN_RATIO = 0.7
#: … and at least this many metres smaller,
CRS_MEDIAN_GAIN_M = 5.0
#: or when it snaps at least this much larger a share of the points.
CRS_SNAP_SHARE_GAIN = 0.2
#: Fewest points for the statistical checks (CRS, swap) to speak.
MIN_POINTS = 5
#: At most this many points (evenly spaced, deterministic) are re-snapped per alternative.
SAMPLE_POINTS = 2000
#: Share of points that must be in China for the CRS check to run.
CHINA_SHARE = 0.8

_CRS_LABEL = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}


class CrsMismatch(InputError):
    """The points plainly are in another coordinate system (``suggestion``) than declared."""

    def __init__(self, problem: Problem, *, declared: Crs, suggestion: Crs) -> None:
        super().__init__(problem)
        self.declared = declared
        self.suggestion = suggestion


@dataclass(frozen=True, slots=True, eq=False)
class CrsTrial:
    """How the points snap when read as ``crs`` (on the sample)."""

    crs: Crs
    snapped_share: float
    median_offset_m: float  # NaN when no point snaps


@dataclass(frozen=True, slots=True, eq=False)
class PlacementReport:
    """Outcome of :func:`check_placement` for one input file."""

    source: str
    n_points: int
    snapped: Snapped
    beyond: Int64Array  # indices of points beyond the snap limit
    beyond_ids: tuple[str, ...]
    warnings: tuple[Problem, ...]
    crs_suggestion: Crs | None
    trials: tuple[CrsTrial, ...]  # declared first, then the alternatives tried


def _sample(n: int) -> Int64Array:
    if n <= SAMPLE_POINTS:
        return np.arange(n, dtype=np.int64)
    return np.unique(np.linspace(0, n - 1, SAMPLE_POINTS).round().astype(np.int64))


def _trial(
    index: EdgeIndex, crs: Crs, lon: FloatArray, lat: FloatArray, max_snap_m: float
) -> CrsTrial:
    s = index.snap(lon, lat, max_snap_m=max_snap_m)
    ok = s.ok
    share = float(ok.mean()) if ok.size else 0.0
    med = float(np.median(s.offset_m[ok])) if ok.any() else float("nan")
    return CrsTrial(crs=crs, snapped_share=share, median_offset_m=med)


def _better(alt: CrsTrial, base: CrsTrial) -> bool:
    if alt.snapped_share - base.snapped_share >= CRS_SNAP_SHARE_GAIN and alt.snapped_share >= 0.5:
        return True
    if not (np.isfinite(alt.median_offset_m) and np.isfinite(base.median_offset_m)):
        return False
    return (
        alt.median_offset_m <= CRS_MEDIAN_RATIO * base.median_offset_m
        and base.median_offset_m - alt.median_offset_m >= CRS_MEDIAN_GAIN_M
        and alt.snapped_share >= base.snapped_share - 0.02
    )


def _fmt_bounds(b: tuple[float, float, float, float]) -> str:
    return f"{b[0]:.4f},{b[1]:.4f} – {b[2]:.4f},{b[3]:.4f}"


def check_placement(
    network: WalkNetwork,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    source: str,
    ids: Sequence[str] | None = None,
    declared_crs: Crs = "wgs84",
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snapped: Snapped | None = None,
    index: EdgeIndex | None = None,
) -> PlacementReport:
    """Check WGS-84 points (already converted from ``declared_crs``) against ``network``.

    ``snapped`` is the snap the caller already made (else it is made here); ``index`` an
    :class:`EdgeIndex` to reuse. Raises :class:`InputError` for a wrong file or swapped
    coordinates; returns the beyond-limit points and any coordinate-system warning.
    """
    lon_a = np.ascontiguousarray(lon, dtype=np.float64)
    lat_a = np.ascontiguousarray(lat, dtype=np.float64)
    n = int(lon_a.shape[0])
    if lat_a.shape != lon_a.shape or (ids is not None and len(ids) != n):
        raise ValueError("lon, lat and ids must have the same length")
    idx = index if index is not None else index_for(network)
    snap = snapped if snapped is not None else idx.snap(lon_a, lat_a, max_snap_m=max_snap_m)
    ok = snap.ok
    beyond = np.flatnonzero(~ok).astype(np.int64)
    id_list = list(ids) if ids is not None else [str(i) for i in range(n)]
    beyond_share = beyond.size / n if n else 0.0

    sample = _sample(n)
    s_lon, s_lat = lon_a[sample], lat_a[sample]
    declared = CrsTrial(
        crs=declared_crs,
        snapped_share=float(ok[sample].mean()) if n else 0.0,
        median_offset_m=float(np.median(snap.offset_m[sample][ok[sample]]))
        if ok[sample].any()
        else float("nan"),
    )
    trials = [declared]
    suggestion: Crs | None = None
    raw_lon, raw_lat = from_wgs84(s_lon, s_lat, crs=declared_crs)
    finite = np.isfinite(raw_lon) & np.isfinite(raw_lat)
    china = in_china(raw_lon[finite], raw_lat[finite])
    if sample.size >= MIN_POINTS and china.size and china.mean() >= CHINA_SHARE:
        for alt in CRS_NAMES:
            if alt == declared_crs:
                continue
            a_lon, a_lat = to_wgs84(raw_lon, raw_lat, crs=alt)
            trials.append(_trial(idx, alt, a_lon, a_lat, max_snap_m))
        better = [t for t in trials[1:] if _better(t, declared)]
        if better:
            best = min(better, key=lambda t: (-t.snapped_share, t.median_offset_m))
            suggestion = best.crs

    # swapped lon/lat: most points off the network, and on it once exchanged
    if n >= MIN_POINTS and beyond_share > 0.5 and suggestion is None:
        off = beyond[_sample(beyond.size)]
        sw = idx.snap(lat_a[off], lon_a[off], max_snap_m=max_snap_m)
        if sw.ok.mean() >= SWAP_SNAP_SHARE:
            raise InputError(
                Problem(
                    "coordinates_swapped_vs_network",
                    f"{beyond.size}/{n} 个点离步行网络超过 {max_snap_m:.0f} 米，"
                    f"但经纬度对调后有 {sw.ok.mean():.0%} 落在网络上：经度与纬度填反了",
                    f"{beyond.size} of {n} points are more than {max_snap_m:.0f} m from the walk "
                    f"network, but {sw.ok.mean():.0%} of them snap once lon and lat are "
                    "exchanged: longitude and latitude are swapped",
                    file=source,
                )
            )

    warnings: list[Problem] = []
    if suggestion is not None:
        best = next(t for t in trials if t.crs == suggestion)
        d_lab, s_lab = _CRS_LABEL[declared_crs], _CRS_LABEL[suggestion]
        detail_zh = (
            f"按 {d_lab} 读时 {declared.snapped_share:.0%} 的点能接入网络、中位接入距离 "
            f"{declared.median_offset_m:.0f} 米；按 {s_lab} 读时为 {best.snapped_share:.0%}、"
            f"{best.median_offset_m:.0f} 米"
        )
        detail_en = (
            f"read as {d_lab}, {declared.snapped_share:.0%} of the points snap with a median "
            f"offset of {declared.median_offset_m:.0f} m; read as {s_lab}, "
            f"{best.snapped_share:.0%} and {best.median_offset_m:.0f} m"
        )
        problem = Problem(
            "crs_mismatch",
            f"坐标似乎是 {s_lab} 而不是声明的 {d_lab}（{detail_zh}）。请使用 --crs {suggestion}",
            f"the coordinates look like {s_lab}, not the declared {d_lab} ({detail_en}). "
            f"Use --crs {suggestion}",
            file=source,
        )
        if beyond_share > WRONG_FILE_SHARE:
            raise CrsMismatch(problem, declared=declared_crs, suggestion=suggestion)
        warnings.append(problem)

    if n and beyond_share > WRONG_FILE_SHARE:
        finite_pts = np.isfinite(lon_a) & np.isfinite(lat_a)
        pts = (
            _fmt_bounds(
                (
                    float(lon_a[finite_pts].min()),
                    float(lat_a[finite_pts].min()),
                    float(lon_a[finite_pts].max()),
                    float(lat_a[finite_pts].max()),
                )
            )
            if finite_pts.any()
            else "—"
        )
        net = _fmt_bounds(network.bounds())
        raise InputError(
            Problem(
                "points_off_network",
                f"{beyond.size}/{n} 个点离步行网络超过 {max_snap_m:.0f} 米（点的范围 {pts}，"
                f"网络范围 {net}）：文件或路网是否选错？",
                f"{beyond.size} of {n} points are more than {max_snap_m:.0f} m from the walk "
                f"network (points {pts}, network {net}): wrong file, or wrong network?",
                file=source,
            )
        )

    return PlacementReport(
        source=source,
        n_points=n,
        snapped=snap,
        beyond=beyond,
        beyond_ids=tuple(id_list[i] for i in beyond.tolist()),
        warnings=tuple(warnings),
        crs_suggestion=suggestion,
        trials=tuple(trials),
    )
