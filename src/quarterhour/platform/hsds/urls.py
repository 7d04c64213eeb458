from django.urls import path

from quarterhour.platform.hsds import views

app_name = "hsds"
urlpatterns = [
    path("", views.root, name="root"),
    path("openapi.json", views.openapi, name="openapi"),
    path("services", views.service_list, name="services"),
    path("services/<str:id>", views.service_detail, name="service"),
    path("organizations", views.organization_list, name="organizations"),
    path("organizations/<str:id>", views.organization_detail, name="organization"),
    path("service_at_locations", views.sal_list, name="service_at_locations"),
    path("service_at_locations/<str:id>", views.sal_detail, name="service_at_location"),
    path("taxonomies", views.taxonomy_list, name="taxonomies"),
    path("taxonomies/<str:id>", views.taxonomy_detail, name="taxonomy"),
    path("taxonomy_terms", views.term_list, name="taxonomy_terms"),
    path("taxonomy_terms/<str:id>", views.term_detail, name="taxonomy_term"),
]
