"""Provider certification (服务站点认证): application → residents' representative meeting →
agreement with the street → public notice → certified; renewal, suspension, disqualification.

The state machine lives in :mod:`.machine`; every transition writes a :class:`CertificationEvent`
(who, when, from, to, why) and a history row of the certification (django-simple-history).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from quarterhour.platform.catalogue.models import Category


class State(models.TextChoices):
    APPLIED = "applied", _("已申请")
    MEETING_APPROVED = "meeting_approved", _("居民代表会议通过")
    AGREEMENT_SIGNED = "agreement_signed", _("已签订协议")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    CERTIFIED = "certified", _("已认证")
    SUSPENDED = "suspended", _("暂停")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已到期")
    SUPERSEDED = "superseded", _("已续期")
    DISQUALIFIED = "disqualified", _("已取消资格")


class Decision(models.TextChoices):
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")


class Certification(models.Model):
    provider = models.ForeignKey(
        "catalogue.Provider",
        models.PROTECT,
        related_name="certifications",
        verbose_name=_("服务商"),
    )
    community = models.ForeignKey(
        "geography.Community",
        models.PROTECT,
        related_name="certifications",
        verbose_name=_("召开居民代表会议的社区"),
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.APPLIED, db_index=True
    )
    renewal_of = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("续期自"),
    )
    # the application
    category = models.CharField(_("服务类别"), max_length=16, choices=Category.choices)
    item_codes = models.JSONField(_("服务项目"), default=list)
    home_visit = models.BooleanField(_("上门服务"), default=False)
    by_appointment = models.BooleanField(_("预约服务"), default=False)
    off_peak = models.BooleanField(_("错时服务"), default=False)
    hotline = models.CharField(_("服务专线"), max_length=64)
    opening_hours = models.JSONField(_("服务时间"), default=list, blank=True)
    documents = models.TextField(_("申请材料"), blank=True, help_text=_("每行一份材料"))
    applied_at = models.DateTimeField(_("申请时间"))
    # the residents' representative meeting (居民代表会议)
    meeting_date = models.DateField(_("会议日期"), null=True, blank=True)
    meeting_attendees = models.PositiveIntegerField(_("出席人数"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成票"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对票"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权票"), null=True, blank=True)
    meeting_decision = models.CharField(
        _("会议决定"), max_length=8, choices=Decision.choices, blank=True
    )
    # the agreement with the street (签订协议)
    agreement_signed_on = models.DateField(_("协议签订日期"), null=True, blank=True)
    term_start = models.DateField(_("认证期起"), null=True, blank=True)
    term_end = models.DateField(_("认证期止"), null=True, blank=True)
    unified_sign = models.BooleanField(_("统一标识"), default=False)
    unified_standard = models.BooleanField(_("统一标准"), default=False)
    unified_management = models.BooleanField(_("统一管理"), default=False)
    # the public notice (公示)
    notice_start = models.DateTimeField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateTimeField(_("公示结束"), null=True, blank=True)
    certified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)
    catalogue_service = models.ForeignKey(
        "catalogue.Service",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("目录中的服务"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("服务站点认证")
        verbose_name_plural = _("服务站点认证")
        constraints = [
            models.CheckConstraint(
                name="cert_votes_add_up",
                condition=models.Q(meeting_attendees__isnull=True)
                | models.Q(
                    meeting_attendees=models.F("votes_for")
                    + models.F("votes_against")
                    + models.F("votes_abstain")
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.get_state_display()}"


class CertificationEvent(models.Model):
    """One transition of a certification: the audit trail shown on the provider's history."""

    certification = models.ForeignKey(
        Certification, models.CASCADE, related_name="events", verbose_name=_("认证")
    )
    provider = models.ForeignKey(
        "catalogue.Provider",
        models.CASCADE,
        related_name="certification_events",
        verbose_name=_("服务商"),
    )
    action = models.CharField(_("操作"), max_length=32)
    from_state = models.CharField(_("原状态"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("认证记录")
        verbose_name_plural = _("认证记录")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"

    @property
    def action_label(self) -> str:
        """The action in words (codes are never shown)."""
        from quarterhour.platform.certification.labels import action_label

        return str(action_label(self.action))


class Objection(models.Model):
    """A resident's objection during the public notice (公示期异议)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    certification = models.ForeignKey(
        Certification, models.CASCADE, related_name="objections", verbose_name=_("认证")
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人"),
    )
    text = models.TextField(_("异议内容"))
    status = models.CharField(
        _("处理状态"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    created_at = models.DateTimeField(_("提出时间"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return self.text[:40]
