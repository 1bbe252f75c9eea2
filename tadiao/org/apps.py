from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tadiao.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from tadiao.org import auth  # noqa: F401  (the login signal starts the idle clock)
