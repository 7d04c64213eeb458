"""账号与权限 · Accounts and roles: city, district and street staff list the accounts of their
jurisdiction (search by name), open a new staff member's account with its first role, grant a
role in a unit picked by name, remove a role, and close or reopen an account, each with the
reason they type. Every change goes through :mod:`.services` (permission check, audited); a
refusal is said in words on the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.accounts import selectors, services
from quarterhour.platform.accounts.error_codes import AccountsError as E
from quarterhour.platform.accounts.models import Membership, Role, User
from quarterhour.platform.accounts.permissions import (
    ADMIN_ROLES,
    LEVEL,
    can_administer_accounts,
    may_hold,
)
from quarterhour.platform.accounts.picking import UNIT_KINDS
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.access import memberships
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.core.picking import picked

#: accounts shown on one list page (narrow the search for more)
LIST_LIMIT = 100
#: history entries shown on an account's page
HISTORY_LIMIT = 30


def _guard(request: HttpRequest) -> None:
    if not can_administer_accounts(request.user):
        raise PermissionRefused(
            E.PERMISSION_DENIED, _("只有市、区县、街道工作人员可以管理账号与权限")
        )


def _grantable_roles(actor: Any) -> list[tuple[str, str]]:
    """The roles ``actor`` may grant somewhere: its own level and below."""
    top = min((LEVEL[Role(m.role)] for m in memberships(actor) if m.role in ADMIN_ROLES), default=9)
    return [
        (value, str(label))
        for value, label in Role.choices
        if LEVEL[Role(value)] >= top and (value != Role.RESIDENT or top == 0)
    ]


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    search = pages.text(request.GET, "q")[: selectors.SEARCH_MAX_CHARS]
    rows = selectors.users_administered(request.user, search=search)
    shown = list(rows[: LIST_LIMIT + 1])
    return render(
        request,
        "accounts/staff_list.html",
        {
            "users": shown[:LIST_LIMIT],
            "more": len(shown) > LIST_LIMIT,
            "limit": LIST_LIMIT,
            "q": search,
        },
    )


def _managed(request: HttpRequest, pk: int) -> User | None:
    """The account ``pk`` when the actor manages it; None (and a message) otherwise — the same
    answer for an unknown account and one outside the jurisdiction."""
    user = selectors.users_administered(request.user).filter(pk=pk).first()
    if user is None:
        messages.error(request, _("没有找到该账号，或该账号不在您的管辖范围内"))
    return user


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of an account's history: when, who, what (in words), why."""

    when: datetime
    who: str
    what: str
    why: str


def _account_change(rec: Any, prev: Any) -> str:
    if rec.history_type == "+":
        return _("开户")
    if prev is not None and rec.is_active != prev.is_active:
        return _("账号启用") if rec.is_active else _("账号停用")
    return _("账号资料修改")


def _role_change(rec: Any) -> str:
    what = {"+": _("授予"), "-": _("撤销")}.get(rec.history_type, _("修改"))
    return f"{what} {rec.instance}"


