from django.apps import AppConfig


class Oc4idsConfig(AppConfig):
    name = "tadiao.oc4ids"
    label = "oc4ids"
    verbose_name = "OC4IDS 开放数据"
