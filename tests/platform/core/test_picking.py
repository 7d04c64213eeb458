"""Pickers: choosing a community, provider, facility or person by name — never by typing an id.

Visibility follows jurisdiction (a street officer of district A is offered A's providers, never
B's); the hidden id is honoured only for rows the user may pick; a typed name resolves when it is
unambiguous, otherwise the field gets close matches; the funding form registers a contract with a
provider chosen by name and, refused, keeps what was typed and saves nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quarterhour.platform.core import picking
from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.funding.models import Contract


def test_search_is_bounded_by_jurisdiction(world):
    street = world.users["street"]
    names = {c.label for c in picking.search(picking.kind("provider"), street, "")}
    assert any(world.pA1.name in n for n in names)
    assert not any(world.pB1.name in n for n in names)
    everyone = {c.label for c in picking.search(picking.kind("provider"), world.users["city"], "")}
    assert any(world.pB1.name in n for n in everyone)


def test_staff_are_offered_by_name_without_phone_and_residents_are_not(world):
    world.users["community"].phone = "13911112222"
    world.users["community"].save()
    offered = picking.search(picking.kind("staff"), world.users["street"], "")
    text = " ".join(f"{c.label} {c.detail}" for c in offered)
    assert "community_a1x" in text and "13911112222" not in text
    assert "resident" not in {c.label.split("（")[-1].rstrip("）") for c in offered}


def test_resolve_by_hidden_id_only_within_reach(world):
    k = picking.kind("provider")
    street = world.users["street"]
    assert picking.resolve(k, street, field="provider", pk=str(world.pA1.pk), text="") == world.pA1
    with pytest.raises(Invalid) as exc:
        picking.resolve(k, street, field="provider", pk=str(world.pB1.pk), text="")
    assert exc.value.issues[0].field == "provider"


def test_resolve_by_typed_name_or_suggest(world):
    k = picking.kind("community")
    anyone = world.users["resident"]
    assert picking.resolve(k, anyone, field="c", pk="", text=world.a1x.name) == world.a1x
    assert picking.resolve(k, anyone, field="c", pk="", text=world.a1x.code) == world.a1x
    with pytest.raises(Invalid) as exc:
        picking.resolve(k, anyone, field="c", pk="", text=world.a1x.name + "不存在")
    assert "您是不是要找" in str(exc.value.message) and world.a1x.name in str(exc.value.message)


def test_pick_json_answers_suggestions_and_refuses_anonymous_staff_kinds(world):
    c = Client()
    assert c.get(reverse("pick", args=["provider"]), {"q": "x"}).status_code == 403
    public = c.get(reverse("pick", args=["community"]), {"q": world.a1x.name[:2]}).json()
    assert any(r["id"] == world.a1x.pk for r in public["results"])
    assert c.get(reverse("pick", args=["nothing"])).status_code == 404
    c.force_login(world.users["street"])
    found = c.get(reverse("pick", args=["provider"]), {"q": "x" * 5000}).json()
    assert found == {"results": []}
    # control characters are refused before any page (core.text's middleware), in words
    refused = c.get(reverse("pick", args=["provider"]), {"q": "\x00" + "x" * 5000})
    assert refused.status_code == 400 and "控制字符" in refused.content.decode()


def _contract(world, **over):
    data = {
        "action": "contract",
        "street": world.A1.pk,
        "provider__text": f"{world.pA1.name}（{world.A1.name}）",
        "provider": "",
        "number": "HT-2026-001",
        "title": "居家养老上门服务",
        "amount": "120000",
        "signed_on": "2026-03-01",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
    }
    data.update(over)
    return data


def test_contract_with_a_provider_chosen_by_name(world):
    from tests.platform.certified import certify

    certify(world.pA1)
    c = Client()
    c.force_login(world.users["street"])
    c.post(reverse("funding:record"), _contract(world), follow=True)
    contract = Contract.objects.get(number="HT-2026-001")
    assert contract.provider == world.pA1


def test_refused_contract_keeps_the_form_and_saves_nothing(world):
    c = Client()
    c.force_login(world.users["street"])
    page = c.post(reverse("funding:record"), _contract(world, provider__text="没有这家服务商"))
    html = page.content.decode()
    assert page.status_code == 422
    assert "没有找到" in html
    assert 'value="HT-2026-001"' in html and 'value="没有这家服务商"' in html
    page = c.post(reverse("funding:record"), _contract(world, amount="-5"))
    html = page.content.decode()
    assert page.status_code == 422
    assert '<span class="field-error" role="alert">金额须为正数' in html
    assert f'value="{world.pA1.name}（{world.A1.name}）"' in html
    assert not Contract.objects.exists()


def test_a_suggestion_whose_name_has_brackets_resolves_without_the_script(world):
    """The label of a suggestion is "name（street）"; a name with brackets of its own,
    "某中心（演示）", still resolves from the taken suggestion when no hidden id came."""
    from quarterhour.platform.catalogue.models import Provider

    p = Provider.objects.create(name="居家养老服务中心（演示）", street=world.A1)
    k = picking.kind("provider")
    label = next(c.label for c in picking.search(k, world.users["street"], "居家养老"))
    assert label == "居家养老服务中心（演示）（西长安街街道）"
    assert picking.resolve(k, world.users["street"], field="p", pk="", text=label) == p
