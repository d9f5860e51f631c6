from django.urls import path

from accounts.views import MeView, PasswordView, RegisterView, TokensView, TokenView

urlpatterns = [
    path("auth/register/", RegisterView.as_view(), name="auth-register"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/tokens/", TokensView.as_view(), name="auth-tokens"),
    path("auth/password/", PasswordView.as_view(), name="auth-password"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
]
