"""The demo county's 周调度: the office schedules its 国家/省/市重点 projects weekly, and the last four weeks and the
running one are reported — most units on time, a few late or silent, one or two reports returned — so that the
weekly list, the 周调度 sheet, the late units and each project's timeline show something on first start.

Written after the coordination builder (a problem raised during a reported week is linked to that week's report,
unless it came from a monthly report); drawn from its own seeded generator. No investment figures: weekly reports
carry none.
"""

import datetime
import random

from tadiao.coordination.models import Problem
from tadiao.demo.common import at
from tadiao.org.models import User
from tadiao.projects.models import Level, Project, Stage
from tadiao.weekly import queries
from tadiao.weekly.models import WeeklyProblem, WeeklyReport, WeeklySettings
from tadiao.weekly.weeks import Week

SEED = 20261207
PAST_WEEKS = 4
LATE_UNIT_SHARE = 0.12  # units that report late or not at all, week after week
BUILDING = ["完成主体结构施工{pct}%", "钢结构吊装完成{pct}%", "二次结构砌筑及机电安装", "设备基础浇筑完成",
            "生产设备进场安装，完成{pct}%", "室外道路及管网施工", "屋面及外墙围护施工", "路基施工完成{km}公里",
            "管网铺设{m}米", "装饰装修施工，完成{pct}%"]
EARLY = ["施工图审查已完成，正在办理施工许可", "环评报告已报批，等待批复", "土地挂牌出让程序进行中",
         "初步设计编制中", "施工单位招标公告已发布", "用地规划许可已取得，正在办理工程规划许可"]
RUNNING = ["生产线满负荷运行", "新增订单稳定，产能逐步释放", "配套设施完善，准备达产验收", "设备调试优化，良品率提升"]
RETURN_REASON = "本周进展过于简略，请写明具体工程量"


class WeeklyBuilder:
    """Writes the weekly settings and the weekly reports of the demo county."""

    def __init__(self, *, today: datetime.date, projects: list[Project], coordinator: User,
                 reporters: dict[int, User]):
        self.today = today
        self.rng = random.Random(SEED)
        self.coordinator = coordinator
        self.reporters = reporters  # unit id → the demo reporter of that unit
        self.projects = sorted(projects, key=lambda p: p.pk)

    def build(self) -> None:
        config, _ = WeeklySettings.objects.update_or_create(
            pk=1, defaults={"levels": [Level.NATIONAL, Level.PROVINCIAL, Level.CITY], "deadline_weekday": 4}
        )
        scheduled = [p for p in self.projects if p.level in config.levels and not p.is_cancelled]
        units = sorted({p.unit_id for p in scheduled})
        late_units = set(self.rng.sample(units, max(1, round(len(units) * LATE_UNIT_SHARE)))) if units else set()
        current = Week.of(self.today)
        weeks = [Week(current.start - datetime.timedelta(days=7 * n)) for n in range(PAST_WEEKS, -1, -1)]
        reports = []
        for week in weeks:
            deadline = queries.deadline_for(week, config)
            for project in scheduled:
                report = self._report(project, week, deadline, late=project.unit_id in late_units)
                if report is not None:
                    reports.append(report)
        WeeklyReport.objects.bulk_create(reports, batch_size=1000)
        self._link_problems(weeks)

    def _report(self, project: Project, week: Week, deadline: datetime.date, *, late: bool) -> WeeklyReport | None:
        rng, today = self.rng, self.today
        roll = rng.random()
        if late:
            outcome = "none" if roll < 0.4 else "late" if roll < 0.85 else "on_time"
        elif week.end < today or today > deadline:
            outcome = "on_time" if roll < 0.86 else "late" if roll < 0.92 else "returned" if roll < 0.95 else "draft"
        else:  # the running week, before its deadline
            outcome = "on_time" if roll < 0.4 else "draft" if roll < 0.6 else "none"
        if outcome == "none":
            return None
        if outcome == "late":
            sent = deadline + datetime.timedelta(days=rng.randint(1, 3))
        else:
            sent = week.start + datetime.timedelta(days=rng.randint(1, max(1, (deadline - week.start).days)))
        if sent > today:
            outcome, sent = ("draft", None) if week.start <= today else ("none", None)
        if outcome == "none":
            return None
        reporter = self.reporters.get(project.unit_id, self.coordinator)
        progress, plan, workers = self._texts(project)
        report = WeeklyReport(
            project=project, week_start=week.start, progress_text=progress, next_week_plan=plan,
            workers_on_site=workers, status=WeeklyReport.Status.DRAFT,
        )
        if outcome in ("on_time", "late", "returned"):
            report.status = WeeklyReport.Status.SUBMITTED
            report.first_submitted_date = sent
            report.submitted_at, report.submitted_by = at(sent, rng.randint(9, 17), rng.randint(0, 59)), reporter
        if outcome == "returned":
            report.status, report.return_reason = WeeklyReport.Status.RETURNED, RETURN_REASON
            returned = min(sent + datetime.timedelta(days=1), today)
            report.returned_at, report.returned_by = at(returned, 10), self.coordinator
        return report

    def _texts(self, project: Project) -> tuple[str, str, int | None]:
        rng = self.rng
        numbers = {"pct": rng.randint(3, 9) * 10, "km": rng.randint(1, 6), "m": rng.randint(2, 30) * 50}
        if project.stage == Stage.STARTED and not project.is_suspended:
            done, plan = rng.sample(BUILDING, 2)
            return done.format(**numbers), plan.format(**numbers), rng.randint(3, 30) * 10
        if project.stage in (Stage.COMPLETED, Stage.PRODUCING, Stage.AT_CAPACITY):
            done, plan = rng.sample(RUNNING, 2)
            return done, plan, None
        if project.is_suspended:
            return "项目停工中，现场看护", "协调复工条件", rng.randint(1, 5)
        done, plan = rng.sample(EARLY, 2)
        return done, plan, None

    def _link_problems(self, weeks: list[Week]) -> None:
        """A problem raised on a scheduled project during a reported week (and not from a monthly report or a
        meeting) is shown as raised from that week's report."""
        first, last = weeks[0].start, weeks[-1].end
        problems = Problem.objects.filter(
            kind=Problem.Kind.PROBLEM, report__isnull=True, meeting__isnull=True,
            raised_date__gte=first, raised_date__lte=min(last, self.today),
        )
        reports = {
            (r.project_id, r.week_start): r
            for r in WeeklyReport.objects.filter(week_start__gte=first, project__in=problems.values("project_id"))
        }
        links = []
        for problem in problems:
            report = reports.get((problem.project_id, Week.of(problem.raised_date).start))
            if report is not None:
                links.append(WeeklyProblem(report=report, problem=problem))
        WeeklyProblem.objects.bulk_create(links)
