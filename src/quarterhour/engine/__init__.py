"""The analysis engine: standards, walk networks, snapping, reachability, coverage, planning.

Pure library: no Django, no web, no global state. Distances are metres, times are minutes,
coordinates are WGS-84 lon/lat at every boundary.
"""
