from django.urls import path

from quarterhour.platform.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("near/", views.near, name="near"),
    path("near.json", views.near_json, name="near_json"),
    path("route.json", views.route_json, name="route_json"),
    path("network.json", views.network_json, name="network_json"),
    path("card/", views.place_card, name="place_card"),
    path("card.pdf", views.place_card_pdf, name="place_card_pdf"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("providers/<int:pk>/", views.provider, name="provider"),
    path("community/", views.communities, name="communities"),
    path("community/<int:pk>/", views.community, name="community"),
    path("community/<int:pk>/card/", views.card, name="card"),
    path("community/<int:pk>/card.pdf", views.card_pdf, name="card_pdf"),
    path("community/<int:pk>/handbook/", views.handbook, name="handbook"),
    path("community/<int:pk>/handbook.pdf", views.handbook_pdf, name="handbook_pdf"),
]
