"""`tadiao assessment --quarter 2026Q3 [--scheme NAME] [--json]`: the quarterly assessment (季考评) of every unit."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tadiao.indicators import assessment
from tadiao.indicators.assessment import AssessmentError
from tadiao.indicators.models import AssessmentScheme


class Command(BaseCommand):
    help = "按考评方案计算季度考评得分、排名和末位约谈单位（依据季末月份的指标快照）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quarter", required=True, help="季度，例如 2026Q3")
        parser.add_argument("--scheme", help="考评方案名称（默认：该年度适用的启用方案）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象（含每个单位的计分过程）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year, quarter = assessment.parse_quarter(options["quarter"])
        except AssessmentError as exc:
            raise CommandError(exc.message) from exc
        scheme = None
        if options["scheme"]:
            scheme = AssessmentScheme.objects.filter(name=options["scheme"]).first()
            if scheme is None:
                raise CommandError(f"找不到考评方案“{options['scheme']}”。")
        result = assessment.compute(year=year, quarter=quarter, scheme=scheme)
        if result.scheme is None:
            raise CommandError(f"{year}年没有启用的考评方案。")
        if result.snapshot is None:
            raise CommandError(f"{result.label}尚无已关账月份的指标快照，无法考评。")
        if options["json"]:
            self.stdout.write(json.dumps(assessment.as_json(result), ensure_ascii=False, indent=2))
            return
        lines = [f"{result.label}考评（{result.scheme}），依据{result.snapshot.period}快照"]
        if result.provisional:
            lines.append("季末月份尚未关账，结果为预览。")
        lines.append(f"排序规则：{result.tie_rule}")
        for s in result.scores:
            items = "，".join(f"{i.name} {i.score}" for i in s.items)
            mark = "（约谈）" if s.interview else ""
            lines.append(f"{s.rank}. {s.name} 总分 {s.total}{mark}：{items}")
        bottom = "、".join(s.name for s in result.bottom) or "无"
        lines.append(f"末位 {result.scheme.bottom_n} 名约谈：{bottom}")
        self.stdout.write("\n".join(lines))
