"""`tadiao close_period --as USERNAME --month 2026-12 [--reason …] [--yes] [--today YYYY-MM-DD]`: close a month as
the 关账确认 page does — the same summary first (owed reports by unit and status, days to the deadline, the
snapshot's date), then a confirmation on stdin unless --yes, then the same service and audit event. A reason is
required when reports are outstanding or the deadline has not passed (coordinators only)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tadiao.lib.dates import cn_date
from tadiao.lib.forms import error_text
from tadiao.org import acting
from tadiao.reporting import forms, queries, services
from tadiao.reporting.models import Period

CONFIRM_WORDS = ("yes", "y", "是", "确认")


def summary_lines(summary: queries.CloseSummary) -> list[str]:
    """The 关账确认 page's facts, as lines of text."""
    period = summary.period
    days = summary.days_to_deadline
    if days > 0:
        to_deadline = f"距截止还有 {days} 天"
    elif days == 0:
        to_deadline = "今天截止"
    else:
        to_deadline = f"已过截止日期 {summary.days_past_deadline} 天"
    as_of = "关账当日，早于月末；超期、预警等均按这一天计算" if summary.before_month_end else "月末"
    lines = [
        f"关账确认：{period}月度填报",
        f"填报截止日期：{cn_date(period.deadline)}（{to_deadline}）",
        f"今天：{cn_date(summary.today)}",
        f"指标快照统计日期：{cn_date(summary.as_of)}（{as_of}）",
        f"应报月报 {summary.total} 份："
        + "，".join(f"{label} {n} 份" for label, n in summary.labelled_totals) + "。",
    ]
    if summary.rows:
        labels = [label for _, label in queries.SUMMARY_STATUSES]
        lines.append("各单位（未完成多的在前）：单位 | 应报 | " + " | ".join(labels) + " | 未完成")
        for row in summary.rows:
            lines.append(f"  {row.unit.name} | {row.total} | " + " | ".join(map(str, row.cells))
                         + f" | {row.outstanding}")
        lines.append(f"  合计 | {summary.total} | " + " | ".join(map(str, summary.total_cells))
                     + f" | {summary.outstanding}")
    else:
        lines.append("本月没有需要填报的项目。")
    if summary.reason_required_because:
        lines.append("现在关账需要说明原因：" + "；".join(summary.reason_required_because)
                     + "。关账后本月数据锁定，未报送的月报不能再填报，通报和考评按快照统计。")
    return lines


class Command(BaseCommand):
    help = ("关账：先显示各单位应报、审核通过、待审核、草稿、已退回、未填报份数和距截止日天数，确认后锁定本月数据"
            "（同“关账确认”页；操作人须为调度员）。")
    # call_command(..., stdin=io.StringIO("yes\n")) in tests; a terminal's stdin otherwise.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        acting.add_as_argument(parser)
        parser.add_argument("--month", help="月份 YYYY-MM，如 2026-12")
        parser.add_argument("--reason", default="",
                            help="关账原因（有未审核通过的月报或截止日未到时必填，最多 300 字）")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接关账（供脚本使用）")
        parser.add_argument("--today", help="以该日期为“今天”（YYYY-MM-DD），默认当天")

    def handle(self, *args, **options):
        by = acting.acting_user(options["acting"])
        acting.require(by, by.is_coordinator, acting.COORDINATOR_ONLY)
        acting.require_options(options, {"month": "--month 月份"})
        month = acting.parse_month(options["month"], option="--month")
        today = acting.parse_date(options["today"], option="--today") if options["today"] else timezone.localdate()
        period = Period.objects.filter(month=month).first()
        if period is None:
            raise CommandError(f"{month.year}年{month.month}月尚未开启填报，不能关账。")
        if period.is_closed:
            self.stdout.write(f"{period}已关账。")
            return
        form = forms.CloseForm(data={"reason": options["reason"]})
        if not form.is_valid():
            raise CommandError(error_text(form))
        reason = form.cleaned_data["reason"].strip()
        summary = queries.close_summary(period, today=today)
        for line in summary_lines(summary):
            self.stdout.write(line)
        why = summary.reason_required_because
        if why and not reason:
            # The service's rule and words; checked before asking, so nobody confirms a close that is refused.
            raise CommandError("；".join(why) + "。确需现在关账，请用 --reason 填写关账原因。")
        if not options["yes"] and not self._confirmed(options.get("stdin") or sys.stdin, period):
            raise CommandError(f"未确认，{period}未关账。")
        try:
            services.close_period(period=period, by=by, today=today, reason=reason)
        except services.ReportingError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{period}已关账，数据不再变动；指标快照统计日期为{cn_date(summary.as_of)}。")

    def _confirmed(self, stdin, period: Period) -> bool:
        self.stdout.write(f"确认关账（锁定{period}数据）？输入 yes 或 是 确认：", ending="")
        self.stdout.flush()
        answer = stdin.readline()
        if not answer:  # end of input: nobody answered
            self.stdout.write("")
        return answer.strip().lower() in CONFIRM_WORDS
