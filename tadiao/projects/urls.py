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
    path("approval-kinds/", views.approval_kinds, name="approval_kinds"),
    path("bonds/", views.bond_list, name="bonds"),
    path("bonds/export.xlsx", views.bond_export, name="bonds_export"),
    path("bonds/batches/", views.bond_batch_create, name="bond_batch_create"),
    path("bonds/save/", views.bond_save, name="bond_save"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:number>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:number>/entries/", views.batch_entry_add, name="batch_entry_add"),
    path("batches/<int:number>/entries/<int:entry_id>/remove/", views.batch_entry_remove, name="batch_entry_remove"),
]
