"""`tadiao indicators --as-of YYYY-MM-DD [--unit NAME] [--level LEVEL] [--json]`: the figures for a scope."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from tadiao.indicators import queries
from tadiao.indicators.formatting import indicators_as_json, indicators_as_text
from tadiao.org.models import Unit
from tadiao.projects.models import Level, Project


def _level(value: str) -> str:
    for code, label in Level.choices:
        if value in (code, code.lower(), label):
            return code
    raise CommandError(f"未知的项目级别“{value}”。可选：{'、'.join(label for _, label in Level.choices)}。")


class Command(BaseCommand):
    help = "计算指定日期、范围的指标（开工率、五率、年度投资完成率、序时进度等）。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="统计日期 YYYY-MM-DD")
        parser.add_argument("--unit", help="责任单位名称")
        parser.add_argument("--level", help="项目级别：国家重点/省重点/市重点/县区重点/一般 或代码")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **options):
        try:
            as_of = datetime.date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期，而不是“{options['as_of']}”。") from exc
        scope = {}
        if options["unit"]:
            unit = Unit.objects.filter(name=options["unit"]).first()
            if unit is None:
                raise CommandError(f"找不到单位“{options['unit']}”。")
            scope["unit_id"] = unit.pk
        if options["level"]:
            scope["level"] = _level(options["level"])
        projects = queries.Scope(**scope).apply(Project.objects.all())
        result = queries.compute_indicators(projects, as_of=as_of)
        if options["json"]:
            self.stdout.write(json.dumps(indicators_as_json(result), ensure_ascii=False))
        else:
            self.stdout.write(indicators_as_text(result))
