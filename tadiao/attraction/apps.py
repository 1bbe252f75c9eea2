from django.apps import AppConfig


class AttractionConfig(AppConfig):
    name = "tadiao.attraction"
    label = "attraction"
    verbose_name = "招商引资"
