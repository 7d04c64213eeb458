from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "quarterhour.platform.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("通知")

    def ready(self) -> None:
        from quarterhour.platform.core.notify import deliver_through
        from quarterhour.platform.notifications.services import notify

        deliver_through(notify)
