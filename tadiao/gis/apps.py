from django.apps import AppConfig


class GisConfig(AppConfig):
    name = "tadiao.gis"
    label = "gis"
    verbose_name = "一张图"
