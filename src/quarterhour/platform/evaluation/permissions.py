"""Who may collect, forward, reply, survey, review, evaluate and sanction (one condition per
line). The service station (community staff) collects feedback; the provider's own staff reply;
surveys are run by the circle's street; reviews are recorded by the community or street; the
year-end evaluation, defect notices and rewards belong to the street that registered the
provider (the supervision committee's secretariat) or above."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import (
    Role,
    any_covers,
    is_provider_staff,
    memberships,
    place_of_street,
)

if TYPE_CHECKING:
    from quarterhour.platform.catalogue.models import Provider
    from quarterhour.platform.evaluation.models import Feedback, Survey
    from quarterhour.platform.geography.models import Circle


def can_collect_feedback(user: Any, provider: Provider) -> bool:
    if any_covers(user, place_of_street(provider.street), lowest=Role.STREET):
        return True
    return any(
        m.role == Role.COMMUNITY
        and m.community is not None  # the membership_scope_matches_role constraint
        and m.community.street_id == provider.street_id
        for m in memberships(user)
    )


def can_reply_feedback(user: Any, feedback: Feedback) -> bool:
    return is_provider_staff(user, feedback.provider_id)


def can_run_survey(user: Any, circle: Circle) -> bool:
    return any_covers(user, place_of_street(circle.street), lowest=Role.STREET)


def is_resident(user: Any) -> bool:
    return any(m.role == Role.RESIDENT for m in memberships(user))


def can_answer_survey(user: Any, survey: Survey) -> bool:
    return is_resident(user)


def can_record_review(user: Any, provider: Provider) -> bool:
    return can_collect_feedback(user, provider)


def can_evaluate_provider(user: Any, provider: Provider) -> bool:
    return any_covers(user, place_of_street(provider.street), lowest=Role.STREET)
