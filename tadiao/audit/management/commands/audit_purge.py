"""`tadiao audit_purge --before YYYY-MM-DD`: the one way audit events leave the log (retention)."""

import datetime
import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tadiao.audit import maintenance
from tadiao.lib.dates import cn_date


class Command(BaseCommand):
    help = (f"按保留期清理审计日志：删除指定日期之前的最早记录（至少保留 {maintenance.MIN_RETENTION_DAYS} 天），"
            "并在哈希链末尾追加一条清理记录。需要数据库表属主的权限（删除触发器）。")

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, metavar="YYYY-MM-DD", help="删除该日期（北京时间）之前的记录")
        # No --today: the retention period counts from the real date, or a date in the future would let this
        # command purge its own checkpoint.

    def handle(self, *args, before, **options):
        try:
            cutoff = datetime.date.fromisoformat(before)
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD，而不是 {before!r}。") from exc
        try:
            result = maintenance.purge(before=cutoff, today=timezone.localdate(),
                                       by_name=f"{maintenance.PURGE_ACTOR}（{getpass.getuser()}）")
        except maintenance.PurgeError as exc:
            raise CommandError(exc.message) from exc
        if result.count == 0:
            self.stdout.write(f"{cn_date(cutoff)} 之前没有审计记录，未做任何清理。")
            return
        self.stdout.write(f"已清理 {cn_date(cutoff)} 之前的审计记录第 {result.first_seq} 至 {result.through_seq} 条，"
                          f"共 {result.count} 条；清理记录为第 {result.checkpoint_seq} 条。")
        self.stdout.write("请运行 tadiao audit_verify 并保存新的链头哈希。")
