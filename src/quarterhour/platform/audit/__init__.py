"""Audit history: django-simple-history on every register model (who, when, what, previous
value). ``recording`` writes with the actor attached; ``selectors.changes`` reads the trail."""
