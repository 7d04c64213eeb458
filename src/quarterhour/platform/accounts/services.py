"""Accounts written through services, each recorded with who, when and why: a resident signs
up (the account and its resident membership); city staff activate or deactivate an account and
grant or remove a role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from quarterhour.platform.accounts.error_codes import AccountsError as E
from quarterhour.platform.accounts.models import Membership, Role, User
from quarterhour.platform.accounts.permissions import can_manage_users
from quarterhour.platform.core.access import forget_memberships
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.core.recording import delete_audited, save_audited


def _city_only(actor: Any) -> None:
    if not can_manage_users(actor):
        raise PermissionRefused(E.PERMISSION_DENIED, _("只有市级工作人员可以管理账号"))


def _need_reason(reason: str) -> None:
    if not reason.strip():
        message = _("请填写原因")
        issue = Issue(E.REASON_REQUIRED, message, field="reason")
        raise Invalid(E.REASON_REQUIRED, message, [issue])


@transaction.atomic
def set_active(*, actor: Any, user: User, active: bool, reason: str) -> User:
    """Open or close an account (a closed one cannot log in; its history stays)."""
    _city_only(actor)
    _need_reason(reason)
    user.is_active = active
    save_audited(user, actor=actor, reason=reason, exclude=["password"])
    return user


@transaction.atomic
def grant_membership(*, actor: Any, user: User, role: str, reason: str, **scope: Any) -> Membership:
    """Give ``user`` a role in a unit (``district=``/``street=``/``community=``/``provider=``)."""
    _city_only(actor)
    _need_reason(reason)
    membership = Membership(user=user, role=role, **scope)
    save_audited(membership, actor=actor, reason=reason)
    forget_memberships(user)
    return membership


@transaction.atomic
def remove_membership(*, actor: Any, membership: Membership, reason: str) -> None:
    _city_only(actor)
    _need_reason(reason)
    delete_audited(membership, actor=actor, reason=reason)
    forget_memberships(membership.user)


@transaction.atomic
def sign_up_resident(*, username: str, display_name: str, phone: str, password: str) -> User:
    """A new resident account: checks the password with Django's validators (against the name
    and user name too) and that the user name is free, then writes the user and the resident
    membership (its history names the new user as the actor). Nothing is written on a refusal."""
    user = User(username=username, display_name=display_name, phone=phone)
    issues: list[Issue] = []
    try:
        validate_password(password, user)
    except ValidationError as exc:
        issues += [Issue(E.PASSWORD_INVALID, m, field="password1") for m in exc.messages]
    if User.objects.filter(username__iexact=username).exists():
        issues.append(Issue(E.USERNAME_TAKEN, _("该用户名已被使用，请换一个"), field="username"))
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
