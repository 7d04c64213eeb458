"""URL map: the residents' portal at ``/`` (its old ``/portal/…`` addresses redirect), staff
pages, admin, login, language switch, health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from quarterhour.platform.portal import views as portal_views
from quarterhour.platform.web import views

admin.site.site_header = "一刻钟社区服务圈 · 管理后台"
admin.site.site_title = "一刻钟社区服务圈"
admin.site.index_title = "登记簿管理"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="web/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/hsds/", include("quarterhour.platform.hsds.urls")),
    re_path(r"^portal/(?P<rest>.*)$", portal_views.moved, name="portal_moved"),
    path("notifications/", include("quarterhour.platform.notifications.urls")),
    path("api/open311/v2/", include("quarterhour.platform.open311.urls")),
    path("requests/", include("quarterhour.platform.requests.urls")),
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
