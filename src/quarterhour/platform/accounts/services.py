"""Accounts written through services: a resident signs up (the account and its resident
membership, recorded with who and why)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from quarterhour.platform.accounts.models import Membership, Role, User
from quarterhour.platform.core.errors import Invalid, Issue
from quarterhour.platform.core.recording import save_audited


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
        issues += [Issue("password_invalid", m, field="password1") for m in exc.messages]
    if User.objects.filter(username__iexact=username).exists():
        issues.append(Issue("username_taken", _("该用户名已被使用，请换一个"), field="username"))
    if issues:
        raise Invalid("sign_up_invalid", _("注册信息有误"), issues)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    save_audited(
        Membership(user=user, role=Role.RESIDENT), actor=user, reason=str(_("居民自行注册"))
    )
    return user
