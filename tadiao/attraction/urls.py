from django.urls import path

from tadiao.attraction import views

app_name = "attraction"
urlpatterns = [
    path("trips/", views.trip_list, name="trips"),
    path("trips/export.xlsx", views.trip_export, name="trips_export"),
    path("trips/new/", views.trip_create, name="trip_create"),
    path("trips/<int:pk>/edit/", views.trip_edit, name="trip_edit"),
    path("trips/<int:pk>/delete/", views.trip_delete, name="trip_delete"),
    path("leads/", views.lead_list, name="leads"),
    path("leads/export.xlsx", views.lead_export, name="leads_export"),
    path("leads/new/<int:project_pk>/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/close/", views.lead_close, name="lead_close"),
    path("leads/<int:pk>/reopen/", views.lead_reopen, name="lead_reopen"),
    path("leads/<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("recognitions/", views.recognition_list, name="recognitions"),
    path("recognitions/<int:project_pk>/", views.recognition_decide, name="recognition_decide"),
    path("work-items/", views.work_items, name="work_items"),
    path("work-items/export.xlsx", views.work_items_export, name="work_items_export"),
]
