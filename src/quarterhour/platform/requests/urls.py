from django.urls import path

from quarterhour.platform.requests import setup_views, views

app_name = "requests"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("call/", views.call_new, name="call"),
    path("setup/", setup_views.setup, name="setup"),
    path("setup/categories/new/", setup_views.category, name="category_new"),
    path("setup/categories/<int:pk>/", setup_views.category, name="category"),
    path(
        "setup/categories/<int:pk>/districts/<int:district>/",
        setup_views.district_deadline,
        name="district_deadline",
    ),
    path("setup/calendar/", setup_views.calendar, name="calendar"),
    path("setup/calendar/<int:district>/", setup_views.calendar, name="calendar_district"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/<str:action>", views.request_action, name="action"),
]
