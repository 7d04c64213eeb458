"""The administrative register: 区县 → 街道/乡镇 → 社区, and service circles (服务圈).

Codes are the National Bureau of Statistics 12-digit codes (stable keys for re-imports).
Coordinates are WGS-84 lon/lat floats; boundaries are GeoJSON geometry text (no GIS extension).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class District(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    boundary_geojson = models.TextField(_("边界 (GeoJSON)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("区县")
        verbose_name_plural = _("区县")

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    class Kind(models.TextChoices):
        STREET = "street", _("街道")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")
        AREA = "area", _("地区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="streets", verbose_name=_("区县")
    )
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.STREET)
    boundary_geojson = models.TextField(_("边界 (GeoJSON)"), blank=True)
    supervision_phone = models.CharField(_("监督电话"), max_length=32, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("街道（乡镇）")
        verbose_name_plural = _("街道（乡镇）")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("社区居委会")
        VILLAGERS = "villagers", _("村委会")

    class UrbanRural(models.TextChoices):
        URBAN = "urban", _("城镇")
        RURAL = "rural", _("乡村")
        UNKNOWN = "unknown", _("未知")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="communities", verbose_name=_("街道（乡镇）")
    )
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.RESIDENTS)
    urban_rural = models.CharField(
        _("城乡属性"), max_length=8, choices=UrbanRural.choices, default=UrbanRural.UNKNOWN
    )
    ur_code = models.CharField(_("城乡分类代码"), max_length=3, blank=True)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    elderly = models.PositiveIntegerField(_("老年人口（60岁以上）"), null=True, blank=True)
    centre_lon = models.FloatField(_("中心经度 (WGS-84)"), null=True, blank=True)
    centre_lat = models.FloatField(_("中心纬度 (WGS-84)"), null=True, blank=True)
    boundary_geojson = models.TextField(_("边界 (GeoJSON)"), blank=True)
    derived_for_demo = models.BooleanField(_("演示用推导数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("社区")
        verbose_name_plural = _("社区")

    def __str__(self) -> str:
        return self.name

    @property
    def has_location(self) -> bool:
        return bool(self.boundary_geojson) or (
            self.centre_lon is not None and self.centre_lat is not None
        )


class Circle(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("规划中")
        BUILDING = "building", _("建设中")
        BUILT = "built", _("已建成")
        DEMONSTRATION = "demonstration", _("示范点")

    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="circles", verbose_name=_("牵头街道（乡镇）")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    service_centre_name = models.CharField(_("服务中心"), max_length=128, blank=True)
    service_centre = models.ForeignKey(
        "facilities.Facility",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务中心设施"),
    )
    centre_lon = models.FloatField(_("服务中心经度"), null=True, blank=True)
    centre_lat = models.FloatField(_("服务中心纬度"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    derived_for_demo = models.BooleanField(_("演示用推导数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务圈")
        verbose_name_plural = _("服务圈")

    def __str__(self) -> str:
        return self.name


class CircleMembership(models.Model):
    """A community (or the share of it, 一社区多圈) that belongs to a circle."""

    circle = models.ForeignKey(
        Circle, models.CASCADE, related_name="memberships", verbose_name=_("服务圈")
    )
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="circle_memberships", verbose_name=_("社区")
    )
    population_share = models.FloatField(_("人口占比"), default=1.0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["circle_id", "community__code"]
        verbose_name = _("服务圈成员社区")
        verbose_name_plural = _("服务圈成员社区")
        constraints = (
            models.UniqueConstraint(fields=["circle", "community"], name="circle_member_once"),
            models.CheckConstraint(
                condition=models.Q(population_share__gt=0) & models.Q(population_share__lte=1),
                name="circle_member_share_0_1",
            ),
        )

    def __str__(self) -> str:
        return f"{self.circle} · {self.community} ({self.population_share:.0%})"
