"""Joint meetings (联席会议) led by the street with the units of a circle: agenda, attendees,
decisions, and follow-up actions with owners and due dates (the owners' task lists)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from quarterhour.platform.core.events import TransitionEvent


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    circle = models.ForeignKey(
        "geography.Circle", models.PROTECT, related_name="joint_meetings", verbose_name=_("服务圈")
    )
    title = models.CharField(_("会议名称"), max_length=200)
    held_at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    agenda = models.TextField(_("议程"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("召集人")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")

    def __str__(self) -> str:
        return self.title


class Attendee(models.Model):
    meeting = models.ForeignKey(
        Meeting, models.CASCADE, related_name="attendees", verbose_name=_("会议")
    )
    name = models.CharField(_("姓名"), max_length=64)
    organisation = models.CharField(_("单位"), max_length=200)
    unit = models.ForeignKey(
        "catalogue.Provider",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记的单位"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("账户"),
    )
    present = models.BooleanField(_("出席"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("参会人")
        verbose_name_plural = _("参会人")

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(
        Meeting, models.CASCADE, related_name="decisions", verbose_name=_("会议")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("决定事项"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting_id", "number"]
        verbose_name = _("会议决定")
        verbose_name_plural = _("会议决定")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:30]}"


class Action(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待办")
        DONE = "done", _("已完成")

    meeting = models.ForeignKey(
        Meeting, models.CASCADE, related_name="actions", verbose_name=_("会议")
    )
    decision = models.ForeignKey(
        MeetingDecision,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("对应决定"),
    )
    description = models.TextField(_("落实事项"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="meeting_actions",
        verbose_name=_("责任人"),
    )
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.TextField(_("完成情况"), blank=True)
    reminded_on = models.DateField(_("逾期提醒日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("落实事项")
        verbose_name_plural = _("落实事项")
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return self.description[:40]


class MeetingEvent(TransitionEvent):
    """One move of a meeting or of a follow-up action through its state machine (who, when,
    from what to what, why); written by ``meetings.services``."""

    class Subject(models.TextChoices):
        MEETING = "meeting", _("联席会议")
        ACTION = "action", _("落实事项")

    subject = models.CharField(_("对象"), max_length=8, choices=Subject.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("联席会议事件")
        verbose_name_plural = _("联席会议事件")
        indexes = [models.Index(fields=["subject", "subject_id"])]
