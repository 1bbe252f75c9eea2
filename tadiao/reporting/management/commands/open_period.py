"""`tadiao open_period --as USERNAME --month 2026-12`: open a month's reporting, through the same service and
audit event as the 月度填报 page's 开启填报 (coordinators only). Opening a month already open changes nothing."""

from django.core.management.base import BaseCommand

from tadiao.lib.dates import cn_date
from tadiao.org import acting
from tadiao.reporting import services


class Command(BaseCommand):
    help = "开启某月的月度填报（截止日期按填报设置；同“月度填报”页；操作人须为调度员）。"

    def add_arguments(self, parser):
        acting.add_as_argument(parser)
        parser.add_argument("--month", help="月份 YYYY-MM，如 2026-12")

    def handle(self, *args, **options):
        by = acting.acting_user(options["acting"])
        acting.require(by, by.is_coordinator, acting.COORDINATOR_ONLY)
        acting.require_options(options, {"month": "--month 月份"})
        month = acting.parse_month(options["month"], option="--month")
        period = services.open_period(month=month, by=by)
        self.stdout.write(f"已开启{period}填报，截止日期 {cn_date(period.deadline)}。")
