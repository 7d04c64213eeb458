"""One call to read a facility file — an OSM extract, a register or a POI export — against a
standard: the facilities, the places that could take an item on (一室多用 hosts), the rows set
aside as outside the standard, and the lines that say what happened.

Every entry point (``assess``, ``plan``, ``report``, the batch runner, the platform) reads its
facility files through :func:`read_facility_file` and differs only in what it does with the
result: print :attr:`FacilityFile.notes`, write :attr:`FacilityFile.set_aside` with
:func:`quarterhour.engine.registers.write_not_in_standard` (``not_in_standard.csv``), pass
:attr:`FacilityFile.hosts` with the facilities to
:func:`quarterhour.engine.hosts.candidates_by_item`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quarterhour.engine.assessment import is_osm_file
from quarterhour.engine.coords import parse_crs
from quarterhour.engine.places import Facility
from quarterhour.engine.progress import Progress, no_progress
from quarterhour.engine.registers import SetAsideRow, TypeTally
from quarterhour.engine.standards import Standard


@dataclass(frozen=True, slots=True)
class FacilityFile:
    """What one facility file holds for a standard.

    ``facilities`` serve at least one item; ``hosts`` serve none but are of a kind some item may
    be taken on by (schools, police stations …: siting candidates, not facilities);
    ``set_aside`` are register rows of types outside the standard; ``tally`` counts rows per type
    and item; ``notes`` are the lines to print (type → item, set-aside counts, skipped lines).
    """

    source: str
    facilities: tuple[Facility, ...]
    hosts: tuple[Facility, ...] = ()
    set_aside: tuple[SetAsideRow, ...] = ()
    tally: tuple[TypeTally, ...] = ()
    notes: tuple[str, ...] = ()


def read_facility_file(
    path: Path,
    standard: Standard,
    *,
    crs: str = "wgs84",
    encoding: str | None = None,
    strict: bool = False,
    with_hosts: bool = True,
    progress: Progress = no_progress,
) -> FacilityFile:
    """Read an OSM extract (tag matchers) or a register / POI export (types, names, items).

    ``strict`` refuses register rows of types outside the standard instead of setting them
    aside. ``with_hosts=False`` skips looking for host places (faster when nothing is sited).
    """
    path = Path(path)
    if is_osm_file(path):
        from quarterhour.engine.hosts import osm_host_filter
        from quarterhour.engine.osm_features import read_osm_facilities

        keep = osm_host_filter(standard) if with_hosts and standard.hosts else None
        found = read_osm_facilities(
            path, classify=standard.classify_osm, keep=keep, progress=progress
        )
        return FacilityFile(
            source=str(path),
            facilities=tuple(f for f in found if f.item_codes),
            hosts=tuple(f for f in found if not f.item_codes),
        )
    from quarterhour.engine.registers import read_facility_register, skipped_lines, tally_lines

    reg = read_facility_register(
        path, crs=parse_crs(crs), standard=standard, encoding=encoding, strict=strict
    )
    notes = [f"{reg.source}:", *tally_lines(reg.tally, standard), *skipped_lines(reg)]
    return FacilityFile(
        source=reg.source,
        facilities=reg.facilities,
        hosts=reg.hosts if with_hosts else (),
        set_aside=reg.set_aside,
        tally=reg.tally,
        notes=tuple(notes),
    )
