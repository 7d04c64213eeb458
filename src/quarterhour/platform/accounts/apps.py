from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def record_last_login(sender: Any, user: Any, **kwargs: Any) -> None:
    """Note the moment of a login without saving the account: a login is not a change of the
    account, so it writes no history row (Django's own receiver saves the user, and every login
    then showed up in the account's history with nobody and no reason)."""
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=user.last_login)


class Config(AppConfig):
    name = "quarterhour.platform.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("账户与权限")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="update_last_login")
