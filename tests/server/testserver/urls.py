from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    # Counted wrapper around DOT's token view (the harness asserts on refresh counts).
    path("o/token/", views.CountingTokenView.as_view(), name="token"),
    path("o/callback/", views.callback, name="callback"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("", include(("oauth2_provider.urls", "root"), namespace="root")),
    path("test/apps/", views.create_app),
    path("test/stats/<str:client_id>/", views.stats),
    path("test/users/", views.create_user),
    path("test/echo/", views.echo),
    path("test/api/", views.api),
]
