from django.apps import AppConfig


class WeeklyConfig(AppConfig):
    name = "tadiao.weekly"
    label = "weekly"
    verbose_name = "周调度"
