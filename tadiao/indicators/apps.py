from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "tadiao.indicators"
    label = "indicators"
    verbose_name = "指标"

    def ready(self) -> None:
        # Fill the registries of the layers below (each documented in its own module): indicators may import
        # projects, reporting and attraction, never the reverse.
        from tadiao.attraction import standing
        from tadiao.indicators import campaign, snapshots, warnings
        from tadiao.projects import extensions
        from tadiao.reporting import hooks

        extensions.set_lights(warnings.ProjectLights())
        extensions.set_campaign_rates(campaign.campaign_rates)
        hooks.on_period_closed(snapshots.freeze)
        standing.set_source(snapshots.work_items_standing)
