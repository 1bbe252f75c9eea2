from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "tadiao.reporting"
    label = "reporting"
    verbose_name = "月度填报"

    def ready(self) -> None:
        # Fill the registries of the layer below (projects.extensions): reporting may import projects, never the
        # reverse.
        from tadiao.projects import extensions
        from tadiao.reporting import queries

        extensions.set_year_progress(queries.year_progress)
        extensions.set_plan_checks(queries.plan_warnings)
