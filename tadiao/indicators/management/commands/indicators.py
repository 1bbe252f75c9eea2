"""`tadiao indicators --as-of YYYY-MM-DD [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--unit NAME] [--level LEVEL]
[--compare-to YYYY-MM] [--json]`: the figures for a scope."""

import datetime
import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tadiao.indicators import attraction_figures, queries, scoped_snapshots, snapshots
from tadiao.indicators.formatting import indicators_as_text
from tadiao.indicators.scope_json import scope_as_json
from tadiao.org.models import Unit
from tadiao.projects.models import Level, Project


def _level(value: str) -> str:
    for code, label in Level.choices:
        if value in (code, code.lower(), label):
            return code
    raise CommandError(f"未知的项目级别“{value}”。可选：{'、'.join(label for _, label in Level.choices)}。")


class Command(BaseCommand):
    help = "计算指定日期、范围的指标（开工率、五率、年度投资完成率、序时进度等）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="统计日期 YYYY-MM-DD（不填时取 --to）")
        parser.add_argument("--from", dest="start",
                            help="招商引资统计期间的起始日期 YYYY-MM-DD，默认为截止日期当年 1 月 1 日")
        parser.add_argument("--to", dest="end", help="招商引资统计期间的截止日期 YYYY-MM-DD，默认为 --as-of")
        parser.add_argument("--unit", help="责任单位名称")
        parser.add_argument("--level", help="项目级别：国家重点/省重点/市重点/县区重点/一般 或代码")
        parser.add_argument("--compare-to", help="与该月快照比较，YYYY-MM")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["as_of"] and not options["end"]:
            raise CommandError("请用 --as-of 指定统计日期（或用 --to 指定截止日期）。")
        try:
            as_of = datetime.date.fromisoformat(options["as_of"] or options["end"])
        except ValueError as exc:
            value = options["as_of"] or options["end"]
            raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期，而不是“{value}”。") from exc
        try:
            span = attraction_figures.period(as_of=as_of, start=options["start"], end=options["end"])
        except attraction_figures.PeriodError as exc:
            raise CommandError(str(exc)) from exc
        scope: dict[str, Any] = {}
        if options["unit"]:
            unit = Unit.objects.filter(name=options["unit"]).first()
            if unit is None:
                raise CommandError(f"找不到单位“{options['unit']}”。")
            scope["unit_id"] = unit.pk
        if options["level"]:
            scope["level"] = _level(options["level"])
        earlier = None
        if options["compare_to"]:
            try:
                month = datetime.date.fromisoformat(options["compare_to"] + "-01")
            except ValueError as exc:
                raise CommandError(f"--compare-to 应为 YYYY-MM 格式的月份，而不是“{options['compare_to']}”。") from exc
            earlier = snapshots.snapshot_for_month(month)
            if earlier is None:
                raise CommandError(f"没有{month.year}年{month.month}月的快照：该月尚未关账。")
        projects = queries.Scope(**scope).apply(Project.objects.all())
        active = Unit.objects.filter(is_active=True).order_by("display_order", "id")
        if "unit_id" in scope:
            active = active.filter(pk=scope["unit_id"])
        units = list(active)
        result, data = scope_as_json(projects, units, as_of=as_of, span=span, earlier=earlier)
        if earlier is not None and scope:
            # Like with like: the snapshot's figures of the same unit and / or level (scoped_snapshots.py).
            data["compare_to"] = scoped_snapshots.compare_scoped(
                data, earlier, unit_id=scope.get("unit_id"), level=scope.get("level"), unit_name=options["unit"]
            )
        elif earlier is not None:
            changes = snapshots.compare(data, earlier.data["indicators"])
            data["compare_to"] = {"period": f"{earlier.period.month:%Y-%m}", **changes}
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(indicators_as_text(result))
        for line in attraction_figures.attraction_text(data, span=span):
            self.stdout.write(line)
        if earlier is not None and data["compare_to"].get("not_compared"):
            self.stdout.write(data["compare_to"]["not_compared"])
        elif earlier is not None:
            label = scoped_snapshots.scope_label(unit_name=options["unit"], level=scope.get("level"))
            self.stdout.write(f"与{earlier.period}快照{'中' + label + '的数字' if label else ''}相比：")
            for code, points in data["compare_to"]["rates"].items():
                if points is not None:
                    name = result.rates[code].name
                    direction = "提高" if Decimal(points) >= 0 else "下降"
                    self.stdout.write(f"  {name}{direction} {abs(Decimal(points))} 个百分点")
