from django.urls import path

from tadiao.gis import views

app_name = "gis"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("data/", views.map_data, name="data"),
    path("boundary/", views.boundary_admin, name="boundary"),
    path("boundary/<int:pk>.json", views.boundary_geojson, name="boundary_geojson"),
    path("convert/", views.convert, name="convert"),
]
