"""Users, roles and jurisdiction memberships.

A user holds one or more :class:`Membership` rows; each names a role and the jurisdiction it
applies to (city: none; district: a district; street: a street; community: a community; provider
staff: a provider; resident: none). ``is_superuser`` grants nothing in our permission functions.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from quarterhour.platform.core.access import STAFF_ROLES, Role

__all__ = ["STAFF_ROLES", "Membership", "Role", "User"]


class User(AbstractUser):
    display_name = models.CharField(_("显示名"), max_length=64, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    #: activation, deactivation and profile changes: who, when, why (never the password hash)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    user = models.ForeignKey(
        User, models.CASCADE, related_name="memberships", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    district = models.ForeignKey(
        "geography.District", models.CASCADE, null=True, blank=True, verbose_name=_("区县")
    )
    street = models.ForeignKey(
        "geography.Street", models.CASCADE, null=True, blank=True, verbose_name=_("街道")
    )
    community = models.ForeignKey(
        "geography.Community", models.CASCADE, null=True, blank=True, verbose_name=_("社区")
    )
    provider = models.ForeignKey(
        "catalogue.Provider", models.CASCADE, null=True, blank=True, verbose_name=_("服务商")
    )
    #: who granted or removed a role, when (the admin records the acting user)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = (
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    models.Q(
                        role__in=["city", "resident"],
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                        provider__isnull=True,
                    )
                    | models.Q(
                        role="district",
                        district__isnull=False,
                        street__isnull=True,
                        community__isnull=True,
                        provider__isnull=True,
                    )
                    | models.Q(
                        role="street",
                        district__isnull=True,
                        street__isnull=False,
                        community__isnull=True,
                        provider__isnull=True,
                    )
                    | models.Q(
                        role="community",
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=False,
                        provider__isnull=True,
                    )
                    | models.Q(
                        role="provider",
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                        provider__isnull=False,
                    )
                ),
            ),
        )

    def __str__(self) -> str:
        scope = self.district or self.street or self.community or self.provider
        return f"{self.get_role_display()}" + (f" · {scope}" if scope else "")
