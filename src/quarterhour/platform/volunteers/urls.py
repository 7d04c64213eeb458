from django.urls import path

from quarterhour.platform.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("register", views.register, name="register"),
    path("<int:pk>/decide", views.decide, name="decide"),
    path("<int:pk>/certificate/<int:year>/", views.certificate, name="certificate"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new", views.post_need, name="post_need"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/act", views.need_act, name="need_act"),
    path("needs/<int:pk>/take", views.take, name="take"),
]
