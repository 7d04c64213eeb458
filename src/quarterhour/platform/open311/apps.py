from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "quarterhour.platform.open311"
    label = "open311"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Open311 接口")
