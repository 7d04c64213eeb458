"""Accounts written through services, each recorded with who, when and why: a resident signs
up (the account and its resident membership); city staff, and district and street staff inside
their jurisdiction (:mod:`.permissions`), open a staff member's account with its first role,
activate or deactivate an account and grant or remove a role, giving the reason each time."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from quarterhour.platform.accounts.error_codes import AccountsError as E
from quarterhour.platform.accounts.models import Membership, Role, User
from quarterhour.platform.accounts.permissions import can_administer_accounts, may_hold
from quarterhour.platform.accounts.selectors import manages
from quarterhour.platform.core import text
from quarterhour.platform.core.access import forget_memberships
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.core.recording import REASON_MAX_CHARS, delete_audited, save_audited

#: the unit each role is granted in (None: the role has no unit)
SCOPE_OF_ROLE: dict[str, str | None] = {
    Role.CITY: None,
    Role.RESIDENT: None,
    Role.DISTRICT: "district",
    Role.STREET: "street",
    Role.COMMUNITY: "community",
    Role.PROVIDER: "provider",
}


def _refuse(message: str) -> PermissionRefused:
    return PermissionRefused(E.PERMISSION_DENIED, message)


def _administrator(actor: Any) -> None:
    if not can_administer_accounts(actor):
        raise _refuse(_("只有市、区县、街道工作人员可以管理账号"))


def _outside() -> PermissionRefused:
    return _refuse(_("该账号不在您的管辖范围内：它有您辖区以外或更高层级的职责"))


def _bad(code: str, message: str, field: str) -> Invalid:
    return Invalid(code, message, [Issue(code, message, field=field)])


def _need_reason(reason: str) -> None:
    if text.has_control(reason):
        issue = text.control_issue("reason")
        raise Invalid(issue.code, issue.message, [issue])
    if not reason.strip():
        raise _bad(E.REASON_REQUIRED, _("请填写原因"), "reason")
    if len(reason.strip()) > REASON_MAX_CHARS:
        message = _("原因请不超过 %(n)d 个字") % {"n": REASON_MAX_CHARS}
        raise _bad(E.REASON_TOO_LONG, message, "reason")


@transaction.atomic
def set_active(*, actor: Any, user: User, active: bool, reason: str) -> User:
    """Open or close an account (a closed one cannot log in; its history stays)."""
    _administrator(actor)
    if not manages(actor, user):
        raise _outside()
    _need_reason(reason)
    if not active and user.pk == getattr(actor, "pk", None):
        raise _bad(E.SELF, _("不能停用自己的账号"), "active")
    user.is_active = active
    save_audited(user, actor=actor, reason=reason.strip(), exclude=["password"])
    return user


def _membership(actor: Any, user: User, role: str, scope: dict[str, Any]) -> Membership:
    """The role ``role`` for ``user`` in the unit of ``scope``, checked: a known role, exactly its
    unit, and one the actor may grant (its own level or below, inside its jurisdiction)."""
    if role not in SCOPE_OF_ROLE:
        raise _bad(E.ROLE_INVALID, _("请选择角色"), "role")
    unit = SCOPE_OF_ROLE[role]
    scope = {k: v for k, v in scope.items() if v is not None}
    if unit is not None and unit not in scope:
        raise _bad(E.UNIT_REQUIRED, _("请选择该角色所属的单位"), unit)
    extra = sorted(set(scope) - {unit})
    if extra:
        raise _bad(E.UNIT_NOT_FOR_ROLE, _("该角色不属于所选单位"), extra[0])
    membership = Membership(user=user, role=role, **scope)
    if not may_hold(actor, membership):
        raise _refuse(_("您不能授予该职责：只能在本辖区内授予本级或下级的职责"))
    return membership


@transaction.atomic
def grant_membership(*, actor: Any, user: User, role: str, reason: str, **scope: Any) -> Membership:
    """Give ``user`` a role in a unit (``district=``/``street=``/``community=``/``provider=``):
    a role the actor holds the same or a higher level of, inside the actor's jurisdiction."""
    _administrator(actor)
    membership = _membership(actor, user, role, scope)
    if not manages(actor, user):
        if user.memberships.exists():
            raise _outside()
        raise _refuse(_("该账号尚无职责，请由市级工作人员先授予"))
    _need_reason(reason)
    if Membership.objects.filter(user=user, role=role, **scope).exists():
        raise _bad(E.MEMBERSHIP_EXISTS, _("该用户已有此职责"), "role")
    save_audited(membership, actor=actor, reason=reason.strip())
    forget_memberships(user)
    return membership


def _new_account_issues(user: User, password: str) -> list[Issue]:
    """What is wrong with a new account's user name and password (Django's validators, checked
    against the name and user name too); empty when nothing is."""
    issues: list[Issue] = []
    try:
        validate_password(password, user)
    except ValidationError as exc:
        issues += [Issue(E.PASSWORD_INVALID, m, field="password1") for m in exc.messages]
    if User.objects.filter(username__iexact=user.username).exists():
        issues.append(Issue(E.USERNAME_TAKEN, _("该用户名已被使用，请换一个"), field="username"))
    return issues


@transaction.atomic
def open_staff_account(
    *,
    actor: Any,
    username: str,
    display_name: str,
    phone: str,
    password: str,
    role: str,
    reason: str,
    **scope: Any,
) -> User:
    """A new staff member's account with its first role, opened by a city, district or street
    officer (a community clerk by their street, say): the role is one the actor may grant, in a
    unit of the actor's jurisdiction; the account and the role are written together, each with
    the actor and the reason, or nothing is. Residents sign up themselves."""
    _administrator(actor)
    if role == Role.RESIDENT:
        raise _bad(E.ROLE_INVALID, _("居民请自行注册，这里只开设工作人员账号"), "role")
    user = User(username=username.strip(), display_name=display_name.strip(), phone=phone.strip())
    membership = _membership(actor, user, role, scope)
    _need_reason(reason)
    issues = _new_account_issues(user, password)
    if not user.username:
        issues.append(Issue(E.USERNAME_REQUIRED, _("请填写用户名"), field="username"))
    if issues:
        raise Invalid(E.SIGN_UP_INVALID, _("账号信息有误"), issues)
    user.set_password(password)
    save_audited(user, actor=actor, reason=reason.strip(), exclude=["password"])
    membership.user = user
    save_audited(membership, actor=actor, reason=reason.strip())
    return user


@transaction.atomic
def remove_membership(*, actor: Any, membership: Membership, reason: str) -> None:
    """Take a role away: one the actor could have granted."""
    _administrator(actor)
    if not may_hold(actor, membership):
        raise _refuse(_("您不能撤销该职责：它在您的辖区以外或层级高于您"))
    _need_reason(reason)
    delete_audited(membership, actor=actor, reason=reason.strip())
    forget_memberships(membership.user)


@transaction.atomic
def sign_up_resident(*, username: str, display_name: str, phone: str, password: str) -> User:
    """A new resident account: checks the password with Django's validators (against the name
    and user name too) and that the user name is free, then writes the user and the resident
    membership (its history names the new user as the actor). Nothing is written on a refusal."""
    user = User(username=username, display_name=display_name, phone=phone)
    issues = _new_account_issues(user, password)
    if issues:
        raise Invalid(E.SIGN_UP_INVALID, _("注册信息有误"), issues)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user._history_user = user  # type: ignore[attr-defined]  # the history names the new user
    user._change_reason = str(_("居民自行注册"))  # type: ignore[attr-defined]
    user.save()
    save_audited(
        Membership(user=user, role=Role.RESIDENT), actor=user, reason=str(_("居民自行注册"))
    )
    return user
