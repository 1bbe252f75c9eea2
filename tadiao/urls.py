from django.contrib.auth import views as auth_views
from django.urls import include, path

from tadiao.api.v1 import api
from tadiao.org.forms import LoginForm
from tadiao.org.views import password_change
from tadiao.views import healthz, home, manifest, service_worker

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", password_change, name="password_change"),
    path("projects/export/oc4ids/", include("tadiao.oc4ids.urls")),
    path("projects/", include("tadiao.projects.urls")),
    path("reporting/", include("tadiao.reporting.urls")),
    path("indicators/", include("tadiao.indicators.urls")),
    path("dashboard/", include("tadiao.dashboard.urls")),
    path("attraction/", include("tadiao.attraction.urls")),
    path("coordination/", include("tadiao.coordination.urls")),
    path("economy/", include("tadiao.economy.urls")),
    path("notifications/", include("tadiao.notifications.urls")),
    path("bulletins/", include("tadiao.bulletins.urls")),
    path("org/", include("tadiao.org.urls")),
    path("audit/", include("tadiao.audit.urls")),
    path("imports/", include("tadiao.imports.urls")),
    path("weekly/", include("tadiao.weekly.urls")),
    path("gis/", include("tadiao.gis.urls")),
    path("api/v1/", api.urls),
    path("api-tokens/", include("tadiao.api.urls")),
]
