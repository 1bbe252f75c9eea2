from django.urls import path

from tadiao.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.message_open, name="open"),
    path("<int:pk>/read/", views.message_read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("channels/", views.channels, name="channels"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/edit/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/delete/", views.channel_delete, name="channel_delete"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("outbox/retry/", views.outbox_retry, name="outbox_retry"),
]
