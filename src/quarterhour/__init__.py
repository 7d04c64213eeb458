"""quarterhour — 一刻钟社区服务圈 (quarter-hour community service circles).

Two halves with one direction of dependency: :mod:`quarterhour.engine` (pure library, no Django)
and :mod:`quarterhour.platform` (the Django platform, which calls the engine).
"""

__version__ = "0.1.0"
