from django.urls import path

from quarterhour.platform.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/signup/", views.sign_up, name="signup"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password"),
    path("me/", views.mine, name="mine"),
]
