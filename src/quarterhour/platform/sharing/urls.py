from django.urls import path

from quarterhour.platform.sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.offer_list, name="list"),
    path("new", views.offer_new, name="new"),
    path("units/new", views.unit_new, name="unit_new"),
    path("<int:pk>/", views.offer_detail, name="detail"),
    path("<int:pk>/book", views.book, name="book"),
    path("<int:pk>/withdraw", views.withdraw, name="withdraw"),
    path("bookings/", views.my_bookings, name="mine"),
    path("bookings/<int:pk>/cancel", views.cancel, name="cancel"),
]
