"""One row per job: when it runs next, who holds it, how the last run went."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.Model):
    name = models.CharField(_("任务"), max_length=64, unique=True)
    next_run_at = models.DateTimeField(_("下次运行"), null=True, blank=True)
    locked_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    last_ok = models.BooleanField(_("上次成功"), null=True)
    last_result = models.JSONField(_("上次结果"), default=dict, blank=True)
    last_error = models.TextField(_("上次错误"), blank=True)
    last_seconds = models.FloatField(_("上次耗时（秒）"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name
