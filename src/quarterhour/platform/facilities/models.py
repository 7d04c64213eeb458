"""Facilities: one place that can serve several standard items (一室多用、一站多能)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from quarterhour.platform.core.searchtext import FoldedSearchText


class OwnerKind(models.TextChoices):
    GOVERNMENT = "government", _("政府")
    RESIDENT_UNIT = "resident_unit", _("驻区单位")
    PROVIDER = "provider", _("服务商")


class Facility(FoldedSearchText):
    key = models.CharField(
        _("稳定标识"),
        max_length=200,
        unique=True,
        help_text=_("导入时的稳定键，如 osm:node/123 或 street:110102001000/登记表:编号"),
    )
    register_scope = models.CharField(
        _("登记辖区"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("导入该设施的登记表所属辖区，如 street:110102001000；其键以它开头"),
    )
    name = models.CharField(_("名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lon = models.FloatField(_("经度 (WGS-84)"))
    lat = models.FloatField(_("纬度 (WGS-84)"))
    community = models.ForeignKey(
        "geography.Community",
        models.PROTECT,
        related_name="facilities",
        verbose_name=_("所在社区"),
    )
    owner_kind = models.CharField(
        _("权属"), max_length=16, choices=OwnerKind.choices, default=OwnerKind.GOVERNMENT
    )
    owner_name = models.CharField(_("权属单位"), max_length=200, blank=True)
    provider = models.ForeignKey(
        "catalogue.Provider",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("服务商"),
    )
    opening_hours = models.JSONField(_("营业时间"), default=list, blank=True)
    hours_note = models.CharField(_("营业时间说明"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    derived_for_demo = models.BooleanField(_("演示用推导数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)
    search_text_from = ("name", "address")
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("服务设施")
        verbose_name_plural = _("服务设施")
        indexes = (
            models.Index(fields=["community", "is_active"]),
            models.Index(fields=["lon", "lat"]),
        )

    def __str__(self) -> str:
        return self.name


class FacilityItem(models.Model):
    """A standard item (code from the standard file) that a facility serves."""

    facility = models.ForeignKey(
        Facility, models.CASCADE, related_name="items", verbose_name=_("设施")
    )
    item_code = models.CharField(_("标准项目"), max_length=32, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["facility_id", "item_code"]
        verbose_name = _("设施服务项目")
        verbose_name_plural = _("设施服务项目")
        constraints = (
            models.UniqueConstraint(fields=["facility", "item_code"], name="facility_item_once"),
        )

    def __str__(self) -> str:
        return self.item_code
