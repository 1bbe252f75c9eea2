from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tadiao.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from tadiao.audit import auth_events  # noqa: F401  (login events come from Django's auth signals)
