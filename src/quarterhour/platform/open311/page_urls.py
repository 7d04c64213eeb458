from django.urls import path

from quarterhour.platform.open311 import pages

app_name = "partners"
urlpatterns = [
    path("keys/", pages.key_list, name="keys"),
    path("keys/<int:pk>/<slug:action>", pages.key_action, name="key_action"),
]
