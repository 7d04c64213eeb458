"""Supervision and evaluation (社会监督评价): feedback forwarded to providers and their replies,
satisfaction surveys per circle, democratic reviews, defect notices, and the year-end evaluation
by the community supervision committee (社区监督委员会) with a published score and reasons."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

_USER = settings.AUTH_USER_MODEL


class Feedback(models.Model):
    class Kind(models.TextChoices):
        PRAISE = "praise", _("表扬")
        COMPLAINT = "complaint", _("投诉")
        SUGGESTION = "suggestion", _("建议")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已收集")
        FORWARDED = "forwarded", _("已转服务商")
        REPLIED = "replied", _("服务商已回复")

    provider = models.ForeignKey(
        "catalogue.Provider", models.PROTECT, related_name="feedback", verbose_name=_("服务商")
    )
    circle = models.ForeignKey(
        "geography.Circle",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("服务圈"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    rating = models.PositiveSmallIntegerField(_("评分 (1–5)"), null=True, blank=True)
    text = models.TextField(_("内容"))
    resident_name = models.CharField(_("居民"), max_length=64, blank=True)
    received_by = models.ForeignKey(
        _USER, models.PROTECT, related_name="+", verbose_name=_("收集人")
    )
    received_at = models.DateTimeField(_("收集时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    forwarded_at = models.DateTimeField(_("转交时间"), null=True, blank=True)
    reply = models.TextField(_("服务商回复"), blank=True)
    replied_by = models.ForeignKey(
        _USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("回复人")
    )
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("意见反馈")
        verbose_name_plural = _("意见反馈")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class Survey(models.Model):
    """A periodic satisfaction survey of one circle (e.g. 2026 Q2)."""

    circle = models.ForeignKey(
        "geography.Circle", models.PROTECT, related_name="surveys", verbose_name=_("服务圈")
    )
    title = models.CharField(_("名称"), max_length=200)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(
        _USER, models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")

    def __str__(self) -> str:
        return self.title


class SurveyResponse(models.Model):
    survey = models.ForeignKey(
        Survey, models.CASCADE, related_name="responses", verbose_name=_("调查")
    )
    respondent = models.ForeignKey(_USER, models.PROTECT, related_name="+", verbose_name=_("居民"))
    provider = models.ForeignKey(
        "catalogue.Provider",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("评价的服务商"),
    )
    score = models.PositiveSmallIntegerField(_("满意度 (1–5)"))
    comment = models.TextField(_("意见"), blank=True)
    answered_at = models.DateTimeField(_("填写时间"))

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("调查答卷")
        verbose_name_plural = _("调查答卷")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent", "provider"],
                name="survey_answer_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="survey_score_1_5"
            ),
        ]


class Review(models.Model):
    """Democratic review (民主评议) of a provider by a residents' representative."""

    class Verdict(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    provider = models.ForeignKey(
        "catalogue.Provider", models.PROTECT, related_name="reviews", verbose_name=_("服务商")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    representative = models.CharField(_("居民代表"), max_length=64)
    verdict = models.CharField(_("评议结果"), max_length=12, choices=Verdict.choices)
    comment = models.TextField(_("评议意见"), blank=True)
    recorded_by = models.ForeignKey(
        _USER, models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "provider_id", "id"]
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "year", "representative"], name="review_once_per_rep"
            )
        ]


class DefectNotice(models.Model):
    """整改通知: a defect found, a deadline to correct it; not corrected → loss of certification."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        CORRECTED = "corrected", _("已整改")
        ENFORCED = "enforced", _("逾期未整改，已取消资格")

    provider = models.ForeignKey(
        "catalogue.Provider",
        models.PROTECT,
        related_name="defect_notices",
        verbose_name=_("服务商"),
    )
    defect = models.TextField(_("问题"))
    issued_by = models.ForeignKey(_USER, models.PROTECT, related_name="+", verbose_name=_("通知人"))
    issued_at = models.DateTimeField(_("通知时间"))
    correct_by = models.DateTimeField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    correction = models.TextField(_("整改情况"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")


class Evaluation(models.Model):
    """Year-end evaluation of a provider by the supervision committee: the score, its parts and
    the reasons, published for residents."""

    provider = models.ForeignKey(
        "catalogue.Provider", models.PROTECT, related_name="evaluations", verbose_name=_("服务商")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    parts = models.JSONField(_("得分构成"), default=dict)
    reasons = models.TextField(_("理由"))
    committee_note = models.TextField(_("监督委员会意见"), blank=True)
    published = models.BooleanField(_("已公布"), default=False)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    rewarded = models.BooleanField(_("表彰"), default=False)
    reward_note = models.CharField(_("表彰说明"), max_length=200, blank=True)
    evaluated_by = models.ForeignKey(
        _USER, models.PROTECT, related_name="+", verbose_name=_("评价人")
    )
    evaluated_at = models.DateTimeField(_("评价时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-score", "id"]
        verbose_name = _("年度评价")
        verbose_name_plural = _("年度评价")
        constraints = [
            models.UniqueConstraint(fields=["provider", "year"], name="evaluation_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.year}: {self.score}"
