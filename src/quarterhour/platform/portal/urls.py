from django.urls import path

from quarterhour.platform.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.near, name="near"),
    path("near.json", views.near_json, name="near_json"),
    path("route.json", views.route_json, name="route_json"),
    path("network.json", views.network_json, name="network_json"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("providers/<int:pk>/", views.provider, name="provider"),
    path("communities/", views.communities, name="communities"),
    path("communities/<int:pk>/", views.community, name="community"),
    path("communities/<int:pk>/card/", views.card, name="card"),
    path("communities/<int:pk>/card.pdf", views.card_pdf, name="card_pdf"),
    path("communities/<int:pk>/handbook/", views.handbook, name="handbook"),
    path("communities/<int:pk>/handbook.pdf", views.handbook_pdf, name="handbook_pdf"),
]
