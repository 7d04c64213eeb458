"""What every platform app shares; domain apps import from here, never from each other's internals.

- :mod:`.access` — roles, memberships, jurisdiction places, the permission primitives
- :mod:`.errors` — errors with stable codes and translatable messages
- :mod:`.forms` — parsing form values into typed ones, running one service call from a page
- :mod:`.notify` — the one door for telling people (inbox, e-mail, SMS)
- :mod:`.searchtext` — text folded for matching (full-width, traditional, case)
- :mod:`.standard` — the facility standard as the platform sees it
"""
