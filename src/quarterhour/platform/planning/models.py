"""Assessment runs of the engine and their stored results (per community × item, per circle)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class WalkNetworkFile(models.Model):
    """A walk network prepared by the engine and kept as a ``.npz`` file in the data directory."""

    name = models.CharField(_("名称"), max_length=200)
    path = models.CharField(_("文件"), max_length=500, help_text=_("数据目录中的相对路径"))
    source = models.CharField(_("来源"), max_length=300, blank=True)
    attribution = models.CharField(_("署名"), max_length=200, blank=True)
    data_date = models.DateField(_("数据日期"), null=True, blank=True)
    n_nodes = models.PositiveIntegerField(_("节点数"), default=0)
    n_edges = models.PositiveIntegerField(_("路段数"), default=0)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("步行路网")
        verbose_name_plural = _("步行路网")

    def __str__(self) -> str:
        return self.name


class AssessmentRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    district = models.ForeignKey(
        "geography.District", models.CASCADE, null=True, blank=True, verbose_name=_("区县")
    )
    street = models.ForeignKey(
        "geography.Street", models.CASCADE, null=True, blank=True, verbose_name=_("街道")
    )
    network = models.ForeignKey(
        WalkNetworkFile, models.PROTECT, null=True, blank=True, verbose_name=_("步行路网")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, verbose_name=_("发起人")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    stage = models.CharField(_("阶段"), max_length=64, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    standard = models.CharField(_("标准"), max_length=64)
    walk_minutes = models.FloatField(_("步行分钟"))
    speed_kmh = models.FloatField(_("步速 (km/h)"))
    limit_m = models.FloatField(_("距离上限 (米)"))
    inputs_date = models.DateTimeField(_("输入数据日期"), null=True, blank=True)
    # facilities in the register near the scope, and of those the ones placed on the walk network
    # (within the snap distance): only those serve anyone
    n_facilities = models.PositiveIntegerField(_("设施数"), default=0)
    n_facilities_placed = models.PositiveIntegerField(_("在步行网络上的设施数"), default=0)
    n_communities = models.PositiveIntegerField(_("社区数"), default=0)
    # the run's tiles (engine.tiling): how many there were and how many were computed (the rest
    # were reused from the previous run of the same scope, no facility having changed near them)
    tiles_total = models.PositiveIntegerField(_("分块数"), default=0)
    tiles_computed = models.PositiveIntegerField(_("重算分块数"), default=0)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("评估")
        verbose_name_plural = _("评估")

    def __str__(self) -> str:
        return f"#{self.pk} {self.street or self.district or _('全市')}"

    @property
    def tiles_reused(self) -> int:
        return max(0, self.tiles_total - self.tiles_computed)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class CommunityResult(models.Model):
    run = models.ForeignKey(AssessmentRun, models.CASCADE, related_name="community_results")
    community = models.ForeignKey("geography.Community", models.CASCADE, related_name="results")
    is_latest = models.BooleanField(default=True)
    population = models.FloatField()
    n_origins = models.PositiveIntegerField()
    items_required = models.PositiveSmallIntegerField()
    items_met = models.PositiveSmallIntegerField()
    missing = models.JSONField(default=list)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["run", "community"], name="community_result_once"),
        )
        indexes = (models.Index(fields=["community", "is_latest"]),)


class CommunityItemResult(models.Model):
    run = models.ForeignKey(AssessmentRun, models.CASCADE, related_name="community_items")
    community = models.ForeignKey("geography.Community", models.CASCADE, related_name="+")
    item_code = models.CharField(max_length=32)
    share = models.FloatField(null=True)
    median_min = models.FloatField(null=True)
    p90_min = models.FloatField(null=True)
    met = models.BooleanField(null=True)
    #: the elderly (60+) at the standard's elderly pace (3 km/h: each item's distance scaled
    #: by 3 ÷ 4); None when the community list gives no elderly residents here
    elderly_share = models.FloatField(null=True)
    elderly_met = models.BooleanField(null=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["run", "community", "item_code"], name="community_item_result_once"
            ),
        )


class CircleResult(models.Model):
    run = models.ForeignKey(AssessmentRun, models.CASCADE, related_name="circle_results")
    circle = models.ForeignKey("geography.Circle", models.CASCADE, related_name="results")
    is_latest = models.BooleanField(default=True)
    population = models.FloatField()
    items_required = models.PositiveSmallIntegerField()
    items_met = models.PositiveSmallIntegerField()
    missing = models.JSONField(default=list)
    demonstration = models.BooleanField(default=False)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["run", "circle"], name="circle_result_once"),
        )
        indexes = (models.Index(fields=["circle", "is_latest"]),)


class CircleItemResult(models.Model):
    run = models.ForeignKey(AssessmentRun, models.CASCADE, related_name="circle_items")
    circle = models.ForeignKey("geography.Circle", models.CASCADE, related_name="+")
    item_code = models.CharField(max_length=32)
    share = models.FloatField(null=True)
    median_min = models.FloatField(null=True)
    p90_min = models.FloatField(null=True)
    met = models.BooleanField(null=True)
    #: the elderly (60+) at the standard's elderly pace (3 km/h: each item's distance scaled
    #: by 3 ÷ 4); None when the community list gives no elderly residents here
    elderly_share = models.FloatField(null=True)
    elderly_met = models.BooleanField(null=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["run", "circle", "item_code"], name="circle_item_result_once"
            ),
        )


class WhatIfScenario(models.Model):
    """A what-if scenario kept by a planner: hypothetical changes to the facilities (add / move /
    close), never applied to the register. It belongs to a circle or (全区方案) to a district:
    exactly one of the two. A scenario promoted into the plan (纳入规划) lists its added and
    moved sites as proposed sites (a district's: of the district, and of each of its circles
    whose communities the site lies within reach of)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草案")
        PROPOSED = "proposed", _("已纳入规划")
        WITHDRAWN = "withdrawn", _("已撤回")

    circle = models.ForeignKey(
        "geography.Circle",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="whatif_scenarios",
        verbose_name=_("服务圈"),
    )
    district = models.ForeignKey(
        "geography.District",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="whatif_scenarios",
        verbose_name=_("区县"),
    )
    name = models.CharField(_("方案名称"), max_length=100)
    changes = models.JSONField(_("变更"), default=list)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("假设方案")
        verbose_name_plural = _("假设方案")
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(circle__isnull=False, district__isnull=True)
                    | models.Q(circle__isnull=True, district__isnull=False)
                ),
                name="whatif_scenario_circle_or_district",
            ),
        )

    def __str__(self) -> str:
        return self.name
