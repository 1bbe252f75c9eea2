from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "tadiao.dashboard"
    label = "dashboard"
    verbose_name = "驾驶舱"
