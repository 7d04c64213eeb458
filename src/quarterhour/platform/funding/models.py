"""Funding (经费保障): funds per street (and circle) and year, by source and by use; government
service-purchase contracts linked to the providers that deliver them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Source(models.TextChoices):
    FISCAL = "fiscal", _("财政保障")
    FISCAL_SUBSIDY = "subsidy", _("财政部分补助")
    PURCHASE = "purchase", _("购买服务")
    SELF_RAISED = "self", _("社区自筹")
    SHARING = "sharing", _("资源共享")
    DONATION_UNIT = "don_unit", _("单位捐赠")
    DONATION_ORG = "don_org", _("社会组织捐赠")
    DONATION_PERSON = "don_person", _("个人捐赠")


class Use(models.TextChoices):
    FACILITIES = "facilities", _("设施建设与维护")
    STAFF = "staff", _("人员报酬")
    OPERATIONS = "operations", _("工作经费")
    INFORMATION = "information", _("信息化建设")


class Contract(models.Model):
    """A government service-purchase contract (政府购买服务合同)."""

    street = models.ForeignKey(
        "geography.Street",
        models.PROTECT,
        related_name="purchase_contracts",
        verbose_name=_("街道"),
    )
    provider = models.ForeignKey(
        "catalogue.Provider",
        models.PROTECT,
        related_name="purchase_contracts",
        verbose_name=_("承接服务商"),
    )
    number = models.CharField(_("合同编号"), max_length=64, unique=True)
    title = models.CharField(_("购买服务内容"), max_length=200)
    amount = models.DecimalField(_("合同金额（元）"), max_digits=14, decimal_places=2)
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "number"]
        verbose_name = _("购买服务合同")
        verbose_name_plural = _("购买服务合同")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="contract_amount_pos"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Fund(models.Model):
    street = models.ForeignKey(
        "geography.Street", models.PROTECT, related_name="funds", verbose_name=_("街道")
    )
    circle = models.ForeignKey(
        "geography.Circle",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
        verbose_name=_("服务圈"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    use = models.CharField(_("用途"), max_length=12, choices=Use.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    donor = models.CharField(_("捐赠方"), max_length=200, blank=True)
    contract = models.ForeignKey(
        Contract,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
        verbose_name=_("购买服务合同"),
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "street_id", "source", "use", "id"]
        verbose_name = _("经费")
        verbose_name_plural = _("经费")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_amount_pos")
        ]
        indexes = [models.Index(fields=["year", "street"])]

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()} {self.amount}"
