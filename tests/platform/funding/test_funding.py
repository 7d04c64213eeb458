"""Funding: funds by source and use, service-purchase contracts linked to providers, the district
roll-up and its XLSX export (read back with openpyxl), bad input, permissions per role."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.funding import selectors, services
from quarterhour.platform.funding.export import rollup_xlsx
from quarterhour.platform.funding.models import Contract, Fund
from tests.platform.certified import certify
from tests.platform.funding.helpers import contract
from tests.platform.helpers import permission_cases


def fund(w: Any, source: str, use: str, amount: str, *, street: Any = None, **kw: Any) -> Fund:
    return services.record_fund(
        actor=w.users["city"] if street is not None else w.users["street"],
        street=street or w.A1,
        year=kw.pop("year", 2026),
        source=source,
        use=use,
        amount=amount,
        **kw,
    )


def test_rollup_by_source_use_and_street_and_its_xlsx(world):
    c = contract(world)
    fund(world, "fiscal", "facilities", "500000.00", circle=world.cA1)
    fund(world, "fiscal", "staff", "200000.50")
    fund(world, "purchase", "operations", "120000.00", contract=c)
    fund(world, "don_unit", "facilities", "30000", donor="第一中学")
    fund(world, "self", "information", "8000", street=world.A2)
    fund(world, "fiscal", "staff", "999", street=world.B1)  # other district
    fund(world, "fiscal", "staff", "777", year=2025)  # other year
    r = selectors.rollup(world.A, 2026)
    assert r.total == Decimal("858000.50")
    assert r.by_street == {"西长安街街道": Decimal("850000.50"), "新街口街道": Decimal("8000.00")}
    assert r.by_source == {
        "fiscal": Decimal("700000.50"),
        "purchase": Decimal("120000.00"),
        "don_unit": Decimal("30000.00"),
        "self": Decimal("8000.00"),
    }
    assert r.by_use["facilities"] == Decimal("530000.00")
    assert [x.number for x in r.contracts] == ["XC-2026-001"]
    assert c.funds.get().amount == Decimal("120000.00")
    wb = load_workbook(io.BytesIO(rollup_xlsx(r)))
    assert wb.sheetnames == ["来源 Sources", "用途 Uses", "合同 Contracts"]
    ws = wb["来源 Sources"]
    header = [c.value for c in ws[2]]
    assert (
        header[0] == "街道 Street" and header[1] == "财政保障 fiscal" and header[-1] == "合计 Total"
    )
    rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["西长安街街道"][1] == 700000.5 and rows["西长安街街道"][-1] == 850000.5
    assert rows["合计 Total"][-1] == 858000.5
    uses = {row[0]: row for row in wb["用途 Uses"].iter_rows(min_row=2, values_only=True)}
    assert uses["合计 Total"][1] == 530000.0
    contracts = list(wb["合同 Contracts"].iter_rows(min_row=2, values_only=True))
    assert contracts[0][:5] == (
        "XC-2026-001",
        "西长安街街道",
        "长安便民服务社",
        "居家养老上门服务",
        120000.0,
    )


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"amount": "-5"}, "funding_amount_invalid"),
        ({"amount": "1.234"}, "funding_amount_invalid"),
        ({"amount": "abc"}, "funding_amount_invalid"),
        ({"year": 1999}, "funding_year_invalid"),
        ({"source": "don_person"}, "funding_donor_required"),
        ({"source": "purchase"}, "funding_contract_required"),
        ({"source": "lottery"}, "field_invalid"),
    ],
)
def test_bad_funds_are_refused_and_nothing_stored(world, kw, code):
    args = {"source": "fiscal", "use": "staff", "amount": "100"}
    args.update(kw)
    with pytest.raises(Invalid) as exc:
        fund(world, args.pop("source"), args.pop("use"), args.pop("amount"), **args)
    assert exc.value.code == code
    assert Fund.objects.count() == 0 and Fund.history.count() == 0


def test_circle_and_contract_must_belong_to_the_street(world):
    other = contract(world, street=world.B1, provider=world.pB1, number="DC-1")
    with pytest.raises(Invalid) as exc:
        fund(world, "purchase", "operations", "100", circle=world.cB1, contract=other)
    assert [i.code for i in exc.value.issues] == [
        "funding_circle_not_in_street",
        "funding_contract_mismatch",
    ]
    with pytest.raises(Invalid) as exc:
        contract(world, number="DC-1")
    assert exc.value.code == "funding_contract_number_taken"


def test_a_disqualified_provider_takes_no_new_contract(world):
    from quarterhour.platform.certification import services as cert_services
    from tests.platform.certification.helpers import certified

    cert = certified(world)
    contract(world, number="DC-7")  # certified: a contract is fine
    cert_services.disqualify(actor=world.users["street"], certification=cert, reason="投诉属实")
    with pytest.raises(Invalid) as exc:
        contract(world, number="DC-8")
    assert exc.value.code == "funding_provider_disqualified"
    assert "已被取消认证资格" in str(exc.value.message)


# fmt: off
EXPECTED = {
    #              city  district street community provider resident superuser
    "record":     ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "contract":   ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
}
# fmt: on


@pytest.mark.parametrize(("action", "role", "side", "allowed"), permission_cases(EXPECTED))
def test_funding_permission(world, action, role, side, allowed):
    street = world.A1 if side == "own" else world.B1
    user = world.users[role]

    certify(world.pA1)

    def call() -> Any:
        if action == "record":
            return services.record_fund(
                actor=user, street=street, year=2026, source="fiscal", use="staff", amount="1"
            )
        return services.record_contract(
            actor=user,
            street=street,
            provider=world.pA1,
            number="N-1",
            title="t",
            amount="1",
            signed_on=dt.date(2026, 1, 1),
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )

    before = (Fund.objects.count(), Contract.objects.count())
    if allowed:
        call()
        assert before != (Fund.objects.count(), Contract.objects.count())
    else:
        with pytest.raises(PermissionRefused):
            call()
        assert before == (Fund.objects.count(), Contract.objects.count())


def test_scoped_lists(world):
    fund(world, "fiscal", "staff", "1")
    fund(world, "fiscal", "staff", "2", street=world.B1)
    assert [f.amount for f in selectors.funds_visible(world.users["street"])] == [Decimal("1.00")]
    assert selectors.funds_visible(world.users["city"]).count() == 2
    assert selectors.funds_visible(world.users["community"]).count() == 0
    assert selectors.funds_visible(world.users["resident"]).count() == 0


@pytest.mark.parametrize("state", [None, "disqualified", "suspended"])
def test_contract_only_with_a_provider_certified_now(world, state):
    """A service-purchase contract goes to a certified provider: one never certified, or whose
    certification was withdrawn for cause or suspended, is refused by name and nothing stored."""
    if state is not None:
        certify(world.pB1, state=state)
    with pytest.raises(Invalid) as exc:
        services.record_contract(
            actor=world.users["city"],
            street=world.B1,
            provider=world.pB1,
            number="NC-1",
            title="居家养老上门服务",
            amount="1000",
            signed_on=dt.date(2026, 1, 1),
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )
    expected = "disqualified" if state == "disqualified" else "not_certified"
    assert exc.value.code == f"funding_provider_{expected}"
    assert exc.value.issues[0].field == "provider" and world.pB1.name in str(exc.value.message)
    assert Contract.objects.count() == 0 and Contract.history.count() == 0
