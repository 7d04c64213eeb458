from django.urls import path

from quarterhour.platform.web import imports, views

app_name = "web"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("communities/", views.community_list, name="communities"),
    path("circles/", views.circle_list, name="circles"),
    path("circles/<int:pk>/", views.circle_detail, name="circle"),
    path("assessments/", views.assessments, name="assessments"),
    path("imports/", imports.imports, name="imports"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/progress", views.assessment_progress, name="assessment_progress"),
]
