from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "quarterhour.platform.core"
    label = "qh_core"
    verbose_name = "共用部件 · shared parts"
