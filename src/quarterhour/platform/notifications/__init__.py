"""Notifications: tell residents, providers and staff about what concerns them.

Call :func:`quarterhour.platform.notifications.services.notify` from a service, inside its
transaction. Every recipient gets an in-app inbox row at once; the other channels (e-mail, SMS)
are delivered after the transaction commits, each delivery recorded so failures are retried by
the ``jobs`` loop of ``quarterhour worker``.
"""
