"""Record funds and service-purchase contracts (permission, validation, audited write)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.certification.selectors import is_certified, is_disqualified
from quarterhour.platform.core.errors import Issue, Refusal, raise_if_any
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.funding import permissions as perm
from quarterhour.platform.funding.error_codes import FundingError as E
from quarterhour.platform.funding.models import Contract, Fund, Source, Use
from quarterhour.platform.geography.models import Circle, Street

DONATIONS = frozenset({Source.DONATION_UNIT, Source.DONATION_ORG, Source.DONATION_PERSON})


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权登记该街道的经费"))


MAX_AMOUNT = Decimal(10) ** 12


def _amount(value: Any, issues: list[Issue]) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
    # the column holds 14 digits, 2 after the point: 1e30 is refused before quantize overflows
    if (
        not amount.is_finite()
        or amount <= 0
        or amount >= MAX_AMOUNT
        or amount != amount.quantize(Decimal("0.01"))
    ):
        issues.append(
            Issue(E.AMOUNT_INVALID, _("金额须为正数，最多两位小数（元）"), field="amount")
        )
    return amount


@transaction.atomic
def record_contract(
    *,
    actor: Any,
    street: Street,
    provider: Provider,
    number: str,
    title: str,
    amount: Any,
    signed_on: dt.date,
    starts_on: dt.date,
    ends_on: dt.date,
) -> Contract:
    if not perm.can_record_funds(actor, street):
        raise _refuse()
    issues: list[Issue] = []
    value = _amount(amount, issues)
    if not is_disqualified(provider) and not is_certified(provider):
        issues.append(
            Issue(
                E.PROVIDER_NOT_CERTIFIED,
                _(
                    "%(p)s 不是在认证期内的签约服务商（未认证、暂停或已取消资格），"
                    "不能签订购买服务合同"
                )
                % {"p": provider.name},
                field="provider",
            )
        )
    if ends_on < starts_on:
        issues.append(Issue(E.DATES_INVALID, _("结束日期不能早于开始日期"), field="ends_on"))
    if is_disqualified(provider):
        issues.append(
            Issue(
                E.PROVIDER_DISQUALIFIED,
                _("%(p)s 已被取消认证资格，不能签订新的服务购买合同") % {"p": provider.name},
                field="provider",
            )
        )
    if Contract.objects.filter(number=number.strip()).exists():
        issues.append(Issue(E.NUMBER_TAKEN, _("合同编号已存在"), field="number"))
    if not number.strip() or not title.strip():
        issues.append(Issue(E.FIELD_INVALID, _("必须填写合同编号和内容"), field="number"))
    raise_if_any(issues)
    contract = Contract(
        street=street,
        provider=provider,
        number=number.strip(),
        title=title.strip(),
        amount=value,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    save_audited(contract, actor=actor)
    return contract


@transaction.atomic
def record_fund(
    *,
    actor: Any,
    street: Street,
    year: int,
    source: str,
    use: str,
    amount: Any,
    circle: Circle | None = None,
    donor: str = "",
    contract: Contract | None = None,
    note: str = "",
) -> Fund:
    """One line of funding: a street's (or one of its circles') money of a year, by source and
    use. Donations name the donor; service purchases name their contract."""
    if not perm.can_record_funds(actor, street):
        raise _refuse()
    issues: list[Issue] = []
    value = _amount(amount, issues)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        issues.append(Issue(E.YEAR_INVALID, _("年度须在 2000 到 2100 之间"), field="year"))
    if source not in Source.values:
        issues.append(Issue(E.FIELD_INVALID, _("请选择来源"), field="source"))
    if use not in Use.values:
        issues.append(Issue(E.FIELD_INVALID, _("请选择用途"), field="use"))
    if circle is not None and circle.street_id != street.pk:
        issues.append(Issue(E.CIRCLE_NOT_IN_STREET, _("服务圈不属于该街道"), field="circle"))
    if source in DONATIONS and not donor.strip():
        issues.append(Issue(E.DONOR_REQUIRED, _("捐赠须写明捐赠方"), field="donor"))
    if source == Source.PURCHASE and contract is None:
        issues.append(Issue(E.CONTRACT_REQUIRED, _("购买服务须关联合同"), field="contract"))
    if contract is not None and contract.street_id != street.pk:
        issues.append(Issue(E.CONTRACT_MISMATCH, _("合同不属于该街道"), field="contract"))
    raise_if_any(issues)
    fund = Fund(
        street=street,
        circle=circle,
        year=year,
        source=source,
        use=use,
        amount=value,
        donor=donor.strip(),
        contract=contract,
        note=note,
        recorded_by=actor,
    )
    save_audited(fund, actor=actor)
    return fund
