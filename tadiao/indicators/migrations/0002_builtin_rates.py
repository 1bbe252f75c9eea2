"""The built-in rate definitions (editable afterwards): domain.md's 开工率, 开复工率, 五率 and the rest."""

from django.db import migrations

STARTED_NEW_OR_CONTINUING_REPORTED = {
    "any_of": [
        {"exclude_natures": ["CONTINUING"], "reached_this_year": "STARTED"},
        {"natures": ["CONTINUING"], "reported_this_year": True},
    ]
}

BUILTIN_RATES = [
    # code, name, measure, numerator, denominator, description
    ("start_rate", "开工率", "COUNT", {"reached": "STARTED"}, {}, "截至统计日已开工项目数 / 项目总数"),
    ("start_or_resume_rate", "开复工率", "COUNT", STARTED_NEW_OR_CONTINUING_REPORTED, {"in_year_plan": True},
     "（本年新开工的新建项目 + 本年有投资进度的续建项目）/ 本年计划内新建和续建项目数"),
    ("signed_to_approved", "签约项目备案率", "COUNT", {"reached": "APPROVED"}, {"reached": "SIGNED"},
     "五率①：已签约项目中已立项（备案）的比例"),
    ("approved_to_started", "备案项目开工率", "COUNT", {"reached": "STARTED"}, {"reached": "APPROVED"},
     "五率②：已立项项目中已开工的比例"),
    ("started_investment_completion", "开工项目投资完成率", "INVESTMENT", {}, {"reached": "STARTED", "in_year_plan": True},
     "五率③：已开工项目本年累计完成投资 / 其年度计划投资"),
    ("completed_to_producing", "竣工项目投产率", "COUNT", {"reached": "PRODUCING"}, {"reached": "COMPLETED"},
     "五率④：已竣工项目中已投产的比例"),
    ("producing_to_capacity", "项目达效率", "COUNT", {"reached": "AT_CAPACITY"}, {"reached": "PRODUCING"},
     "五率⑤：已投产项目中已达产（达效）的比例"),
    ("annual_investment_completion", "年度投资完成率", "INVESTMENT", {}, {"in_year_plan": True},
     "本年累计完成投资 / 年度计划投资"),
    ("completion_rate", "竣工率", "COUNT", {"reached": "COMPLETED"}, {"reached": "STARTED"}, "已竣工项目 / 已开工（在建）项目"),
    ("producing_rate", "投产率", "COUNT", {"reached": "PRODUCING"}, {"reached": "STARTED"}, "已投产项目 / 已开工项目"),
]


def forward(apps, schema_editor):
    RateDefinition = apps.get_model("indicators", "RateDefinition")
    for order, (code, name, measure, numerator, denominator, description) in enumerate(BUILTIN_RATES, start=1):
        RateDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "measure": measure, "numerator": numerator, "denominator": denominator,
                "description": description, "is_builtin": True, "display_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
