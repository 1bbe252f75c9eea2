from django.urls import path

from tadiao.api import views

app_name = "api"
urlpatterns = [
    path("", views.my_tokens, name="my_tokens"),
    path("all/", views.all_tokens, name="all_tokens"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
