"""Writes of the planning app: ask for an assessment (the worker runs it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from quarterhour.engine.config import minutes_to_metres
from quarterhour.platform.core import standard
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.geography.models import District, Street
from quarterhour.platform.planning import permissions as perm
from quarterhour.platform.planning.error_codes import PlanningError as E
from quarterhour.platform.planning.models import AssessmentRun, WalkNetworkFile


@transaction.atomic
def assessment_request(
    *,
    actor: Any,
    district: District | None = None,
    street: Street | None = None,
    network: WalkNetworkFile | None = None,
    speed_kmh: float | None = None,
) -> AssessmentRun:
    """Queue an assessment of a street, a district or (city staff) the whole city.

    Returns at once; ``quarterhour worker`` (or the demo server's worker thread) runs it.
    """
    if not perm.can_run_assessment(actor, district=district, street=street):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权评估该辖区"))
    if network is None:
        network = WalkNetworkFile.objects.order_by("-created_at", "-id").first()
    if network is None:
        raise Invalid(E.NO_NETWORK, _("尚未导入步行路网，无法评估（请先运行 import_network）"))
    pending = AssessmentRun.objects.filter(
        district=district,
        street=street,
        status__in=[AssessmentRun.Status.QUEUED, AssessmentRun.Status.RUNNING],
    )
    if pending.exists():
        raise Invalid(E.ALREADY_QUEUED, _("该辖区已有一次评估在排队或计算中"))
    std = standard.current()
    speed = speed_kmh or std.speed_kmh
    return AssessmentRun.objects.create(
        district=district,
        street=street,
        network=network,
        requested_by=actor,
        standard=std.code,
        walk_minutes=std.walk_minutes,
        speed_kmh=speed,
        limit_m=minutes_to_metres(std.walk_minutes, speed_kmh=speed),
    )
