"""The quarterhour platform: a Django project on top of the engine (the engine never imports it).

Apps by domain — ``accounts`` (users, roles, jurisdictions, permission functions), ``audit``
(history of every register row), ``geography`` (区县 / 街道 / 社区 / 服务圈), ``facilities``,
``catalogue`` (providers and services), ``planning`` (assessment runs and stored results) and
``web`` (the staff pages). Each app: models → services (writes: permission, write, audit) /
selectors (reads, scoped) → views.
"""
