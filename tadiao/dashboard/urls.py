from django.urls import path

from tadiao.dashboard import views

app_name = "dashboard"
urlpatterns = [path("", views.dashboard, name="home")]
