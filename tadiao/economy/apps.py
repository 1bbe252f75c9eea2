from django.apps import AppConfig


class EconomyConfig(AppConfig):
    name = "tadiao.economy"
    label = "economy"
    verbose_name = "经济指标对标"
