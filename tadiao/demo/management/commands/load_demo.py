"""`tadiao load_demo`: load the demo county (idempotent: a second run changes nothing)."""

from django.core.management.base import BaseCommand, CommandError

from tadiao.demo import services
from tadiao.demo.management.commands._options import add_today_argument, parse_today
from tadiao.projects.models import Stage


def describe(summary: services.DemoSummary) -> list[str]:
    """The Chinese lines that tell an operator what the demo holds."""
    years = "、".join(str(y) for y in summary.plan_years) or "—"
    stages = "，".join(f"{Stage(code).label} {count}" for code, count in summary.by_stage.items())
    return [
        f"行政区划 {summary.regions} 个，单位 {summary.units} 个，领导 {summary.leaders} 名，用户 {summary.users} 个；",
        f"项目 {summary.projects} 个（{stages}）；",
        f"前期手续 {summary.approvals} 条，年度计划 {summary.annual_plans} 条（{years} 年），"
        f"资金来源 {summary.fundings} 条，阶段变更记录 {summary.transitions} 条；",
        f"填报月份 {summary.periods} 个（已关账 {summary.closed_periods} 个），月度进展 {summary.reports} 条，"
        f"指标快照 {summary.snapshots} 个，目标 {summary.targets} 个；",
        f"外出招商 {summary.trips} 次，招商线索 {summary.leads} 条（跟进记录 {summary.follow_ups} 条），"
        f"签约项目认定 {summary.recognitions} 个；",
        f"“三个一批” {summary.batches} 期（入列 {summary.batch_entries} 个次），"
        f"专项债批次 {summary.bond_batches} 个（项目 {summary.bond_applications} 个次）；",
        f"问题诉求 {summary.problems} 件，会议 {summary.meetings} 次（督办事项 {summary.supervision_items} 件）；",
        f"经济指标数据 {summary.economy_figures} 条，增速目标 {summary.economy_targets} 条。",
    ]


class Command(BaseCommand):
    help = "加载演示数据：一个虚构的县级市，约 300 个项目及近两年的月报、快照（重复运行不会重复创建）。"

    def add_arguments(self, parser):
        add_today_argument(parser)

    def handle(self, *args, **options):
        today = parse_today(options["today"])
        try:
            summary = services.load_demo(today=today)
        except services.DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if summary.created:
            self.stdout.write(f"已加载演示数据：{summary.county}（以 {today:%Y-%m-%d} 为今天）。")
        else:
            self.stdout.write(f"演示数据已存在（{summary.county}），未做任何修改。")
        for line in describe(summary):
            self.stdout.write("  " + line)
        if summary.created and not services.someone_can_log_in():
            self.stdout.write("演示账号尚未设置密码：运行 tadiao first_run 创建系统管理员并为演示账号生成初始密码。")
