from django.urls import path

from tadiao.bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("lists/", views.list_index, name="lists"),
    path("lists/<slug:key>/", views.list_page, name="list"),
    path("lists/<slug:key>/export.xlsx", views.list_export, name="export"),
]
