"""`tadiao economy --period YYYY-MM [--json]`: regions below their target growth and below their parent's growth
for the cumulative period 1—N月 (see README, 经济指标命令)."""

import json

from django.core.management.base import BaseCommand, CommandError

from tadiao.economy import queries
from tadiao.economy.models import period_label

TARGET_KEYS = ("region", "indicator", "growth", "target", "gap")
PARENT_KEYS = ("region", "indicator", "growth", "parent", "gap")


class Command(BaseCommand):
    help = "列出累计期间（1—N月）增速低于年度目标、低于上级增速的区划和指标。"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="累计期间的截止年月 YYYY-MM，如 2024-10 表示 1—10月")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, period: str, **options):
        parsed = queries.parse_period(period)
        if parsed is None:
            raise CommandError(f"--period 应为 YYYY-MM 格式的年月，而不是“{period}”。")
        year, month = parsed
        rows = queries.period_rows(year=year, month=month)
        below_target = [{k: item[k] for k in TARGET_KEYS} for item in queries.below_target_of(rows)]
        below_parent = [{k: item[k] for k in PARENT_KEYS} for item in queries.below_parent_of(rows)]
        if options["json"]:
            self.stdout.write(json.dumps({"below_target": below_target, "below_parent": below_parent},
                                         ensure_ascii=False))
            return
        label = period_label(year, month)
        if not rows:
            self.stdout.write(f"{label}尚未录入经济指标。")
            return
        self.stdout.write(f"{label}增速低于年度目标：{len(below_target)} 项")
        for item in below_target:
            self.stdout.write(f"  {item['region']} {item['indicator']}：增长 {item['growth']}%，"
                              f"目标 {item['target']}%，差 {item['gap']} 个百分点")
        self.stdout.write(f"{label}增速低于上级：{len(below_parent)} 项")
        for item in below_parent:
            self.stdout.write(f"  {item['region']} {item['indicator']}：增长 {item['growth']}%，"
                              f"上级 {item['parent']}%，差 {item['gap']} 个百分点")
