"""The configurable lists shipped with every deployment: approvals checklist, leading industries, tags."""

from django.db import migrations

APPROVAL_KINDS = [
    "用地预审与选址", "用地规划许可", "土地出让/不动产权证", "环评批复", "安全评价",
    "节能审查", "工程规划许可", "施工图审查", "施工许可",
]
INDUSTRIES = [
    "高端装备制造", "新材料", "新能源", "电子信息", "生物医药", "绿色食品", "现代纺织", "数字经济",
    "现代物流", "文化旅游", "现代农业", "其他",
]
TAGS = ["智能化改造", "专项债", "招商引资", "民生实事"]


def forward(apps, schema_editor):
    ApprovalKind = apps.get_model("projects", "ApprovalKind")
    Industry = apps.get_model("projects", "Industry")
    Tag = apps.get_model("projects", "Tag")
    for order, name in enumerate(APPROVAL_KINDS, start=1):
        ApprovalKind.objects.get_or_create(name=name, defaults={"display_order": order})
    for order, name in enumerate(INDUSTRIES, start=1):
        Industry.objects.get_or_create(name=name, defaults={"display_order": order})
    for name in TAGS:
        Tag.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
