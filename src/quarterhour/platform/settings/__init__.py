"""Settings: ``base`` (shared), ``test`` (pytest), ``production`` (gunicorn behind a proxy).

The default for ``quarterhour manage`` / ``quarterhour demo`` is ``base`` (SQLite, no set-up).
"""
