from django.urls import path

from tadiao.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/advance/", views.project_advance, name="advance"),
    path("<int:pk>/status/", views.project_change_status, name="change_status"),
    path("<int:pk>/approvals/<int:kind_id>/", views.approval_save, name="approval_save"),
    path("<int:pk>/plans/", views.annual_plan_save, name="plan_save"),
    path("<int:pk>/funding/", views.funding_save, name="funding_save"),
]
