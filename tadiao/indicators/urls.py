from django.urls import path

from tadiao.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/export.xlsx", views.warning_export, name="warnings_export"),
    path("rankings/", views.ranking_list, name="rankings"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/definitions/", views.definition_create, name="definition_create"),
    path("settings/targets/", views.target_save, name="target_save"),
    path("settings/rules/<int:pk>/", views.warning_rule_save, name="warning_rule_save"),
]
