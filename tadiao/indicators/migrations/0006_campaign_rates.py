"""The "三个一批" campaign's own rates, as editable definitions over the projects entered in its batches."""

from django.db import migrations

CAMPAIGN_RATES = [
    # code, name, numerator, denominator, description
    ("campaign_signed_performing", "签约项目履约率", {"reached": "APPROVED"}, {"batch_kinds": ["SIGN"]},
     "列入签约一批的项目中已履约（已立项备案及以后阶段）的比例"),
    ("campaign_performing_started", "履约项目开工率", {"reached": "STARTED"},
     {"batch_kinds": ["SIGN"], "reached": "APPROVED"}, "签约一批中已履约项目里已开工的比例"),
    ("campaign_started_producing", "开工项目投产率", {"reached": "PRODUCING"}, {"batch_kinds": ["START"]},
     "列入开工一批的项目中已投产的比例"),
    ("campaign_producing_capacity", "投产项目达效率", {"reached": "AT_CAPACITY"}, {"batch_kinds": ["PRODUCE"]},
     "列入投产一批的项目中已达产达效的比例"),
]


def forward(apps, schema_editor):
    RateDefinition = apps.get_model("indicators", "RateDefinition")
    for order, (code, name, numerator, denominator, description) in enumerate(CAMPAIGN_RATES, start=1):
        RateDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "measure": "COUNT", "numerator": numerator, "denominator": denominator,
                "description": description, "is_builtin": True, "display_order": 500 + order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_snapshots")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
