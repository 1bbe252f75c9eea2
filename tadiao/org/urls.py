from django.urls import path

from tadiao.org import views

app_name = "org"
urlpatterns = [
    path("regions/", views.regions, name="regions"),
    path("regions/new/", views.region_create, name="region_create"),
    path("regions/<int:pk>/", views.region_edit, name="region_edit"),
    path("units/", views.units, name="units"),
    path("units/export.xlsx", views.units_export, name="units_export"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("leaders/", views.leaders, name="leaders"),
    path("leaders/new/", views.leader_create, name="leader_create"),
    path("leaders/<int:pk>/", views.leader_edit, name="leader_edit"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/toggle-active/", views.user_toggle_active, name="user_toggle_active"),
]
