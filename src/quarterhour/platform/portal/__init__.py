"""Resident pages: what is within a 15-minute walk, the menu-style catalogue, community cards."""
