from django.urls import path

from quarterhour.platform.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("providers/<int:pk>/", views.provider_services, name="provider_services"),
    path("providers/<int:pk>/<int:service_pk>/stop", views.stop_service, name="stop_service"),
]
