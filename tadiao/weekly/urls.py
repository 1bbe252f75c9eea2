from django.urls import path

from tadiao.weekly import views

app_name = "weekly"
urlpatterns = [
    path("", views.week_list, name="list"),
    path("sheet/", views.sheet, name="sheet"),
    path("sheet.xlsx", views.sheet_xlsx, name="sheet_xlsx"),
    path("sheet.docx", views.sheet_docx, name="sheet_docx"),
    path("missed/", views.missed, name="missed"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/exceptions/", views.exception_add, name="exception_add"),
    path("settings/exceptions/<int:pk>/remove/", views.exception_remove, name="exception_remove"),
    path("projects/<int:pk>/", views.project_timeline, name="timeline"),
    path("projects/<int:pk>/<str:week>/", views.report_edit, name="report"),
    path("reports/<int:pk>/return/", views.report_return, name="return"),
]
