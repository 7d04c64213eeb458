"""Volunteers and mutual aid (志愿互助): registration approved by the community, needs posted by
residents or staff, matching, and service hours confirmed by the person helped."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from quarterhour.platform.core.events import TransitionEvent


class Skill(models.TextChoices):
    CARE = "care", _("生活照料")
    REPAIR = "repair", _("家庭应急抢修")
    HEALTH = "health", _("医疗保健")
    LEGAL = "legal", _("法律援助")
    COMPANION = "companion", _("精神关怀")
    TUTORING = "tutoring", _("学业辅导")
    OTHER = "other", _("其他")


class Organisation(models.TextChoices):
    PARTY = "party", _("党员")
    LEAGUE = "league", _("团员")
    RETIRED = "retired", _("退休人员")
    STUDENT = "student", _("学生")
    UNIT = "unit", _("驻区单位职工")
    RESIDENT = "resident", _("居民")
    OTHER = "other", _("其他")


class Volunteer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")
        SUSPENDED = "suspended", _("暂停")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="volunteer",
        verbose_name=_("账户"),
    )
    name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("电话"), max_length=32)
    community = models.ForeignKey(
        "geography.Community", models.PROTECT, related_name="volunteers", verbose_name=_("社区")
    )
    lon = models.FloatField(_("出发地经度 (WGS-84)"))
    lat = models.FloatField(_("出发地纬度 (WGS-84)"))
    skills = models.JSONField(_("技能"), default=list)
    availability = models.JSONField(_("可服务时间"), default=list)
    organisation = models.CharField(_("身份"), max_length=10, choices=Organisation.choices)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    registered_at = models.DateTimeField(_("注册时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")

    def __str__(self) -> str:
        return self.name


class Need(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待匹配")
        MATCHED = "matched", _("已匹配")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    community = models.ForeignKey(
        "geography.Community", models.PROTECT, related_name="needs", verbose_name=_("社区")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="volunteer_needs",
        verbose_name=_("服务对象"),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    skill = models.CharField(_("需求类别"), max_length=10, choices=Skill.choices)
    description = models.TextField(_("需求说明"))
    lon = models.FloatField(_("经度 (WGS-84)"))
    lat = models.FloatField(_("纬度 (WGS-84)"))
    wanted_at = models.DateTimeField(_("期望服务时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    volunteer = models.ForeignKey(
        Volunteer,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("志愿者"),
    )
    posted_at = models.DateTimeField(_("发布时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("互助需求")
        verbose_name_plural = _("互助需求")

    def __str__(self) -> str:
        return f"{self.get_skill_display()} · {self.description[:20]}"


class ServiceRecord(models.Model):
    """Hours a volunteer served for a need; counted once the recipient confirms them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DISPUTED = "disputed", _("有异议")

    need = models.OneToOneField(Need, models.PROTECT, related_name="record", verbose_name=_("需求"))
    volunteer = models.ForeignKey(
        Volunteer, models.PROTECT, related_name="records", verbose_name=_("志愿者")
    )
    minutes = models.PositiveIntegerField(_("服务时长（分钟）"))
    served_on = models.DateField(_("服务日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(
        _("确认状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-served_on", "-id"]
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0, minutes__lte=24 * 60), name="record_minutes_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.minutes} min"


class VolunteeringEvent(TransitionEvent):
    """One move of a volunteer's registration, a need or a service record through its state
    machine (who, when, from what to what, why); written by ``volunteers.services``."""

    class Subject(models.TextChoices):
        VOLUNTEER = "volunteer", _("志愿者登记")
        NEED = "need", _("互助需求")
        RECORD = "record", _("服务记录")

    subject = models.CharField(_("对象"), max_length=10, choices=Subject.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("志愿服务事件")
        verbose_name_plural = _("志愿服务事件")
        indexes = [models.Index(fields=["subject", "subject_id"])]
