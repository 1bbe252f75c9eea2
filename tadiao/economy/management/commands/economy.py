"""`tadiao economy --period YYYY-MM [--period YYYY-MM …] [--json]`: the full economic tables of one or more
cumulative periods 1—N月 — every region's figures against its target and its parent's growth, the regions below,
完成较好, and the counts per kind of region (see README, 经济指标命令)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tadiao.economy import queries
from tadiao.economy.models import INDICATOR_UNITS, Indicator

TARGET_KEYS = ("region", "indicator", "growth", "target", "gap")
PARENT_KEYS = ("region", "indicator", "growth", "parent", "gap")
VERSUS = {"above": "高于", "equal": "持平", "below": "低于"}


def _period_object(year: int, month: int) -> dict[str, Any]:
    """One period's JSON object: `below_target` and `below_parent` exactly as before (five keys per item), then
    the full tables."""
    data = queries.period_tables(year=year, month=month)
    return {
        "below_target": [{k: item[k] for k in TARGET_KEYS} for item in data["below_target"]],
        "below_parent": [{k: item[k] for k in PARENT_KEYS} for item in data["below_parent"]],
        "period": data["period"],
        "label": data["label"],
        "table": data["table"],
        "done_well": data["done_well"],
        "counts_by_kind": data["counts_by_kind"],
    }


def _versus(row: dict[str, Any], key: str, versus: str, name: str) -> str:
    if row[key] is None:
        return f"未设{name}" if name == "目标" else f"无{name}增速"
    return f"{name} {row[key]}%，{VERSUS[row[versus]]}"


class Command(BaseCommand):
    help = ("经济指标对标：累计期间（1—N月）各区划各指标与年度目标、上级增速的比较，"
            "低于目标、低于上级、完成较好的区划，按区划类型的统计。")

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, action="append",
                            help="累计期间的截止年月 YYYY-MM，如 2024-10 表示 1—10月；可重复，一次输出多个期间")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, period: list[str], **options):
        periods: list[tuple[int, int]] = []
        for text in period:
            parsed = queries.parse_period(text)
            if parsed is None:
                raise CommandError(f"--period 应为 YYYY-MM 格式的年月，而不是“{text}”。")
            if parsed not in periods:
                periods.append(parsed)
        objects = [_period_object(year, month) for year, month in periods]
        if options["json"]:
            # One period: the object itself (its keys as before); several: {"periods": [one object each]}.
            output = objects[0] if len(objects) == 1 else {"periods": objects}
            self.stdout.write(json.dumps(output, ensure_ascii=False))
            return
        for number, data in enumerate(objects):
            if number:
                self.stdout.write("")
            self._write_text(data)

    def _write_text(self, data: dict[str, Any]) -> None:
        label = data["label"]
        if not data["table"]:
            self.stdout.write(f"{label}尚未录入经济指标。")
            return
        below_target, below_parent = data["below_target"], data["below_parent"]
        self.stdout.write(f"{label}增速低于年度目标：{len(below_target)} 项")
        for item in below_target:
            self.stdout.write(f"  {item['region']} {item['indicator']}：增长 {item['growth']}%，"
                              f"目标 {item['target']}%，差 {item['gap']} 个百分点")
        self.stdout.write(f"{label}增速低于上级：{len(below_parent)} 项")
        for item in below_parent:
            self.stdout.write(f"  {item['region']} {item['indicator']}：增长 {item['growth']}%，"
                              f"上级 {item['parent']}%，差 {item['gap']} 个百分点")
        self.stdout.write(f"{label}完成较好（不低于目标和上级增速）：{len(data['done_well'])} 项")
        for item in data["done_well"]:
            self.stdout.write(f"  {item['region']} {item['indicator']}：增长 {item['growth']}%，"
                              f"目标 {item['target']}%，上级 {item['parent']}%")
        self.stdout.write(f"{label}按区划类型：")
        for kind in data["counts_by_kind"]:
            self.stdout.write(f"  {kind['label']} {kind['regions']} 个，低于目标 {kind['below_target']} 个，"
                              f"低于上级 {kind['below_parent']} 个（至少一项指标）")
            for code, counts in kind["indicators"].items():
                self.stdout.write(f"    {Indicator(code).label}：{counts['regions']} 个，"
                                  f"低于目标 {counts['below_target']} 个，低于上级 {counts['below_parent']} 个，"
                                  f"完成较好 {counts['done_well']} 个")
        self.stdout.write(f"{label}各区划指标：")
        for row in data["table"]:
            rank = f"，全省第 {row['provincial_rank']} 位" if row["provincial_rank"] is not None else ""
            self.stdout.write(
                f"  {row['region']} {row['indicator']}：{row['value']} {INDICATOR_UNITS[row['indicator_code']]}，"
                f"增长 {row['growth']}%（{_versus(row, 'target', 'vs_target', '目标')}；"
                f"{_versus(row, 'parent_growth', 'vs_parent', '上级')}）{rank}")
