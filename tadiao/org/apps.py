from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tadiao.org"
    label = "org"
    verbose_name = "组织机构"
