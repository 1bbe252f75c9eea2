"""`tadiao indicators --as-of YYYY-MM-DD [--unit NAME] [--level LEVEL] [--json]`: the figures for a scope."""

import datetime
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from tadiao.indicators import queries, snapshots
from tadiao.indicators.formatting import indicators_as_text, scope_as_json
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
        parser.add_argument("--compare-to", help="与该月快照比较，YYYY-MM")
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
        earlier = None
        if options["compare_to"]:
            try:
                month = datetime.date.fromisoformat(options["compare_to"] + "-01")
            except ValueError as exc:
                raise CommandError(f"--compare-to 应为 YYYY-MM 格式的月份，而不是“{options['compare_to']}”。") from exc
            earlier = snapshots.snapshot_for_month(month)
            if earlier is None:
                raise CommandError(f"没有{month.year}年{month.month}月的快照：该月尚未关账。")
            if scope:
                raise CommandError("--compare-to 目前只能与全域快照比较，请去掉 --unit / --level。")
        projects = queries.Scope(**scope).apply(Project.objects.all())
        units = Unit.objects.filter(is_active=True).order_by("display_order", "id")
        if "unit_id" in scope:
            units = units.filter(pk=scope["unit_id"])
        units = list(units)
        result, data, work = scope_as_json(projects, units, as_of=as_of)
        names = {u.pk: u.name for u in units}
        if earlier is not None:
            changes = snapshots.compare(data, earlier.data["indicators"])
            data["compare_to"] = {"period": f"{earlier.period.month:%Y-%m}", **changes}
            # Against the chosen snapshot and those before it: 零的突破 and 连续空白 (the current run included).
            history = snapshots.blank_unit_history(before=snapshots.month_end(earlier.period.month)
                                                   + datetime.timedelta(days=1))
            blanks = snapshots.blank_comparison(work["blank_unit_ids"], history, unit_ids=list(names))
            data["broke_zero_units"] = [names[pk] for pk in blanks["broke_zero_unit_ids"]]
            data["blank_streaks"] = {names[int(pk)]: n for pk, n in blanks["blank_streaks"].items()}
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(indicators_as_text(result))
        work, blank = data["attraction"], data["blank_units"]
        self.stdout.write(
            f"招商引资三项工作（{as_of.year}年1月1日至{as_of.month}月{as_of.day}日）：外出招商 {work['trips']} 次，"
            f"招商线索 {work['leads']} 个，签约项目（不含不予认定） {work['signed']} 个；"
            f"空白单位 {len(blank)} 个{'：' + '、'.join(blank) if blank else ''}"
        )
        if earlier is not None and data["broke_zero_units"]:
            self.stdout.write(f"实现零的突破：{'、'.join(data['broke_zero_units'])}")
        if earlier is not None:
            self.stdout.write(f"与{earlier.period}快照相比：")
            for code, points in data["compare_to"]["rates"].items():
                if points is not None:
                    name = result.rates[code].name
                    direction = "提高" if Decimal(points) >= 0 else "下降"
                    self.stdout.write(f"  {name}{direction} {abs(Decimal(points))} 个百分点")
