from django.urls import path

from quarterhour.platform.accounts import staff, views

app_name = "accounts"
urlpatterns = [
    path("accounts/signup/", views.sign_up, name="signup"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password"),
    path("accounts/staff/", staff.staff_list, name="staff"),
    path("accounts/staff/new", staff.staff_new, name="staff_new"),
    path("accounts/staff/<int:pk>/", staff.staff_user, name="staff_user"),
    path("accounts/staff/<int:pk>/grant", staff.grant, name="staff_grant"),
    path("accounts/staff/<int:pk>/active", staff.set_active, name="staff_active"),
    path(
        "accounts/staff/<int:pk>/roles/<int:membership_pk>/remove",
        staff.remove,
        name="staff_remove",
    ),
    path("me/", views.mine, name="mine"),
]
