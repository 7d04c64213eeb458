from django.urls import path

from quarterhour.platform.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("act", views.act, name="act"),
    path("public/", views.public, name="public"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/answer", views.answer, name="answer"),
]
