"""Seeds the official holiday schedules for 2025 and 2026, the default time limit per category, and the
settings row. Later years are entered by the coordinator (节假日调整 page)."""

from django.db import migrations


def seed(apps, schema_editor):
    from tadiao.coordination.models import DEFAULT_WORKING_DAYS
    from tadiao.coordination.workdays import OFFICIAL_SCHEDULES

    WorkdayAdjustment = apps.get_model("coordination", "WorkdayAdjustment")
    CategoryDeadline = apps.get_model("coordination", "CategoryDeadline")
    CoordinationSettings = apps.get_model("coordination", "CoordinationSettings")
    for day, is_workday, note in OFFICIAL_SCHEDULES:
        WorkdayAdjustment.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "note": note})
    for category, days in DEFAULT_WORKING_DAYS.items():
        CategoryDeadline.objects.get_or_create(category=str(category), defaults={"working_days": days})
    CoordinationSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
