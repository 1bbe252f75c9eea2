from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tadiao.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        # The services book delivery runs through the task module without importing it (it imports them).
        from tadiao.notifications import queueing, tasks

        queueing.connect_delivery_queue(tasks.book_delivery)
