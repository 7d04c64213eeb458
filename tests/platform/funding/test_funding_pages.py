"""Funding pages: record through the form, the district roll-up page and its XLSX download;
a street officer cannot open the district roll-up."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from quarterhour.platform.funding.models import Fund


def test_record_rollup_and_export(world):
    c = Client()
    c.force_login(world.users["street"])
    bad = c.post(
        reverse("funding:record"),
        {
            "action": "fund",
            "street": world.A1.pk,
            "year": "2026",
            "source": "don_person",
            "use": "staff",
            "amount": "100",
        },
        follow=True,
    )
    assert "捐赠须写明捐赠方" in bad.content.decode() and Fund.objects.count() == 0
    c.post(
        reverse("funding:record"),
        {
            "action": "fund",
            "street": world.A1.pk,
            "year": "2026",
            "source": "fiscal",
            "use": "staff",
            "amount": "1500.50",
        },
    )
    assert Fund.objects.get().amount == 1500.5
    assert c.get(reverse("funding:rollup", args=[world.A.pk, 2026])).status_code == 403
    c.force_login(world.users["district"])
    page = c.get(reverse("funding:rollup", args=[world.A.pk, 2026])).content.decode()
    assert "西长安街街道" in page and "1,500.50" in page  # amounts with thousands grouped
    x = c.get(reverse("funding:export", args=[world.A.pk, 2026]))
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(x.content))
    rows = list(wb["来源 Sources"].iter_rows(min_row=3, values_only=True))
    assert rows[0][0] == "西长安街街道" and rows[0][-1] == 1500.5
    assert c.get(reverse("funding:rollup", args=[world.B.pk, 2026])).status_code == 403


def test_admin_is_read_only_for_funds(world):
    c = Client()
    c.force_login(world.users["street"])
    r = c.post(
        reverse("admin:funding_fund_add"),
        {
            "street": world.A1.pk,
            "year": "2026",
            "source": "fiscal",
            "use": "staff",
            "amount": "500.00",
        },
    )
    assert r.status_code == 403 and Fund.objects.count() == 0


def test_a_fund_names_its_contract_with_the_picker_not_a_typed_number(world):
    from tests.platform.funding.helpers import contract

    own = contract(world)  # street A1's contract
    other = contract(world, street=world.B1, provider=world.pB1, number="DC-2026-009")
    c = Client()
    c.force_login(world.users["street"])
    page = c.get(reverse("funding:overview")).content.decode()
    fund_form = page.split('value="fund"')[1].split("</form>")[0]
    assert 'data-picker="contract"' in fund_form and 'id="pick-fund-contract"' in fund_form
    assert "XC-2026-001（居家养老上门服务）" in fund_form  # offered from the start
    assert "DC-2026-009" not in fund_form
    # the suggestions are the contracts of the actor's streets only
    found = c.get(reverse("pick", args=["contract"]), {"q": "2026"}).json()["results"]
    assert [r["id"] for r in found] == [own.pk]
    assert c.get(reverse("pick", args=["contract"]), {"q": "DC-2026"}).json()["results"] == []
    base = {
        "action": "fund",
        "street": world.A1.pk,
        "year": "2026",
        "source": "purchase",
        "use": "operations",
        "amount": "120000",
    }
    # another street's contract, its id forged into the hidden field: refused, nothing stored
    forged = c.post(
        reverse("funding:record"), {**base, "contract": other.pk, "contract__text": "DC-2026-009"}
    )
    assert forged.status_code == 422 and "DC-2026-009" in forged.content.decode()
    assert 'class="field-error"' in forged.content.decode().split('id="pick-fund-contract"')[1]
    # a purchase without a contract is refused beside the picker
    missing = c.post(reverse("funding:record"), base)
    assert missing.status_code == 422 and "购买服务须关联合同" in missing.content.decode()
    assert Fund.objects.count() == 0
    # chosen from the suggestions (the script fills the hidden id)
    ok = c.post(
        reverse("funding:record"),
        {**base, "contract": own.pk, "contract__text": "XC-2026-001（居家养老上门服务）"},
    )
    assert ok.status_code == 302
    assert Fund.objects.get().contract == own
    # without the script: the typed number alone names exactly one contract
    c.post(reverse("funding:record"), {**base, "amount": "5", "contract__text": "XC-2026-001"})
    assert Fund.objects.filter(contract=own).count() == 2
    # a community officer records no funds and is offered no contract
    c.force_login(world.users["community"])
    assert c.get(reverse("pick", args=["contract"]), {"q": ""}).json()["results"] == []


def test_amounts_read_with_thousands_grouped():
    from decimal import Decimal

    from quarterhour.platform.web.templatetags.labels import yuan

    assert yuan(Decimal("1738345.6")) == "1,738,345.60"
    assert yuan(Decimal("0")) == "0.00" and yuan(Decimal("-1234.5")) == "-1,234.50"
    assert yuan(1500.5) == "1,500.50"
    assert yuan(None) == "—" and yuan("不详") == "不详"  # none, or not a number: as it is
