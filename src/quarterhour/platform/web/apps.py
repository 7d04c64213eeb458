from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "quarterhour.platform.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("工作台")

    def ready(self) -> None:
        from quarterhour.platform.web.pagecache import watch_directory_writes

        watch_directory_writes()
