"""The resident sign-up form: name, user name, mobile phone, password twice. The password rules
are Django's validators (settings.AUTH_PASSWORD_VALIDATORS), applied by the service."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

#: a mainland mobile number (11 digits starting 1[3-9]); spaces and dashes are dropped first
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class SignUpForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("登录时使用；可用字母、数字、汉字和 @ . + - _"),
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        help_text=_("只用于办理您的诉求和预约，仅经办人员可见"),
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if not MOBILE.match(phone):
            raise forms.ValidationError(_("请填写 11 位手机号码"))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data
