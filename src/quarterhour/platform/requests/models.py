"""Request categories with deadlines (per district), the working-day calendar, requests, their
event log (the audit trail) and handovers (transfers and escalations: who → whom → why)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Level(models.TextChoices):
    """Who owns a request: a unit at one level of the hierarchy, or a provider's station."""

    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DISTRICT = "district", _("区县")
    CITY = "city", _("市级")
    PROVIDER = "provider", _("服务站点")


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    DAYS = "days", _("工作日")


class Category(models.Model):
    """A kind of request (Open311 "service"): its code, the default deadline, attributes."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("求助/诉求")
        COMPLAINT = "complaint", _("投诉")
        SUGGESTION = "suggestion", _("建议")

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    group = models.CharField(_("分组"), max_length=64, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.REQUEST)
    deadline_amount = models.PositiveIntegerField(_("办结时限"), default=3)
    deadline_unit = models.CharField(
        _("时限单位"), max_length=8, choices=DeadlineUnit.choices, default=DeadlineUnit.DAYS
    )
    remind_before_hours = models.PositiveIntegerField(_("到期前提醒（工作小时）"), default=4)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")

    def __str__(self) -> str:
        return self.name


class CategoryDeadline(models.Model):
    """A district's own deadline for a category (overrides the category's default)."""

    category = models.ForeignKey(
        Category, models.CASCADE, related_name="district_deadlines", verbose_name=_("类别")
    )
    district = models.ForeignKey(
        "geography.District", models.CASCADE, related_name="+", verbose_name=_("区县")
    )
    amount = models.PositiveIntegerField(_("办结时限"))
    unit = models.CharField(_("时限单位"), max_length=8, choices=DeadlineUnit.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("区县办结时限")
        verbose_name_plural = _("区县办结时限")
        constraints = [
            models.UniqueConstraint(fields=["category", "district"], name="deadline_once"),
            models.CheckConstraint(name="deadline_positive", condition=models.Q(amount__gt=0)),
        ]


class Attribute(models.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("文本（单行）")
        NUMBER = "number", _("数字")
        DATETIME = "datetime", _("日期时间")
        TEXT = "text", _("文本（多行）")
        SINGLE = "singlevaluelist", _("单选")
        MULTI = "multivaluelist", _("多选")

    category = models.ForeignKey(
        Category, models.CASCADE, related_name="attributes", verbose_name=_("类别")
    )
    code = models.SlugField(_("代码"), max_length=32)
    variable = models.BooleanField(_("需要填写"), default=True)
    datatype = models.CharField(_("数据类型"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("必填"), default=False)
    datatype_description = models.CharField(_("填写说明"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("顺序"))
    description = models.CharField(_("问题"), max_length=300)
    #: [{"key": "...", "name": "..."}] for the list datatypes
    values = models.JSONField(_("选项"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category_id", "order"]
        verbose_name = _("类别附加项")
        verbose_name_plural = _("类别附加项")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_code_once"),
            models.UniqueConstraint(fields=["category", "order"], name="attribute_order_once"),
        ]


class WorkCalendar(models.Model):
    """Working time of a district (or the default, district empty): weekdays, hours, and the
    exceptions (public holidays off; swapped weekend days on) in :class:`CalendarDay`."""

    district = models.OneToOneField(
        "geography.District",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="work_calendar",
        verbose_name=_("区县（空=默认）"),
    )
    weekdays = models.CharField(_("工作日（1=周一）"), max_length=7, default="12345")
    day_start = models.TimeField(_("上班时间"), default="09:00")
    day_end = models.TimeField(_("下班时间"), default="17:00")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                name="one_default_calendar",
                nulls_distinct=False,
            )
        ]


class CalendarDay(models.Model):
    calendar = models.ForeignKey(
        WorkCalendar, models.CASCADE, related_name="days", verbose_name=_("日历")
    )
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("上班"), default=False)
    note = models.CharField(_("说明"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休")
        verbose_name_plural = _("节假日/调休")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="day_once")]


class Status(models.TextChoices):
    NEW = "new", _("待受理")
    ACCEPTED = "accepted", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")


OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.REPLIED)


class Channel(models.TextChoices):
    WEB = "web", _("网上提交")
    HOTLINE = "hotline", _("热线电话")
    WALK_IN = "walk_in", _("窗口来访")
    OPEN311 = "open311", _("Open311 接口")


class ServiceRequest(models.Model):
    # no index of its own: request_cat_time_idx starts with it (every index costs the escalation
    # job a write per request)
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="requests", verbose_name=_("类别"), db_index=False
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(_("来源"), max_length=8, choices=Channel.choices)
    description = models.TextField(_("内容"), max_length=4000, blank=True)
    attributes = models.JSONField(_("附加项"), default=dict, blank=True)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)
    # where: always a community (the first station), with lon/lat when given
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    community = models.ForeignKey(
        "geography.Community", models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    street = models.ForeignKey(
        "geography.Street", models.PROTECT, related_name="+", verbose_name=_("街道")
    )
    district = models.ForeignKey(
        "geography.District", models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    # who asked (personal data: shown only to the owner and the submitter)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("提交人"),
        db_index=False,
    )
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("电子邮件"), blank=True)
    # who owns it now (首问负责): a unit, and the person when one took it
    owner_level = models.CharField(_("责任层级"), max_length=10, choices=Level.choices)
    # exactly one of these is set: indexed by partial indexes (Meta) that skip the empty ones,
    # so moving a request costs one index write instead of four
    owner_community = models.ForeignKey(
        "geography.Community",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    owner_street = models.ForeignKey(
        "geography.Street",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    owner_district = models.ForeignKey(
        "geography.District",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    owner_provider = models.ForeignKey(
        "catalogue.Provider",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_requests",
        verbose_name=_("责任人"),
        db_index=False,
    )
    # time
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    due_at = models.DateTimeField(_("办结期限"))
    remind_at = models.DateTimeField(_("提醒时间"))
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    status_notes = models.CharField(_("办理说明"), max_length=1000, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=1000, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    #: the first answer to the requester (响应): accept or reply, whichever came first
    responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    # Open311: the client that posted it, its idempotency key and the request's fingerprint
    api_client = models.ForeignKey(
        "open311.ApiClient",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # request_idempotent (api_client, idempotency_key) starts with it
    )
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [
            models.Index(fields=["status", "due_at"], name="request_open_due_idx"),
            models.Index(fields=["status", "remind_at"], name="request_open_remind_idx"),
            models.Index(fields=["category", "received_at"], name="request_cat_time_idx"),
            *[
                models.Index(
                    fields=[f],
                    name=f"request_{f}_idx",
                    condition=models.Q(**{f"{f}__isnull": False}),
                )
                for f in (
                    "owner_community",
                    "owner_street",
                    "owner_district",
                    "owner_provider",
                    "owner_user",
                    "submitter",
                )
            ],
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["api_client", "idempotency_key"],
                name="request_idempotent",
                condition=models.Q(idempotency_key__isnull=False),
            ),
            models.CheckConstraint(
                name="request_owner_matches_level",
                condition=(
                    models.Q(owner_level="community", owner_community__isnull=False)
                    | models.Q(owner_level="street", owner_street__isnull=False)
                    | models.Q(owner_level="district", owner_district__isnull=False)
                    | models.Q(owner_level="city")
                    | models.Q(owner_level="provider", owner_provider__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="request_rating_range",
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Event(models.Model):
    """The request's audit trail: every action, who (None = the scheduled job), when."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        ACCEPT = "accept", _("受理")
        REPLY = "reply", _("答复")
        TRANSFER = "transfer", _("转办")
        ESCALATE = "escalate", _("超期升级")
        REMIND = "remind", _("到期提醒")
        CLOSE = "close", _("办结")
        REJECT = "reject", _("不予受理")
        REOPEN = "reopen", _("重新办理")
        RATE = "rate", _("评价")
        JOIN = "join", _("关注")

    request = models.ForeignKey(
        ServiceRequest, models.CASCADE, related_name="events", verbose_name=_("诉求")
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # read per request, never looked up by actor
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8, blank=True)
    note = models.CharField(_("说明"), max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")


class Handover(models.Model):
    """A formal change of owner: transfer by a person or escalation by the job."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("转办")
        ESCALATION = "escalation", _("超期升级")

    request = models.ForeignKey(
        ServiceRequest, models.CASCADE, related_name="handovers", verbose_name=_("诉求")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    from_level = models.CharField(max_length=10, choices=Level.choices)
    from_unit = models.CharField(_("原责任单位"), max_length=200)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    #: the station that held it (evaluation counts a provider's overdue requests by this)
    from_provider = models.ForeignKey(
        "catalogue.Provider",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial index below
    )
    to_level = models.CharField(max_length=10, choices=Level.choices)
    to_unit = models.CharField(_("新责任单位"), max_length=200)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reason = models.CharField(_("原因"), max_length=1000)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("转办/升级记录")
        verbose_name_plural = _("转办/升级记录")
        indexes = [
            models.Index(
                fields=["from_provider", "at"],
                name="handover_provider_idx",
                condition=models.Q(from_provider__isnull=False),
            )
        ]


class Follower(models.Model):
    """A resident who joined an open request instead of filing the same one again: told about
    its progress like the submitter, and sees it in 我的."""

    request = models.ForeignKey(
        ServiceRequest, models.CASCADE, related_name="followers", verbose_name=_("诉求")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("居民")
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("关注者")
        verbose_name_plural = _("关注者")
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="follow_once")]
