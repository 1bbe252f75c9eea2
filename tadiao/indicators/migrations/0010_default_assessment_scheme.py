"""The provincial "三个一批" assessment scheme as the default (editable afterwards in 考评方案设置).

谋划储备 10, 签约落地 30, 开工投产 30, 投产达效 20, 服务保障 10; bonus for 零的突破; deductions for red warnings
and overdue problems. Targets are starting values for the coordinator to adjust."""

from decimal import Decimal

from django.db import migrations

NAME = "“三个一批”项目建设考评（省定方案）"
ITEMS = [
    # name, kind, weight, rule
    ("谋划储备", "BASE", "10", {"method": "ratio", "measure": "attraction:leads", "target": "3", "no_data": "zero"}),
    ("签约落地", "BASE", "30", {"parts": [
        {"share": "15", "method": "ratio", "measure": "attraction:signed", "target": "2", "no_data": "zero"},
        {"share": "15", "method": "ratio", "measure": "rate:campaign_signed_performing", "target": "100",
         "no_data": "zero"},
    ]}),
    ("开工投产", "BASE", "30", {"parts": [
        {"share": "20", "method": "ratio", "measure": "rate:start_rate", "target": "75", "no_data": "zero"},
        {"share": "10", "method": "ratio", "measure": "rate:campaign_started_producing", "target": "50",
         "no_data": "zero"},
    ]}),
    ("投产达效", "BASE", "20",
     {"method": "ratio", "measure": "rate:campaign_producing_capacity", "target": "80", "no_data": "zero"}),
    ("服务保障", "BASE", "10",
     {"method": "ratio", "measure": "problems:on_time_rate", "target": "100", "no_data": "full"}),
    ("零的突破", "BONUS", "2", {"method": "flag", "measure": "attraction:broke_zero"}),
    ("红灯预警", "DEDUCTION", "5", {"method": "per_count", "measure": "warnings:red", "points": "1"}),
    ("问题逾期", "DEDUCTION", "3", {"method": "per_count", "measure": "problems:overdue", "points": "0.5"}),
]


def forward(apps, schema_editor):
    Scheme = apps.get_model("indicators", "AssessmentScheme")
    Item = apps.get_model("indicators", "AssessmentItem")
    if Scheme.objects.filter(name=NAME).exists():
        return
    scheme = Scheme.objects.create(
        name=NAME, year=None, bottom_n=3, is_active=True,
        description="基础分 100 分（谋划储备 10、签约落地 30、开工投产 30、投产达效 20、服务保障 10），另设加分、扣分项目。",
    )
    for order, (name, kind, weight, rule) in enumerate(ITEMS, start=1):
        Item.objects.create(scheme=scheme, name=name, kind=kind, weight=Decimal(weight), rule=rule,
                            display_order=order * 10)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0009_assessment")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
