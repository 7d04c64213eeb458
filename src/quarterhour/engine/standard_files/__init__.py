"""Facility standards shipped with quarterhour, one TOML file each (read by ``engine.standards``).

A new city's standard is a new file here (or anywhere, passed by path), never new code.
"""
