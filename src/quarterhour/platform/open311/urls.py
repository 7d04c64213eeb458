from django.urls import re_path

from quarterhour.platform.open311 import views

F = r"\.(?P<fmt>json|xml)$"
app_name = "open311"
urlpatterns = [
    re_path(r"^discovery" + F, views.discovery, name="discovery"),
    re_path(r"^services" + F, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + F, views.service_definition, name="service"),
    re_path(r"^requests" + F, views.requests_, name="requests"),
    re_path(r"^requests/(?P<pk>[^/]+?)" + F, views.request_one, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + F, views.token, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
