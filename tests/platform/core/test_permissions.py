"""The permission matrix: every role × every write service × own vs other jurisdiction.

"own" targets sit in district A / street A1 / community a1x / provider pA1 (the jurisdictions of
the test users); "other" targets sit in district B / street B1 / community b1x / provider pB1.
Allowed calls must take effect; refused calls must raise PermissionRefused and change nothing
(every register table and every history table compared before/after).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps

from quarterhour.platform.accounts import services as accounts
from quarterhour.platform.catalogue import services as cat
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.facilities import services as fac
from quarterhour.platform.geography import services as geo
from quarterhour.platform.planning import services as plan
from quarterhour.platform.planning.models import WalkNetworkFile
from tests.platform.helpers import permission_cases

# action: (own, other) expectations per role, in ROLES order. Y = allowed, N = refused.
# fmt: off
EXPECTED: dict[str, tuple[str, ...]] = {
    #                          city  district street community provider resident superuser
    "district_create":        ("YY", "NN",    "NN",  "NN",     "NN",    "NN",    "NN"),
    "district_update":        ("YY", "YN",    "NN",  "NN",     "NN",    "NN",    "NN"),
    "street_create":          ("YY", "YN",    "NN",  "NN",     "NN",    "NN",    "NN"),
    "street_update":          ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "community_create":       ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "community_update":       ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN"),
    "circle_create":          ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "circle_update":          ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "circle_set_members":     ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "facility_create":        ("YY", "YN",    "YN",  "YN",     "YN",    "NN",    "NN"),
    "facility_update":        ("YY", "YN",    "YN",  "YN",     "YN",    "NN",    "NN"),
    "facility_delete":        ("YY", "YN",    "YN",  "YN",     "YN",    "NN",    "NN"),
    "provider_create":        ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "provider_update":        ("YY", "YN",    "YN",  "NN",     "YN",    "NN",    "NN"),
    "service_create":         ("YY", "YN",    "YN",  "NN",     "YN",    "NN",    "NN"),
    "service_update":         ("YY", "YN",    "YN",  "NN",     "YN",    "NN",    "NN"),
    "service_delete":         ("YY", "YN",    "YN",  "NN",     "YN",    "NN",    "NN"),
    "assess_street":          ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "assess_district":        ("YY", "YN",    "NN",  "NN",     "NN",    "NN",    "NN"),
    # own provider's service at its own facility (own) / at another provider's facility (other)
    "service_at_facility":    ("YN", "YN",    "YN",  "NN",     "YN",    "NN",    "NN"),
    # accounts of the target community's worker: a role at the target provider, one removed,
    # the account closed (district and street staff inside their own jurisdiction only)
    "membership_grant":       ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "membership_remove":      ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "user_deactivate":        ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    # a new colleague's account with a community role in the target community
    "account_open":           ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
}
# fmt: on


def _targets(w: Any, side: str) -> dict[str, Any]:
    own = side == "own"
    return {
        "district": w.A if own else w.B,
        "street": w.A1 if own else w.B1,
        "community": w.a1x if own else w.b1x,
        "circle": w.cA1 if own else w.cB1,
        "facility": w.fA1 if own else w.fB1,
        "provider": w.pA1 if own else w.pB1,
        "service": w.sA1 if own else w.sB1,
        # codes that fit the chosen parent, so only permission can refuse
        "district_code": "110108000000" if own else "110105000000",
        "street_code": "110102099000" if own else "110101099000",
        "community_code": "110102001099" if own else "110101001099",
    }


def _actions() -> dict[str, Callable[[Any, dict[str, Any], Any], Any]]:
    return {
        "district_create": lambda u, t, w: geo.district_create(
            actor=u, code=t["district_code"], name="新区"
        ),
        "district_update": lambda u, t, w: geo.district_update(
            actor=u, district=t["district"], population=1_000_000
        ),
        "street_create": lambda u, t, w: geo.street_create(
            actor=u, district=t["district"], code=t["street_code"], name="新街道"
        ),
        "street_update": lambda u, t, w: geo.street_update(
            actor=u, street=t["street"], supervision_phone="010-12345"
        ),
        "community_create": lambda u, t, w: geo.community_create(
            actor=u, street=t["street"], code=t["community_code"], name="新社区"
        ),
        "community_update": lambda u, t, w: geo.community_update(
            actor=u, community=t["community"], population=9999
        ),
        "circle_create": lambda u, t, w: geo.circle_create(
            actor=u,
            street=t["street"],
            code="NEW-1",
            name="新圈",
            members=[(_fresh_community(t), 1.0)],
        ),
        "circle_update": lambda u, t, w: geo.circle_update(
            actor=u, circle=t["circle"], status="building"
        ),
        "circle_set_members": lambda u, t, w: geo.circle_set_members(
            actor=u, circle=t["circle"], members=[(t["community"], 0.5)]
        ),
        "facility_create": lambda u, t, w: fac.facility_create(
            actor=u,
            key="test:new",
            name="新药店",
            lon=t["community"].centre_lon,
            lat=t["community"].centre_lat,
            community=t["community"],
            provider=t["provider"],
            item_codes=["shop.pharmacy"],
        ),
        "facility_update": lambda u, t, w: fac.facility_update(
            actor=u, facility=t["facility"], name="改名", item_codes=["shop.pharmacy", "shop.post"]
        ),
        "facility_delete": lambda u, t, w: fac.facility_delete(actor=u, facility=t["facility"]),
        "provider_create": lambda u, t, w: cat.provider_create(
            actor=u, street=t["street"], name="新服务商"
        ),
        "provider_update": lambda u, t, w: cat.provider_update(
            actor=u, provider=t["provider"], hotline="010-9999"
        ),
        "service_create": lambda u, t, w: cat.service_create(
            actor=u,
            provider=t["provider"],
            name="上门理发",
            category="convenience",
            item_codes=["shop.barber"],
            home_visit=True,
        ),
        "service_update": lambda u, t, w: cat.service_update(
            actor=u, service=t["service"], off_peak=True
        ),
        "service_delete": lambda u, t, w: cat.service_delete(actor=u, service=t["service"]),
        "assess_street": lambda u, t, w: plan.assessment_request(actor=u, street=t["street"]),
        "assess_district": lambda u, t, w: plan.assessment_request(actor=u, district=t["district"]),
        "service_at_facility": lambda u, t, w: cat.service_update(
            actor=u, service=w.sA1, facility=t["facility"], off_peak=True
        ),
        "membership_grant": lambda u, t, w: accounts.grant_membership(
            actor=u, user=_member_of(t), role="provider", provider=t["provider"], reason="兼职"
        ),
        "membership_remove": lambda u, t, w: accounts.remove_membership(
            actor=u, membership=_member_of(t).memberships.get(), reason="调离"
        ),
        "user_deactivate": lambda u, t, w: accounts.set_active(
            actor=u, user=_member_of(t), active=False, reason="离职"
        ),
        "account_open": lambda u, t, w: accounts.open_staff_account(
            actor=u,
            username=f"new_{t['community'].code}",
            display_name="新同事",
            phone="",
            password="Qh-matrix-2026-新同事",
            role="community",
            community=t["community"],
            reason="新入职",
        ),
    }


def _member_of(t: dict[str, Any]) -> Any:
    """A worker of the target community (made before the snapshot)."""
    from quarterhour.platform.accounts.models import Membership, User

    community = t["community"]
    user, made = User.objects.get_or_create(username=f"worker_{community.code}")
    if made:
        Membership.objects.create(user=user, role="community", community=community)
    return user


def _fresh_community(t: dict[str, Any]) -> Any:
    """A community of the target street that belongs to no circle yet (share rules pass)."""
    from quarterhour.platform.geography.models import Community

    street = t["street"]
    code = street.code[:9] + "050"
    return Community.objects.get_or_create(
        code=code, defaults={"street": street, "name": "未入圈社区"}
    )[0]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every platform table (register, history, results), for before/after."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("quarterhour.platform"):
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        out[model._meta.label] = sorted(model.objects.order_by("pk").values_list(*fields), key=repr)
    return out


CASES = permission_cases(EXPECTED)


def test_matrix_covers_every_write_service():
    assert sorted(EXPECTED) == sorted(_actions())
    assert len(CASES) == len(EXPECTED) * 7 * 2


@pytest.mark.parametrize(("action", "role", "side", "allowed"), CASES)
def test_permission_matrix(world, action, role, side, allowed):
    WalkNetworkFile.objects.create(name="test network", path="none.npz")
    user = world.users[role]
    targets = _targets(world, side)
    if action == "circle_create":
        _fresh_community(targets)  # exists before the snapshot
    if action in ("membership_grant", "membership_remove", "user_deactivate"):
        _member_of(targets)
    run = _actions()[action]
    before = snapshot()
    if allowed:
        run(user, targets, world)
        assert snapshot() != before
    else:
        with pytest.raises(PermissionRefused) as info:
            run(user, targets, world)
        assert info.value.code.endswith("permission_denied")
        assert str(info.value.message)
        assert snapshot() == before


# -- pages: personal data and name probes ------------------------------------------------------


def _feedback(world: Any) -> Any:
    from django.utils import timezone

    from quarterhour.platform.evaluation.models import Feedback

    return Feedback.objects.create(
        provider=world.pA1,
        kind="complaint",
        text="送药太慢",
        resident_name="王秀英",
        received_by=world.users["community"],
        received_at=timezone.now(),
    )


# role → sees the complainant's name on the feedback's admin page
COMPLAINANT_SHOWN = {"street": True, "district": True, "city": True, "provider": False}


@pytest.mark.parametrize(("role", "shown"), COMPLAINANT_SHOWN.items())
def test_provider_staff_do_not_see_the_complainant_in_the_admin(world, client, role, shown):
    feedback = _feedback(world)
    client.force_login(world.users[role])
    page = client.get(f"/admin/evaluation/feedback/{feedback.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "送药太慢" in body  # the complaint itself is the provider's to answer
    assert ("王秀英" in body) is shown
    history = client.get(f"/admin/evaluation/feedback/{feedback.pk}/history/")
    assert (history.status_code == 200) is shown
    assert "王秀英" not in client.get("/admin/evaluation/feedback/").content.decode()


def test_the_feedback_admin_is_read_only(world, client):
    feedback = _feedback(world)
    client.force_login(world.users["city"])
    client.post(
        f"/admin/evaluation/feedback/{feedback.pk}/change/",
        {"text": "改写", "resident_name": "别人"},
    )
    feedback.refresh_from_db()
    assert (feedback.text, feedback.resident_name) == ("送药太慢", "王秀英")


def test_transfer_answers_the_same_for_an_unknown_and_a_refused_person(world, client):
    """No user-name probe: naming someone who does not exist reads exactly like naming someone
    outside the receiving unit."""
    from quarterhour.platform.requests import services as rs
    from tests.platform.requests.helpers import make_categories

    cats = make_categories()
    req = rs.submit(
        actor=world.users["resident"],
        category=cats["noise"],
        channel="web",
        community=world.a1x,
    )
    client.force_login(world.users["community"])
    answers = []
    for name in ("no-such-person", world.users["provider"].username):
        page = client.post(
            f"/requests/{req.pk}/transfer",
            {"to_level": "street", "to_unit": world.A1.code, "to_user": name, "reason": "转街道"},
            follow=True,
        )
        errors = [str(m) for m in page.context["messages"]]
        answers.append((page.status_code, errors))
    assert answers[0] == answers[1]
    assert answers[0][1] and "no-such-person" not in " ".join(answers[0][1])
    req.refresh_from_db()
    assert req.owner_level == "community"
