"""The warning rules every deployment starts with (editable afterwards), from domain.md."""

from decimal import Decimal

from django.db import migrations

DEFAULT_RULES = [
    # code, name, measure, yellow, red, streak months
    ("behind_time_progress", "年度投资完成率低于序时进度", "POINTS_BEHIND_TIME_PROGRESS", "10", "30", None),
    ("share_of_time_progress", "年度投资完成率不足序时进度的八成", "PERCENT_OF_TIME_PROGRESS", "80", "60", None),
    ("past_planned_start", "超过计划开工日期未开工", "DAYS_PAST_PLANNED_START", "1", "0", 3),
    ("signed_not_started", "签约后 90 天未开工（桩基进场）", "DAYS_SIGNED_NOT_STARTED", "60", "90", None),
    ("completed_not_producing", "竣工后未投产", "DAYS_COMPLETED_NOT_PRODUCING", "90", "180", None),
]


def forward(apps, schema_editor):
    WarningRule = apps.get_model("indicators", "WarningRule")
    for order, (code, name, measure, yellow, red, streak) in enumerate(DEFAULT_RULES, start=1):
        WarningRule.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "measure": measure, "yellow": Decimal(yellow), "red": Decimal(red),
                "streak_months": streak, "is_builtin": True, "display_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_warning_rules")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
