from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "tadiao.coordination"
    label = "coordination"
    verbose_name = "问题协调与督办"

    def ready(self) -> None:
        # Fill the registries of the layers below (each documented in its own module): coordination may import
        # audit, projects and indicators, never the reverse.
        from tadiao.audit import labels
        from tadiao.coordination.models import Category
        from tadiao.coordination.queries import problems_as_json, projects_handled_by_unit
        from tadiao.indicators import snapshots
        from tadiao.projects import access

        access.register_extra_readable(projects_handled_by_unit)
        snapshots.register_section("problems", problems_as_json)
        # The settings' audit events record days_LAND …: the time limit of each category.
        labels.register_extra_labels({f"days_{c.value}": f"{c.label}办结时限（工作日）" for c in Category})
