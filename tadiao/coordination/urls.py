from django.urls import path

from tadiao.coordination.views import calendar_settings, lists, meetings, problems, statistics

app_name = "coordination"
urlpatterns = [
    path("problems/", lists.problem_list, name="problems"),
    path("problems/export.xlsx", lists.problem_export, name="problems_export"),
    path("problems/new/", problems.problem_create, name="problem_create"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem"),
    path("problems/<int:pk>/assign/", problems.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/reply/", problems.problem_reply, name="problem_reply"),
    path("problems/<int:pk>/attachments/", problems.attachment_upload, name="attachment_upload"),
    path("problems/<int:pk>/instruct/", problems.problem_instruct, name="problem_instruct"),
    path("problems/<int:pk>/<str:action>/", problems.problem_action, name="problem_action"),
    path("attachments/<int:pk>/", problems.attachment_file, name="attachment"),
    path("projects/<int:project_pk>/instruct/", problems.project_instruct, name="project_instruct"),
    path("inbox/", lists.inbox, name="inbox"),
    path("inbox/export.xlsx", lists.inbox_export, name="inbox_export"),
    path("overdue/", lists.overdue, name="overdue"),
    path("overdue/export.xlsx", lists.overdue_export, name="overdue_export"),
    path("supervision/", lists.supervision_list, name="supervision"),
    path("supervision/export.xlsx", lists.supervision_export, name="supervision_export"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("statistics/export.xlsx", statistics.statistics_export, name="statistics_export"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/export.xlsx", meetings.meeting_export, name="meetings_export"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/agenda/", meetings.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/decisions/", meetings.meeting_decision, name="meeting_decision"),
    path("meetings/<int:pk>/minutes.docx", meetings.meeting_minutes, name="meeting_minutes"),
    path("calendar/", calendar_settings.calendar, name="calendar"),
    path("calendar/delete/", calendar_settings.calendar_delete, name="calendar_delete"),
    path("settings/", calendar_settings.coordination_settings, name="settings"),
]
