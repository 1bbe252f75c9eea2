from django.urls import path

from tadiao.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("settings/", views.settings_save, name="settings"),
    path("settings/photo-location/", views.photo_location_save, name="photo_location"),
    path("periods/open/", views.period_open, name="period_open"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
    path("projects/<int:project_pk>/<str:month>/", views.report_edit, name="edit"),
    path("reports/<int:pk>/review/", views.report_review, name="review"),
    path("reports/<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/<str:variant>/", views.photo_file, name="photo"),
]
