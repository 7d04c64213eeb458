"""To-dos from the catalogue: a provider's own published services (what residents see)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.core.access import Role, memberships
from quarterhour.platform.core.todos import Todo, todo_source


@todo_source("catalogue", order=25)
def catalogue_todos(user: Any, now: dt.datetime) -> list[Todo]:
    ids = [m.provider_id for m in memberships(user) if m.role == Role.PROVIDER]
    out: list[Todo] = []
    for provider in Provider.objects.filter(pk__in=ids).order_by("name"):
        n = provider.services.filter(is_active=True).count()
        out.append(
            Todo(
                section=_("本单位的服务"),
                title=_("%(p)s 公布的服务项目") % {"p": provider.name},
                url=reverse("catalogue:provider_services", args=[provider.pk]),
                count=n,
                note=_("服务专线：%(h)s") % {"h": provider.hotline} if provider.hotline else "",
            )
        )
    return out
