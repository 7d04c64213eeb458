"""Account pages: log in (each role lands on its own home), sign up as a resident, change one's
password, and a resident's home (我的: what concerns them, with links to do it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from quarterhour.platform.accounts import services
from quarterhour.platform.accounts.forms import SignUpForm
from quarterhour.platform.accounts.homes import home_url
from quarterhour.platform.core import todos
from quarterhour.platform.core.access import can_use_staff_pages, memberships
from quarterhour.platform.core.errors import Invalid

#: the backend a freshly signed-up resident is logged in with
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginView(auth_views.LoginView):
    """Django's login (throttled by django-axes); without a ``next``, to the person's home."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return home_url(self.request.user)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any logged-in person changes their password (old one, new one twice; Django's
    validators); the session stays logged in."""

    template_name = "accounts/password.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改，下次请用新密码登录"))
        return response

    def get_success_url(self) -> str:
        return home_url(self.request.user)


@sensitive_post_parameters("password1", "password2")
def sign_up(request: HttpRequest) -> HttpResponse:
    """A resident creates an account (name, user name, mobile phone, password) and is logged in."""
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.sign_up_resident(
                username=d["username"],
                display_name=d["display_name"],
                phone=d["phone"],
                password=d["password1"],
            )
        except Invalid as exc:
            for issue in exc.issues:
                form.add_error(
                    issue.field if issue.field in form.fields else None, str(issue.message)
                )
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, _("注册成功，欢迎使用一刻钟社区服务圈"))
            return redirect("accounts:mine")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的: a resident's requests (owner, deadline), bookings, volunteering and hours,
    notifications, open surveys, and the way to change the password."""
    if can_use_staff_pages(request.user):
        return redirect("web:home")
    found = todos.todos_for(request.user)
    return render(
        request,
        "accounts/mine.html",
        {
            "sections": todos.by_section(found),
            "n_overdue": sum(1 for t in found if t.overdue),
            "memberships": memberships(request.user),
        },
    )
