from django.urls import path

from quarterhour.platform.web import imports, views, whatif

app_name = "web"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("communities/", views.community_list, name="communities"),
    path("circles/", views.circle_list, name="circles"),
    path("targets/", views.targets, name="targets"),
    path("circles/<int:pk>/", views.circle_detail, name="circle"),
    path("circles/<int:pk>/whatif/", whatif.circle_whatif, name="circle_whatif"),
    path("circles/<int:pk>/whatif/compare/", whatif.scenario_compare, name="whatif_compare"),
    path("circles/<int:pk>/whatif/<int:sid>/act", whatif.scenario_action, name="whatif_action"),
    path(
        "circles/<int:pk>/whatif/<int:sid>.<str:fmt>", whatif.scenario_export, name="whatif_export"
    ),
    path("districts/<int:pk>/whatif/", whatif.district_whatif, name="district_whatif"),
    path(
        "districts/<int:pk>/whatif/compare/",
        whatif.district_compare,
        name="district_whatif_compare",
    ),
    path(
        "districts/<int:pk>/whatif/<int:sid>/act",
        whatif.district_scenario_action,
        name="district_whatif_action",
    ),
    path(
        "districts/<int:pk>/whatif/<int:sid>.<str:fmt>",
        whatif.district_export,
        name="district_whatif_export",
    ),
    path("assessments/", views.assessments, name="assessments"),
    path("imports/", imports.imports, name="imports"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/progress", views.assessment_progress, name="assessment_progress"),
]
