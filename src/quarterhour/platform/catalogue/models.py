"""Providers (organisations) and the services they offer, in the policy's four categories."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from quarterhour.platform.core.searchtext import FoldedSearchText


class Category(models.TextChoices):
    PUBLIC = "public", _("社区公共服务")
    VOLUNTEER = "volunteer", _("志愿互助服务")
    CONVENIENCE = "convenience", _("便民利民服务")
    SPECIAL = "special", _("特色服务")


class Provider(FoldedSearchText):
    class Kind(models.TextChoices):
        BUSINESS = "business", _("商业服务站点")
        SOCIAL_ORG = "social_org", _("社区社会组织")
        GOVERNMENT = "government", _("政府部门")
        RESIDENT_UNIT = "resident_unit", _("驻区单位")

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.BUSINESS)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    street = models.ForeignKey(
        "geography.Street", models.PROTECT, related_name="providers", verbose_name=_("所属街道")
    )
    community = models.ForeignKey(
        "geography.Community",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="providers",
        verbose_name=_("所在社区"),
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    hotline = models.CharField(_("服务专线"), max_length=64, blank=True)
    website = models.URLField(_("网站"), blank=True)
    description = models.TextField(_("简介"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    search_text_from = ("name", "description")
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("服务商")
        verbose_name_plural = _("服务商")

    def __str__(self) -> str:
        return self.name


class Service(FoldedSearchText):
    provider = models.ForeignKey(
        Provider, models.CASCADE, related_name="services", verbose_name=_("服务商")
    )
    name = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("服务类别"), max_length=16, choices=Category.choices)
    home_visit = models.BooleanField(_("上门服务"), default=False)
    by_appointment = models.BooleanField(_("预约服务"), default=False)
    off_peak = models.BooleanField(_("错时服务"), default=False)
    hotline = models.CharField(_("服务专线"), max_length=64, blank=True)
    opening_hours = models.JSONField(_("服务时间"), default=list, blank=True)
    hours_note = models.CharField(_("服务时间说明"), max_length=200, blank=True)
    is_free = models.BooleanField(_("免费"), default=False)
    fee_note = models.CharField(_("收费说明"), max_length=200, blank=True)
    facility = models.ForeignKey(
        "facilities.Facility",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("服务地点"),
    )
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("提供中"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    search_text_from = ("name", "description")
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["provider_id", "name", "id"]
        verbose_name = _("服务")
        verbose_name_plural = _("服务")

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    service = models.ForeignKey(
        Service, models.CASCADE, related_name="items", verbose_name=_("服务")
    )
    item_code = models.CharField(_("标准项目"), max_length=32, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_id", "item_code"]
        verbose_name = _("服务对应项目")
        verbose_name_plural = _("服务对应项目")
        constraints = (
            models.UniqueConstraint(fields=["service", "item_code"], name="service_item_once"),
        )

    def __str__(self) -> str:
        return self.item_code
