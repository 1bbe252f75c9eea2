from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "tadiao.coordination"
    label = "coordination"
    verbose_name = "问题协调与督办"
