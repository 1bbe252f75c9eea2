from django.urls import path

from tadiao.bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="bulletins"),
    path("new/", views.bulletin_create, name="create"),
    path("settings/", views.bulletin_settings, name="settings"),
    path("settings/sequence/", views.bulletin_sequence, name="sequence"),
    path("settings/default-template.docx", views.default_template, name="default_template"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/edit/", views.bulletin_edit, name="edit"),
    path("<int:pk>/redraft/", views.bulletin_redraft, name="redraft"),
    path("<int:pk>/generate/", views.bulletin_generate, name="generate"),
    path("<int:pk>/download.docx", views.bulletin_docx, name="docx"),
    path("<int:pk>/download.pdf", views.bulletin_pdf, name="pdf"),
    path("lists/", views.list_index, name="lists"),
    path("lists/<slug:key>/", views.list_page, name="list"),
    path("lists/<slug:key>/export.xlsx", views.list_export, name="export"),
]
