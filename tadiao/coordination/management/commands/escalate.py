"""`tadiao escalate [--today YYYY-MM-DD] [--schedule]`: the daily overdue check (escalation, flags, reminders)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tadiao.coordination import services, tasks


class Command(BaseCommand):
    help = "超期问题与督办事项升级（或标记待决定）、临期提醒；同一天重复运行不做任何修改。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="以该日期为“今天”（YYYY-MM-DD），默认当天")
        parser.add_argument(
            "--schedule", action="store_true", help="不立即运行，而是让后台任务进程（db_worker）从今天起每天自动运行"
        )

    def handle(self, *args, today=None, schedule=False, **options):
        if schedule:
            when = tasks.schedule_daily_escalation()
            self.stdout.write(f"已安排每日超期检查，下次运行时间：{when:%Y-%m-%d %H:%M}。")
            return
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{today}") from exc
        outcome = services.run_escalation(today=day)
        self.stdout.write(f"{day:%Y-%m-%d}：{outcome.summary()}")
        # An item the run could not act on is one line each, not a traceback; the next run tries it again.
        for pk, reason in outcome.skipped:
            self.stderr.write(f"跳过事项 {pk}：{reason}")
