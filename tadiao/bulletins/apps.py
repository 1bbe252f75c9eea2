from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "tadiao.bulletins"
    label = "bulletins"
    verbose_name = "通报与清单"
