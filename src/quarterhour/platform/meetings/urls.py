from django.urls import path

from quarterhour.platform.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("convene", views.convene, name="convene"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/done", views.close_action, name="close"),
]
