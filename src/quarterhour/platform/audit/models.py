"""No tables of its own: history rows live beside each register model (django-simple-history)."""
