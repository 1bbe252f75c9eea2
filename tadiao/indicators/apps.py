from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "tadiao.indicators"
    label = "indicators"
    verbose_name = "指标"
