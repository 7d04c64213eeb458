"""Joint meetings: convene, record (attendees, decisions, actions), task lists, every transition,
bad input, permissions per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.meetings import selectors, services
from quarterhour.platform.meetings.models import Action, Attendee, Meeting, MeetingDecision
from quarterhour.platform.notifications.models import Notification
from tests.platform.helpers import permission_cases
from tests.platform.meetings.helpers import T0, TODAY, convene


def minutes(w: Any, **kw: Any) -> dict[str, Any]:
    args = {
        "attendees": [
            {"name": "王主任", "organisation": "西长安街街道", "user": w.users["street"]},
            {"name": "李经理", "organisation": "长安便民服务社", "unit": w.pA1},
            {"name": "赵书记", "organisation": "南北长街社区", "user": w.users["community"]},
        ],
        "decisions": ["第一中学操场周末向居民开放", "增设一处便民维修点"],
        "actions": [
            {
                "description": "与第一中学签订开放协议",
                "owner": w.users["community"],
                "due_on": TODAY + dt.timedelta(days=14),
                "decision": 1,
            },
            {
                "description": "提交维修点选址方案",
                "owner": w.users["provider"],
                "due_on": TODAY + dt.timedelta(days=7),
                "decision": 2,
            },
        ],
        "minutes": "会议由王主任主持。",
        "now": T0,
    }
    args.update(kw)
    return args


def test_convene_record_and_task_lists(world):
    m = convene(world)
    assert Notification.objects.filter(kind="meetings.invitation").count() == 2
    m = services.record(actor=world.users["street"], meeting=m, **minutes(world))
    assert m.status == "held"
    assert [a.name for a in m.attendees.all()] == ["王主任", "李经理", "赵书记"]
    assert [(d.number, d.text) for d in m.decisions.all()] == [
        (1, "第一中学操场周末向居民开放"),
        (2, "增设一处便民维修点"),
    ]
    tasks = list(selectors.task_list(world.users["community"]))
    assert [(t.description, t.due_on, t.decision.number) for t in tasks] == [
        ("与第一中学签订开放协议", TODAY + dt.timedelta(days=14), 1)
    ]
    assert [t.description for t in selectors.task_list(world.users["provider"])] == [
        "提交维修点选址方案"
    ]
    assert selectors.task_list(world.users["street"]).count() == 0
    assert Notification.objects.filter(
        recipient=world.users["provider"], kind="meetings.action"
    ).exists()
    # the owner closes its action; it leaves the open list
    services.close_action(
        actor=world.users["provider"],
        action=tasks[0].__class__.objects.get(owner=world.users["provider"]),
        note="方案已提交",
        now=T0,
    )
    assert selectors.task_list(world.users["provider"]).count() == 0
    assert selectors.task_list(world.users["provider"], include_done=True).count() == 1
    overdue = selectors.overdue_actions(today=TODAY + dt.timedelta(days=15))
    assert [a.description for a in overdue] == ["与第一中学签订开放协议"]


def test_meeting_transitions(world):
    m = convene(world)
    services.record(actor=world.users["street"], meeting=m, **minutes(world))
    with pytest.raises(Invalid) as exc:  # held twice
        services.record(actor=world.users["street"], meeting=m, **minutes(world))
    assert exc.value.code == "meeting_illegal_transition"
    with pytest.raises(Invalid) as exc:  # cancel a held meeting
        services.cancel(actor=world.users["street"], meeting=m, reason="x")
    assert exc.value.code == "meeting_illegal_transition"
    other = convene(world)
    with pytest.raises(Invalid) as exc:
        services.cancel(actor=world.users["street"], meeting=other, reason=" ")
    assert exc.value.code == "meeting_text_required"
    services.cancel(actor=world.users["street"], meeting=other, reason="改期")
    with pytest.raises(Invalid) as exc:  # record a cancelled meeting
        services.record(actor=world.users["street"], meeting=other, **minutes(world))
    assert exc.value.code == "meeting_illegal_transition"
    action = Action.objects.filter(owner=world.users["community"]).get()
    services.close_action(actor=world.users["community"], action=action, note="已签订")
    with pytest.raises(Invalid) as exc:
        services.close_action(actor=world.users["community"], action=action, note="again")
    assert exc.value.code == "meeting_illegal_transition"
    assert [h.history_change_reason for h in m.history.order_by("history_id")] == [
        "召集联席会议",
        "记录会议",
    ]


def test_bad_minutes_collect_every_problem_and_store_nothing(world):
    m = convene(world)
    bad = minutes(
        world,
        attendees=[{"name": "", "organisation": "x"}],
        decisions=["ok", " "],
        actions=[
            {
                "description": "x",
                "owner": world.users["resident"],
                "due_on": TODAY - dt.timedelta(days=1),
            },
            {"description": "y", "owner": world.users["street"], "due_on": TODAY, "decision": 5},
        ],
    )
    with pytest.raises(Invalid) as exc:
        services.record(actor=world.users["street"], meeting=m, **bad)
    assert [(i.code, i.row) for i in exc.value.issues] == [
        ("meeting_text_required", 1),
        ("meeting_text_required", 2),
        ("meeting_action_due_in_past", 1),
        ("meeting_owner_not_staff", 1),
        ("field_invalid", 2),
    ]
    assert (Attendee.objects.count(), MeetingDecision.objects.count(), Action.objects.count()) == (
        0,
        0,
        0,
    )
    assert Meeting.objects.get(pk=m.pk).status == "planned"


# fmt: off
EXPECTED = {
    #              city  district street community provider resident superuser
    "convene":    ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "record":     ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
}
# fmt: on


@pytest.mark.parametrize(("action", "role", "side", "allowed"), permission_cases(EXPECTED))
def test_meeting_permission(world, action, role, side, allowed):
    circle = world.cA1 if side == "own" else world.cB1
    user = world.users[role]
    if action == "convene":

        def call() -> Any:
            return convene(world, circle=circle, actor=user)
    else:
        m = convene(world, circle=circle, actor=world.users["city"])

        # the actions go to staff of the meeting's own district (the city's officer there)
        owner = world.users["street"] if side == "own" else world.users["city"]
        args = minutes(world)
        args["actions"] = [{**a, "owner": owner} for a in args["actions"]]

        def call() -> Any:
            return services.record(actor=user, meeting=m, **args)

    before = (Meeting.objects.count(), Meeting.objects.filter(status="held").count())
    if allowed:
        call()
        assert before != (Meeting.objects.count(), Meeting.objects.filter(status="held").count())
    else:
        with pytest.raises(PermissionRefused):
            call()
        assert before == (Meeting.objects.count(), Meeting.objects.filter(status="held").count())


def test_only_owner_or_street_closes_an_action(world):
    m = convene(world)
    services.record(actor=world.users["street"], meeting=m, **minutes(world))
    action = Action.objects.get(owner=world.users["community"])
    with pytest.raises(PermissionRefused):
        services.close_action(actor=world.users["provider"], action=action, note="x")
    services.close_action(actor=world.users["street"], action=action, note="街道确认完成")
    assert Action.objects.get(pk=action.pk).status == "done"


def test_overdue_actions_are_reminded_once_by_the_job(world):
    from quarterhour.platform.jobs.registry import run_due

    m = convene(world)
    services.record(actor=world.users["street"], meeting=m, **minutes(world))
    later = T0 + dt.timedelta(days=10)  # the provider's action (7 days) is overdue
    assert run_due(later, only=frozenset({"meetings.remind_overdue"})) == [
        "meetings.remind_overdue"
    ]
    note = Notification.objects.get(kind="meetings.overdue", recipient=world.users["provider"])
    assert note.body == "提交维修点选址方案"
    assert Notification.objects.filter(kind="meetings.overdue").count() == 2  # owner + convener
    assert services.remind_overdue(today=(later + dt.timedelta(days=1)).date()) == 0
    assert Action.objects.get(owner=world.users["provider"]).reminded_on == later.date()


def test_an_action_owner_is_staff_of_the_meetings_district(world):
    """Staff of another district may not be handed an action of this district's meeting."""
    from tests.platform.conftest import make_user

    outsider = make_user("street_b1", "street", street=world.B1)
    m = convene(world)
    args = minutes(
        world,
        actions=[{"description": "x", "owner": outsider, "due_on": TODAY}],
    )
    with pytest.raises(Invalid) as exc:
        services.record(actor=world.users["street"], meeting=m, **args)
    assert [(i.code, i.field) for i in exc.value.issues] == [("meeting_owner_not_staff", "owner_1")]
    assert Action.objects.count() == 0


def test_meeting_and_action_moves_leave_event_rows(world):
    from quarterhour.platform.meetings.models import MeetingEvent

    m = convene(world)
    services.record(actor=world.users["street"], meeting=m, **minutes(world))
    action = Action.objects.get(owner=world.users["community"])
    services.close_action(actor=world.users["community"], action=action, note="已签协议", now=T0)
    other = convene(world)
    services.cancel(actor=world.users["street"], meeting=other, reason="改期")
    rows = list(
        MeetingEvent.objects.order_by("pk").values_list(
            "subject", "subject_id", "action", "from_state", "to_state", "reason"
        )
    )
    assert rows == [
        ("meeting", m.pk, "record", "planned", "held", ""),
        ("action", action.pk, "close", "open", "done", "已签协议"),
        ("meeting", other.pk, "cancel", "planned", "cancelled", "改期"),
    ]
