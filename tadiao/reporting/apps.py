from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "tadiao.reporting"
    label = "reporting"
    verbose_name = "月度填报"