def _history(user: User) -> list[Entry]:
    """Who changed the account or its roles, when and why (newest first)."""
    accounts = list(
        user.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_LIMIT + 1
        ]
    )
    # each account record beside the one before it (to tell an opening or closing from an edit)
    out = [
        Entry(
            rec.history_date,
            str(rec.history_user or "—"),
            _account_change(rec, prev),
            rec.history_change_reason or "—",
        )
        for rec, prev in zip(accounts[:HISTORY_LIMIT], [*accounts[1:], None], strict=False)
    ]
    roles = (
        Membership.history.filter(user_id=user.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    out += [
        Entry(
            rec.history_date,
            str(rec.history_user or "—"),
            _role_change(rec),
            rec.history_change_reason or "—",
        )
        for rec in roles
    ]
    out.sort(key=lambda e: e.when, reverse=True)
    return out[:HISTORY_LIMIT]


def _user_page(
    request: HttpRequest, user: User, *, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    roles = [(m, may_hold(request.user, m)) for m in user.memberships.all()]
    return render(
        request,
        "accounts/staff_user.html",
        {
            "account": user,
            "roles": roles,
            "role_choices": _grantable_roles(request.user),
            "unit_kinds": UNIT_KINDS,
            "history": _history(user),
            "errors": errors or {},
            "data": request.POST if errors else None,
            "is_self": user.pk == request.user.pk,
        },
        status=422 if errors else 200,
    )


@login_required
def staff_user(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    user = _managed(request, pk)
    if user is None:
        return redirect("accounts:staff")
    return _user_page(request, user)


def _write(
    request: HttpRequest, user: User, call: Callable[[], Any], *, success: str
) -> HttpResponse:
    """Run one service call: success → back to the account's page with a message; bad input →
    the page again with each problem beside its field; a refusal → said in words on the page."""
    try:
        call()
    except Invalid as exc:
        return _user_page(request, user, errors=pages.errors_of(exc))
    except PermissionRefused as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    if selectors.users_administered(request.user).filter(pk=user.pk).exists():
        return redirect("accounts:staff_user", pk=user.pk)
    return redirect("accounts:staff")


def _unit_picked(request: HttpRequest, role: str) -> dict[str, Any]:
    """The unit the form's picker chose for ``role`` (as the service's keyword: ``street=…``);
    none for a role without a unit. Raises Invalid when none was chosen from the offer."""
    unit = services.SCOPE_OF_ROLE.get(role)
    if unit is None:
        return {}
    return {unit: picked(request.POST, unit, kind_name=UNIT_KINDS[unit], user=request.user)}


@login_required
@require_POST
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    user = _managed(request, pk)
    if user is None:
        return redirect("accounts:staff")
    d = request.POST
    role = pages.text(d, "role")

    def call() -> None:
        services.grant_membership(
            actor=request.user,
            user=user,
            role=role,
            reason=pages.text(d, "reason"),
            **_unit_picked(request, role),
        )

    return _write(request, user, call, success=_("已授予职责"))


@login_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    user = _managed(request, pk)
    if user is None:
        return redirect("accounts:staff")
    active = pages.flag(request.POST, "active")
    return _write(
        request,
        user,
        lambda: services.set_active(
            actor=request.user, user=user, active=active, reason=pages.text(request.POST, "reason")
        ),
        success=_("账号已启用") if active else _("账号已停用，该用户将无法登录"),
    )


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    _guard(request)
    user = _managed(request, pk)
    if user is None:
        return redirect("accounts:staff")
    membership = user.memberships.filter(pk=membership_pk).first()
    if membership is None:
        messages.error(request, _("没有找到该职责，可能已被撤销"))
        return redirect("accounts:staff_user", pk=user.pk)
    return _write(
        request,
        user,
        lambda: services.remove_membership(
            actor=request.user, membership=membership, reason=pages.text(request.POST, "reason")
        ),
        success=_("已撤销职责“%(m)s”") % {"m": membership},
    )


def _new_page(request: HttpRequest, *, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    return render(
        request,
        "accounts/staff_new.html",
        {
            "role_choices": [c for c in _grantable_roles(request.user) if c[0] != Role.RESIDENT],
            "unit_kinds": UNIT_KINDS,
            "errors": errors or {},
            "data": request.POST if errors else None,
        },
        status=422 if errors else 200,
    )


@login_required
def staff_new(request: HttpRequest) -> HttpResponse:
    """开设工作人员账号: a new colleague's account with its first role, in a unit picked by name
    from the actor's jurisdiction; the initial password is told to the person, who changes it."""
    _guard(request)
    if request.method != "POST":
        return _new_page(request)
    d = request.POST
    role = pages.text(d, "role")
    if pages.text(d, "password1") != pages.text(d, "password2"):
        return _new_page(request, errors={"password2": [_("两次输入的密码不一致")]})
    try:
        user = services.open_staff_account(
            actor=request.user,
            username=pages.text(d, "username")[:150],
            display_name=pages.text(d, "display_name")[:64],
            phone=pages.text(d, "phone")[:32],
            password=pages.text(d, "password1")[:128],
            role=role,
            reason=pages.text(d, "reason"),
            **_unit_picked(request, role),
        )
    except Invalid as exc:
        return _new_page(request, errors=pages.errors_of(exc))
    except PermissionRefused as exc:
        messages.error(request, str(exc.message))
        return _new_page(request)
    messages.success(
        request,
        _("账号“%(u)s”已开设。请把用户名和初始密码当面告知本人，并提醒其登录后修改密码。")
        % {"u": user.username},
    )
    return redirect("accounts:staff_user", pk=user.pk)
