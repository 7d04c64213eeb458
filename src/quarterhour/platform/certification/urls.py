from django.urls import path

from quarterhour.platform.certification import views

app_name = "certification"
urlpatterns = [
    path("", views.cert_list, name="list"),
    path("mechanisms/", views.mechanisms, name="mechanisms"),
    path("<int:pk>/", views.cert_detail, name="detail"),
    path("<int:pk>/act", views.cert_act, name="act"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/object", views.object_to, name="object"),
    path("providers/<int:pk>/", views.provider_history, name="history"),
    path("providers/<int:provider_pk>/apply", views.apply_form, name="apply"),
]
