from django.urls import path

from tadiao.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/errors/", views.errors, name="errors"),
    path("template/<slug:kind>/", views.template, name="template"),
]
