"""Resident units sharing their facilities (驻区单位参与): offers with recurring off-peak windows,
slots materialised on first booking, and bookings that never exceed a slot's capacity."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from quarterhour.platform.core.events import TransitionEvent


class Kind(models.TextChoices):
    SPORTS_GROUND = "sports_ground", _("运动场地")
    CANTEEN = "canteen", _("食堂")
    PARKING = "parking", _("停车场")
    MEETING_ROOM = "meeting_room", _("会议室")
    LIBRARY = "library", _("图书馆")
    OTHER = "other", _("其他")


class Price(models.TextChoices):
    FREE = "free", _("免费")
    LOW_COST = "low_cost", _("低偿")


class SharedFacility(models.Model):
    class Status(models.TextChoices):
        OFFERED = "offered", _("开放中")
        WITHDRAWN = "withdrawn", _("已退出")

    unit = models.ForeignKey(
        "catalogue.Provider",
        models.PROTECT,
        related_name="shared_facilities",
        verbose_name=_("驻区单位"),
    )
    community = models.ForeignKey(
        "geography.Community",
        models.PROTECT,
        related_name="shared_facilities",
        verbose_name=_("所在社区"),
    )
    facility = models.ForeignKey(
        "facilities.Facility",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记的设施"),
    )
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    item_codes = models.JSONField(_("可替代的标准项目"), default=list, blank=True)
    lon = models.FloatField(_("经度 (WGS-84)"))
    lat = models.FloatField(_("纬度 (WGS-84)"))
    address = models.CharField(_("地址"), max_length=300, blank=True)
    price = models.CharField(_("收费"), max_length=10, choices=Price.choices)
    price_note = models.CharField(_("收费说明"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("每时段容量"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OFFERED, db_index=True
    )
    withdrawn_from = models.DateField(_("退出日期"), null=True, blank=True)
    withdraw_reason = models.TextField(_("退出原因"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("共享设施")
        verbose_name_plural = _("共享设施")
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="shared_capacity_pos")
        ]

    def __str__(self) -> str:
        return self.name


#: weekdays in words (1 = Monday)
WEEKDAY_NAMES = {
    1: _("星期一"),
    2: _("星期二"),
    3: _("星期三"),
    4: _("星期四"),
    5: _("星期五"),
    6: _("星期六"),
    7: _("星期日"),
}


class Window(models.Model):
    """A recurring off-peak opening: every ``weekday`` (1 = Monday) from ``start`` to ``end``,
    split into slots of ``slot_minutes`` (0 = one slot for the whole window)."""

    shared = models.ForeignKey(
        SharedFacility, models.CASCADE, related_name="windows", verbose_name=_("共享设施")
    )
    weekday = models.PositiveSmallIntegerField(_("星期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    slot_minutes = models.PositiveIntegerField(_("时段长度（分钟）"), default=0)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["shared_id", "weekday", "start"]
        verbose_name = _("开放时段")
        verbose_name_plural = _("开放时段")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=1, weekday__lte=7), name="window_weekday_1_7"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="window_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAY_NAMES.get(self.weekday, self.weekday))


class Slot(models.Model):
    """One bookable occurrence; created on the first booking, locked while booking."""

    shared = models.ForeignKey(
        SharedFacility, models.CASCADE, related_name="slots", verbose_name=_("共享设施")
    )
    window = models.ForeignKey(
        Window, models.SET_NULL, null=True, related_name="slots", verbose_name=_("开放时段")
    )
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("容量"))
    taken = models.PositiveIntegerField(_("已预约"), default=0)

    class Meta:
        ordering = ["date", "start"]
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [
            models.UniqueConstraint(fields=["shared", "date", "start"], name="slot_once"),
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity")), name="slot_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shared} {self.date} {self.start:%H:%M}"


class Booking(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        CANCELLED = "cancelled", _("已取消")
        WITHDRAWN = "withdrawn", _("单位退出取消")

    slot = models.ForeignKey(Slot, models.PROTECT, related_name="bookings", verbose_name=_("时段"))
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("预约人")
    )
    places = models.PositiveIntegerField(_("人数/位数"), default=1)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("预约时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")

    def __str__(self) -> str:
        return f"{self.slot} · {self.booker}"


class SharingEvent(TransitionEvent):
    """One move of an offer or a booking through its state machine (who, when, from what to
    what, why); written by ``sharing.services``."""

    class Subject(models.TextChoices):
        OFFER = "offer", _("共享设施")
        BOOKING = "booking", _("预约")

    subject = models.CharField(_("对象"), max_length=8, choices=Subject.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("共享设施事件")
        verbose_name_plural = _("共享设施事件")
        indexes = [models.Index(fields=["subject", "subject_id"])]
