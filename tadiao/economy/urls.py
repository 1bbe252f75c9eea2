from django.urls import path

from tadiao.economy import views

app_name = "economy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.overview_export, name="overview_export"),
    path("figures/", views.figure_list, name="figures"),
    path("figures/new/", views.figure_create, name="figure_create"),
    path("figures/<int:pk>/edit/", views.figure_edit, name="figure_edit"),
    path("figures/<int:pk>/delete/", views.figure_delete, name="figure_delete"),
    path("targets/", views.targets, name="targets"),
]
