"""URL map: the residents' portal at ``/`` (its old ``/portal/…`` addresses redirect), staff
pages, admin, accounts (login, sign-up, password, 我的), language switch, health check; the error
pages (web/errors.py)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from quarterhour.platform.accounts import views as account_views
from quarterhour.platform.core.views import pick
from quarterhour.platform.portal import views as portal_views
from quarterhour.platform.web import views
from quarterhour.platform.web.language import language_switch

admin.site.site_header = "一刻钟社区服务圈 · 管理后台"
admin.site.site_title = "一刻钟社区服务圈"
admin.site.index_title = "登记簿管理"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("pick/<slug:kind>.json", pick, name="pick"),
    # Django's set_language without the CSRF check (web/language.py)
    path("i18n/setlang/", language_switch, name="set_language"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("quarterhour.platform.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/hsds/", include("quarterhour.platform.hsds.urls")),
    re_path(r"^portal/(?P<rest>.*)$", portal_views.moved, name="portal_moved"),
    path("notifications/", include("quarterhour.platform.notifications.urls")),
    path("api/open311/v2/", include("quarterhour.platform.open311.urls")),
    path("partners/", include("quarterhour.platform.open311.page_urls")),
    path("requests/", include("quarterhour.platform.requests.urls")),
    path("services/", include("quarterhour.platform.catalogue.urls")),
    path("certification/", include("quarterhour.platform.certification.urls")),
    path("sharing/", include("quarterhour.platform.sharing.urls")),
    path("volunteers/", include("quarterhour.platform.volunteers.urls")),
    path("evaluation/", include("quarterhour.platform.evaluation.urls")),
    path("meetings/", include("quarterhour.platform.meetings.urls")),
    path("funding/", include("quarterhour.platform.funding.urls")),
    # the front door first: the residents' portal owns "/" (the staff pages' paths differ)
    path("", include("quarterhour.platform.portal.urls")),
    path("", include("quarterhour.platform.web.urls")),
]

handler400 = "quarterhour.platform.web.errors.bad_request"
handler403 = "quarterhour.platform.web.errors.permission_denied"
handler404 = "quarterhour.platform.web.errors.page_not_found"
handler500 = "quarterhour.platform.web.errors.server_error"
