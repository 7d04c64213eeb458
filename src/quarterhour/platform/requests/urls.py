from django.urls import path

from quarterhour.platform.requests import views

app_name = "requests"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("call/", views.call_new, name="call"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/<str:action>", views.request_action, name="action"),
]
