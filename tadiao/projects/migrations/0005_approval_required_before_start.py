"""Which approvals must be 已办结 or 容缺受理 before a project may be moved to 开工 (editable by the office)."""

from django.db import migrations, models

# The standard checklist's items a construction start legally waits for: the land (planning permit and title), the
# environmental approval, the works planning permit and the construction permit itself.
REQUIRED_BEFORE_START = ["用地规划许可", "土地出让/不动产权证", "环评批复", "工程规划许可", "施工许可"]


def forward(apps, schema_editor):
    ApprovalKind = apps.get_model("projects", "ApprovalKind")
    ApprovalKind.objects.filter(name__in=REQUIRED_BEFORE_START).update(required_before_start=True)


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_special_bonds")]

    operations = [
        migrations.AddField(
            model_name="approvalkind",
            name="required_before_start",
            field=models.BooleanField(default=False, verbose_name="开工前须办结"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
