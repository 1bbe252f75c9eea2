"""`tadiao deliver_notifications`: deliver the outbox now (once), or keep delivering (--loop) where no task
worker runs. Safe beside the worker: every row is claimed before it is sent."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from tadiao.notifications import services


class Command(BaseCommand):
    help = "发送待发送的通知（钉钉、企业微信机器人和邮件），遵守每个机器人每分钟 20 条的限制。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行：发送完毕后等到下一条到期再发送")
        parser.add_argument("--max-wait", type=int, default=60, help="--loop 时两轮之间最多等待的秒数（默认 60）")

    def handle(self, *args, loop: bool = False, max_wait: int = 60, **options):
        while True:
            now = timezone.now()
            run = services.deliver_due(now=now)
            self.stdout.write(
                f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} 发送成功 {run.sent} 条，失败 {run.failed} 次"
                f"，放弃 {run.given_up} 条，因渠道故障顺延 {run.held} 条，因频率限制顺延 {run.deferred} 条"
            )
            if not loop:
                return
            wait = max_wait
            if run.next_due is not None:
                wait = min(max_wait, max(1, (run.next_due - timezone.now()).total_seconds()))
            time.sleep(wait)
