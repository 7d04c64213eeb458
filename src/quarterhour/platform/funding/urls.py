from django.urls import path

from quarterhour.platform.funding import views

app_name = "funding"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("record", views.record, name="record"),
    path("rollup/<int:district_pk>/<int:year>/", views.rollup, name="rollup"),
    path("rollup/<int:district_pk>/<int:year>.xlsx", views.rollup_export, name="export"),
]
