"""`tadiao set_target --as USERNAME --year 2026 --kind count --measure started --value 20
[--level 省重点] [--unit 名称 | --region 代码] [--deadline YYYY-MM-DD]`: a year's rate, count or amount target,
through the page's service and audit."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tadiao.indicators.forms import target_form_for
from tadiao.indicators.models import RateDefinition, Target, TargetMeasure
from tadiao.indicators.target_services import TargetError, set_target
from tadiao.lib.forms import error_text
from tadiao.org.acting import COORDINATOR_ONLY, acting_user, add_as_argument, parse_date, require, require_options
from tadiao.org.models import Region, Unit
from tadiao.projects.models import Level

KINDS: dict[str, str] = {
    "rate": Target.Kind.RATE,
    "比率": Target.Kind.RATE,
    "count": Target.Kind.COUNT,
    "个数": Target.Kind.COUNT,
    "amount": Target.Kind.AMOUNT,
    "金额": Target.Kind.AMOUNT,
}
AMOUNT_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(亿元|亿|万元|万)?\s*$")


def parse_kind(value: str) -> str:
    kind = KINDS.get((value or "").strip().lower())
    if kind is None:
        raise CommandError(f"--kind 应为 rate（比率）、count（个数）或 amount（金额），而不是“{value}”。")
    return kind


def parse_value(value: str, *, kind: str) -> Decimal:
    """"20" → 20; an amount in 万元, or with 亿元 / 亿 / 万元 / 万 after it ("840亿元" → 8400000)."""
    match = AMOUNT_RE.match(value or "")
    if match is None or (match.group(2) and kind != Target.Kind.AMOUNT):
        raise CommandError(f"--value 应为不小于 0 的数字（金额可写“840亿元”），而不是“{value}”。")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise CommandError(f"--value 应为数字，而不是“{value}”。") from exc
    if match.group(2) in ("亿元", "亿"):
        number *= 10000
    return number.quantize(Decimal("0.01"))


def parse_measure(value: str, *, kind: str) -> tuple[RateDefinition | None, str]:
    """The rate (by code or name) of a rate target, or the measure (code in any case, or its Chinese name)."""
    text = (value or "").strip()
    if kind == Target.Kind.RATE:
        rate = RateDefinition.objects.filter(code=text).first() or RateDefinition.objects.filter(name=text).first()
        if rate is None:
            raise CommandError(f"找不到比率“{text}”（写比率代码，如 start_rate，或名称，如 开工率）。")
        return rate, ""
    for code, label in TargetMeasure.choices:
        if text in (code, code.lower(), label):
            return None, code
    names = "、".join(f"{code.lower()}（{label}）" for code, label in TargetMeasure.choices)
    raise CommandError(f"未知的计量内容“{text}”。可选：{names}。")


def parse_level(value: str | None) -> str:
    if not value:
        return ""
    for code, label in Level.choices:
        if value.strip() in (code, code.lower(), label):
            return code
    raise CommandError(f"未知的项目级别“{value}”。可选：{'、'.join(label for _, label in Level.choices)}。")


class Command(BaseCommand):
    help = "设置年度目标：比率（%）、个数（个）或金额（万元），针对全部项目、某级别、某单位或某区划。"

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_argument(parser)
        parser.add_argument("--year", help="年度，如 2026")
        parser.add_argument("--kind", help="目标类型：rate（比率）、count（个数）、amount（金额）")
        parser.add_argument(
            "--measure", help="比率代码（如 start_rate），或计量内容（如 started、fixed_asset_investment）"
        )
        parser.add_argument("--value", help="目标值：比率为百分数，个数为项目个数，金额为万元（或写 840亿元）")
        parser.add_argument("--level", help="项目级别：国家重点/省重点/市重点/县区重点/一般 或代码")
        parser.add_argument("--unit", help="责任单位名称")
        parser.add_argument("--region", help="行政区划代码或名称")
        parser.add_argument("--deadline", help="时限 YYYY-MM-DD，默认该年 12 月 31 日")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["acting"])
        require(user, user.is_coordinator, COORDINATOR_ONLY)
        require_options(
            options, {"year": "--year 年度", "kind": "--kind 目标类型", "measure": "--measure 指标或计量内容",
                      "value": "--value 目标值"}
        )
        try:
            year = int(options["year"])
        except ValueError as exc:
            raise CommandError(f"--year 应为年份，如 2026，而不是“{options['year']}”。") from exc
        kind = parse_kind(options["kind"])
        rate, measure = parse_measure(options["measure"], kind=kind)
        value = parse_value(options["value"], kind=kind)
        unit = region = None
        if options["unit"]:
            unit = Unit.objects.select_related("region").filter(name=options["unit"].strip()).first()
            if unit is None:
                raise CommandError(f"找不到单位“{options['unit']}”。")
        if options["region"]:
            text = options["region"].strip()
            region = Region.objects.filter(code=text).first() or Region.objects.filter(name=text).first()
            if region is None:
                raise CommandError(f"找不到行政区划“{text}”（写区划代码或名称）。")
        deadline = parse_date(options["deadline"], option="--deadline") if options["deadline"] else None
        # The page's form checks the input (an active rate, a unit or region of the user's region …), then the
        # page's service saves and audits.
        form = target_form_for(user, {
            "year": year,
            "kind": kind,
            "rate": rate.pk if rate else "",
            "measure": measure,
            "level": parse_level(options["level"]),
            "unit": unit.pk if unit else "",
            "region": region.pk if region else "",
            "deadline": deadline.isoformat() if deadline else "",
            "value": str(value),
        })
        if not form.is_valid():
            raise CommandError(error_text(form))
        try:
            target = set_target(**form.cleaned_data, by=user)
        except TargetError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已保存目标：{target}")
