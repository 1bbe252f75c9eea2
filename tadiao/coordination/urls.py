from django.urls import path

from tadiao.coordination import views

app_name = "coordination"
urlpatterns = [
    path("problems/", views.problem_list, name="problems"),
    path("problems/export.xlsx", views.problem_export, name="problems_export"),
    path("problems/new/", views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/assign/", views.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/reply/", views.problem_reply, name="problem_reply"),
    path("problems/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("problems/<int:pk>/instruct/", views.problem_instruct, name="problem_instruct"),
    path("problems/<int:pk>/<str:action>/", views.problem_action, name="problem_action"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("projects/<int:project_pk>/instruct/", views.project_instruct, name="project_instruct"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/export.xlsx", views.inbox_export, name="inbox_export"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/export.xlsx", views.overdue_export, name="overdue_export"),
    path("supervision/", views.supervision_list, name="supervision"),
    path("supervision/export.xlsx", views.supervision_export, name="supervision_export"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.xlsx", views.statistics_export, name="statistics_export"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/export.xlsx", views.meeting_export, name="meetings_export"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/decisions/", views.meeting_decision, name="meeting_decision"),
    path("meetings/<int:pk>/minutes.docx", views.meeting_minutes, name="meeting_minutes"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/delete/", views.calendar_delete, name="calendar_delete"),
    path("settings/", views.coordination_settings, name="settings"),
]
