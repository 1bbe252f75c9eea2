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
    path("settings/definitions/<int:pk>/", views.definition_edit, name="definition_edit"),
    path("settings/targets/", views.target_save, name="target_save"),
    path("settings/rules/<int:pk>/", views.warning_rule_save, name="warning_rule_save"),
]

# Quarterly assessment (季度考评): tadiao/indicators/assessment_views.py
from tadiao.indicators import assessment_views  # noqa: E402 (appended with its own routes, see above)

urlpatterns += [
    path("assessment/", assessment_views.assessment_page, name="assessment"),
    path("assessment/export.xlsx", assessment_views.assessment_export, name="assessment_export"),
    path("assessment/units/<int:unit_id>/", assessment_views.assessment_unit, name="assessment_unit"),
    path("assessment/settings/", assessment_views.assessment_settings, name="assessment_settings"),
    path("assessment/settings/<int:pk>/copy/", assessment_views.assessment_scheme_copy, name="assessment_scheme_copy"),
]
