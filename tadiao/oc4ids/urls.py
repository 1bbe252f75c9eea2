from django.urls import path

from tadiao.oc4ids import views

app_name = "oc4ids"
urlpatterns = [
    path("", views.download, name="download"),
]
