"""The `--today` option shared by the demo commands: the commands read the clock, the services never do."""

import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def add_today_argument(parser) -> None:
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="以哪一天为“今天”生成演示数据（默认今天）。The day the demo data is relative to.")


def parse_today(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today 应为 YYYY-MM-DD 格式的日期，而不是 {value!r}。") from exc
