from django.apps import AppConfig


class GisConfig(AppConfig):
    name = "tadiao.gis"
    label = "gis"
    verbose_name = "一张图"

    def ready(self) -> None:
        # The project form's location picker draws this app's map (projects sits below gis: projects.extensions).
        from tadiao.gis import queries
        from tadiao.projects import extensions

        extensions.set_picker_map(queries.picker_map)
