"""The demo county's monthly cycle (月报、关账、快照): periods, monthly reports, targets and frozen snapshots.

For the year of `today` and the year before, every month up to last month is closed (its reports approved; this
year's closed months and last December have their figures frozen), and this month is open: some units have
submitted, some are still drafting, some have not started — late ones show up as overdue after the deadline.

Investment is spread over each project's construction months along a seasonal curve (slow around the Spring
Festival, a push before 30 June and at year end), at a pace drawn per unit and per project. Each year is then
scaled so that the county as a whole ends its last closed month a few points behind 序时进度 while some units are
well ahead and others far behind: what the warnings, rankings and 驾驶舱 are there to show.

Drawn from its own seeded generator: the county itself (county.CountyBuilder) draws exactly what it drew before.
"""

import datetime
import math
import random
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum

from tadiao.attraction.models import FollowUp, Lead, Recognition, Trip
from tadiao.coordination.models import Problem
from tadiao.demo.common import at
from tadiao.demo.investment import (
    COUNTY_GAP_POINTS,
    UNIT_PACES,
    _money,
    _months_between,
    _solve_scale,
    _Track,
)
from tadiao.indicators.models import RateDefinition, Snapshot, Target, TargetMeasure
from tadiao.indicators.snapshots import snapshot_data
from tadiao.lib.dates import month_end
from tadiao.org.models import User
from tadiao.projects.models import (
    AnnualPlan,
    BatchEntry,
    BondApplication,
    Category,
    Level,
    Project,
    ProjectApproval,
    Stage,
)
from tadiao.reporting.models import MonthlyReport, Period
from tadiao.reporting.queries import reporting_settings

SEED = 20260102

LATE_UNIT_SHARE = 0.15  # units that report after the deadline, month after month

# Targets of the current year: (rate code, level, (month, day) of the deadline, percent).
TARGETS = [
    ("start_rate", Level.PROVINCIAL, (6, 30), "85"),
    ("start_rate", Level.CITY, (6, 30), "75"),
    ("start_rate", "", (9, 30), "100"),
    ("annual_investment_completion", "", (6, 30), "50"),
]

# Visible progress (形象进度) by kind of works: phases, each with the share of the construction period it ends at
# and the sentences a reporter writes, in the order the works go. {floor}: storey reached; {pct}: share of the phase
# done; {km}, {n}, {m}: kilometres, piles or towers, metres.
PHASES = {
    "factory": [
        (0.12, ["场地平整及临时设施搭建", "桩基施工，完成工程桩{n}根", "基础承台及地梁施工"]),
        (0.45, ["钢结构厂房吊装完成{pct}%", "综合楼主体结构施工至{floor}层", "1#厂房主体封顶，2#厂房主体结构施工"]),
        (0.75, ["厂房屋面及墙面围护施工", "主要生产设备采购合同签订，设备陆续进场", "机电安装及消防工程施工"]),
        (1.0, ["设备安装调试", "生产线联动调试", "室外道路、管网及绿化施工", "配套工程收尾，准备竣工验收"]),
    ],
    "renovation": [
        (0.25, ["改造方案深化设计，设备招标采购", "老旧设备拆除及车间改造"]),
        (0.7, ["智能化生产线设备进场安装，完成{pct}%", "工业互联网平台部署实施"]),
        (1.0, ["设备安装调试", "生产线试运行"]),
    ],
    "building": [
        (0.12, ["基坑支护及土方开挖", "桩基施工，完成工程桩{n}根", "基础底板施工"]),
        (0.5, ["主体结构施工至{floor}层"]),
        (0.8, ["二次结构砌筑及机电安装", "外立面及幕墙施工", "室内装饰装修施工，完成{pct}%"]),
        (1.0, ["室外配套工程施工", "消防及节能专项验收", "装饰装修收尾，准备竣工验收"]),
    ],
    "road": [
        (0.15, ["征地拆迁及管线迁改", "施工便道及临时设施建设", "清表及软基处理"]),
        (0.55, ["路基施工完成{km}公里", "桥梁桩基施工，完成{n}根", "雨污水管网铺设{m}米"]),
        (0.85, ["路面基层施工完成{km}公里", "桥梁上部结构施工", "沥青路面摊铺完成{km}公里"]),
        (1.0, ["交通安全设施及绿化亮化施工", "附属工程收尾，准备交工验收"]),
    ],
    "plant": [
        (0.15, ["场地平整及基坑开挖", "构筑物桩基施工"]),
        (0.6, ["主要构筑物土建施工，完成{pct}%", "综合用房主体结构施工至{floor}层"]),
        (0.85, ["工艺设备安装", "厂区管网及电气安装"]),
        (1.0, ["设备单机调试及联动试运行", "附属工程收尾，准备竣工验收"]),
    ],
    "pipe": [
        (0.2, ["施工图深化及管线迁改", "沟槽开挖及支护"]),
        (0.8, ["管网铺设{m}米", "管廊主体结构施工完成{pct}%"]),
        (1.0, ["管道试压及路面恢复", "附属设施施工，准备验收"]),
    ],
    "power": [
        (0.3, ["变电站场地平整及土建施工", "线路基础施工，完成{n}基"]),
        (0.75, ["铁塔组立完成{n}基", "主变及电气设备安装"]),
        (1.0, ["导线架设及附件安装", "系统调试，准备投运"]),
    ],
    "farm": [
        (0.25, ["土地平整及清表", "施工放样，临时设施搭建"]),
        (0.7, ["灌排渠系及田间道路施工，完成{pct}%", "温室大棚钢架搭建", "冷库及加工车间主体施工"]),
        (1.0, ["种苗引进及设备安装", "配套设施建设，准备验收"]),
    ],
    "ecology": [
        (0.2, ["施工放样及河道清表", "截污管网沟槽开挖"]),
        (0.7, ["河道清淤完成{km}公里", "护岸施工完成{km}公里", "截污管网铺设{m}米"]),
        (1.0, ["生态修复及绿化种植", "附属设施施工，准备验收"]),
    ],
}
# Name keywords that pick the kind of works; otherwise the category does.
KIND_BY_WORD = [
    ("输变电", "power"), ("光伏", "power"), ("污水处理厂", "plant"), ("水厂", "plant"), ("焚烧发电", "plant"),
    ("管网", "pipe"), ("管廊", "pipe"), ("路", "road"), ("大道", "road"), ("大桥", "road"), ("码头", "road"),
    ("灌区", "farm"), ("农田", "farm"), ("流域", "ecology"), ("河", "ecology"), ("矿山", "ecology"),
    ("湿地", "ecology"), ("公园", "ecology"),
]
KIND_BY_CATEGORY = {
    Category.INDUSTRY: "factory", Category.INFRASTRUCTURE: "road", Category.AGRICULTURE: "farm",
    Category.ECOLOGY: "ecology",
}
PROBLEMS = {
    "investment": ["企业融资困难，资金到位不足，施工进度放缓", "设备供货周期延长，影响安装进度",
                   "施工临时用电增容尚未完成，需供电公司协调", "二期用地报批手续尚未完成，影响后续施工",
                   "施工用工短缺，劳务人员不足"],
    "government": ["上级资金尚未下达，工程款支付滞后", "征地拆迁尚有{n}户未签约", "部分管线迁改未完成，影响主体施工",
                   "受连续降雨影响，室外作业进度滞后", "与周边群众存在施工矛盾，需属地协调"],
}
RETURN_REASONS = ["本月完成投资与形象进度不匹配，请核实后重新报送", "未上传现场照片，请补充后报送",
                  "施工人数与上月差异较大，请说明原因"]


def _refresh_statistics(models: list) -> None:
    """Let the query planner see the rows just written: PostgreSQL plans the snapshots' correlated subqueries
    over tables it still believes empty otherwise (about twice as slow)."""
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


class MonthlyBuilder:
    """Writes the periods, reports, targets and snapshots of the demo county, after its projects are written."""

    def __init__(self, *, today: datetime.date, projects: list[Project], annual_plans: list[AnnualPlan],
                 suspended_on: dict[int, datetime.date], coordinator: User, reporters: dict[int, User]):
        self.today = today
        self.rng = random.Random(SEED)
        self.projects = {p.pk: p for p in projects}
        self.annual_plans = annual_plans
        self.suspended_on = suspended_on
        self.coordinator = coordinator
        self.reporters = reporters  # unit id → the demo reporter of that unit
        self.this_month = today.replace(day=1)
        self.years = (today.year - 1, today.year)
        self.deadline_day = reporting_settings().deadline_day
        self.floors: dict[int, int] = {}  # project id → storeys of its main building

    def build_reports(self) -> None:
        """Periods, reports and targets; the caller may write what the snapshots also freeze before
        build_snapshots."""
        self.periods = self._periods()
        tracks = self._tracks()
        self._calibrate(tracks)
        MonthlyReport.objects.bulk_create(self._reports(tracks, self.periods), batch_size=1000)
        self._targets()  # before the snapshots, which show the gap to each target

    def build_snapshots(self) -> None:
        self._snapshots(self.periods)

    # --- periods ---

    def _deadline(self, month: datetime.date) -> datetime.date:
        return month.replace(day=self.deadline_day)

    def _closing_day(self, month: datetime.date) -> datetime.date:
        """The coordinator closes a month a few days after its deadline, before the month ends."""
        return min(self._deadline(month) + datetime.timedelta(days=4), month_end(month))

    def _periods(self) -> dict[datetime.date, Period]:
        rows = []
        month = datetime.date(self.years[0], 1, 1)
        while month <= self.this_month:
            period = Period(month=month, deadline=self._deadline(month))
            if month < self.this_month:
                period.status = Period.Status.CLOSED
                period.closed_at = at(self._closing_day(month), 17, 30)
                period.closed_by = self.coordinator
            rows.append(period)
            month = month_end(month) + datetime.timedelta(days=1)
        return {p.month: p for p in Period.objects.bulk_create(rows)}

    # --- investment ---

    def _tracks(self) -> list[_Track]:
        rng = self.rng
        unit_ids = sorted({p.unit_id for p in self.projects.values()})
        rng.shuffle(unit_ids)
        unit_pace, start = {}, 0
        for share, lo, hi in UNIT_PACES:
            count = round(share * len(unit_ids))
            for unit_id in unit_ids[start:start + count]:
                unit_pace[unit_id] = rng.uniform(lo, hi)
            start += count
        for unit_id in unit_ids[start:]:
            unit_pace[unit_id] = rng.uniform(0.92, 1.1)
        self.late_units = set(rng.sample(unit_ids, round(LATE_UNIT_SHARE * len(unit_ids))))
        self.planned_total = dict.fromkeys(self.years, 0.0)
        tracks = []
        for plan in sorted(self.annual_plans, key=lambda a: (a.year, a.project_id)):
            project = self.projects[plan.project_id]
            self.planned_total[plan.year] += float(plan.planned_investment)
            started = project.started_date
            if started is None or started.year > plan.year or project.is_cancelled:
                continue
            first = self._first_report_month(started, plan.year)
            completed = project.completed_date
            work_end = completed.month if completed and completed.year == plan.year else 12
            suspended = self.suspended_on.get(project.pk)
            idle_from = None
            if suspended and suspended.year <= plan.year:
                idle_from = suspended.month + 1 if suspended.year == plan.year else 1
            finishing = bool(completed and completed.year == plan.year)
            pace = rng.uniform(0.95, 1.06) if finishing else unit_pace[project.unit_id] * rng.uniform(0.85, 1.15)
            track = _Track(project=project, year=plan.year, planned=float(plan.planned_investment), first=first,
                           work_end=work_end, idle_from=idle_from, pace=pace, scaled=not finishing)
            track.noise = {m: rng.uniform(0.7, 1.3) for m in range(1, 13)}
            tracks.append(track)
        return tracks

    def _first_report_month(self, started: datetime.date, year: int) -> int:
        """A project reports from the month it started if it started by that month's deadline, else from the next
        (13: not this year)."""
        if started.year < year:
            return 1
        return started.month + (started.day > self.deadline_day)

    def _calibration_month(self, year: int) -> int | None:
        """The last closed month of the year, or None when none of it is closed yet."""
        if year < self.today.year:
            return 12
        return self.today.month - 1 or None

    def _calibrate(self, tracks: list[_Track]) -> None:
        """One scale per year so that the county ends its last closed month a few points behind 序时进度."""
        self.scales = {}
        for year in self.years:
            of_year = [t for t in tracks if t.year == year]
            month = self._calibration_month(year)
            if month is None or not of_year:
                self.scales[year] = self.scales.get(year - 1, 1.0)
            else:
                progress = month / 12 * 100
                gap = min(self.rng.uniform(*COUNTY_GAP_POINTS), progress * 0.3)
                goal = (progress - gap) / 100 * self.planned_total[year]
                self.scales[year] = _solve_scale([(t, t.share_done(month)) for t in of_year], goal)
            for track in of_year:
                track.scale = self.scales[year]

    # --- reports ---

    def _reports(self, tracks: list[_Track], periods: dict[datetime.date, Period]) -> list[MonthlyReport]:
        rows = []
        for track in tracks:
            project = track.project
            kind = self._works_kind(project)
            if project.pk not in self.floors:  # the same building in both years
                self.floors[project.pk] = self.rng.randint(4, 8) if kind in ("factory", "plant") else \
                    self.rng.randint(6, 28)
            floors = self.floors[project.pk]
            last = 12 if track.year < self.today.year else self.today.month
            for month_number in range(track.first, last + 1):
                month = datetime.date(track.year, month_number, 1)
                report = MonthlyReport(
                    project=project, period=periods[month],
                    investment_completed=_money(track.amount(month_number)),
                    progress_text=self._progress_text(track, month, kind, floors),
                    workers_on_site=self._workers(track, month),
                    stage_reached=self._stage_at(project, month_end(month)),
                    problems=self._problem(track),
                )
                if month == self.this_month:
                    if not self._open_month_status(report, project, month):
                        continue  # not started yet: no row at all
                else:
                    self._approved(report, project, month)
                rows.append(report)
        return rows

    def _submission_day(self, project: Project, month: datetime.date) -> datetime.date:
        """When a unit submits a month's report: in the fortnight before the deadline, late units around it; never
        before the project started."""
        rng = self.rng
        if project.unit_id in self.late_units:
            day = self._deadline(month) + datetime.timedelta(days=rng.randint(-3, 12))
        else:
            day = month.replace(day=rng.randint(max(1, self.deadline_day - 15), self.deadline_day))
        return max(day, month, project.started_date)

    def _approved(self, report: MonthlyReport, project: Project, month: datetime.date) -> None:
        """A closed month's report: submitted (late units up to the day before closing) and approved."""
        rng = self.rng
        closing = self._closing_day(month)
        day = min(self._submission_day(project, month), closing - datetime.timedelta(days=1))
        reviewed = min(day + datetime.timedelta(days=rng.randint(1, 3)), closing)
        report.status = MonthlyReport.Status.APPROVED
        report.submitted_at = at(day, rng.randint(8, 17), rng.randrange(0, 60, 5))
        report.submitted_by = self.reporters.get(project.unit_id)
        report.reviewed_at = at(reviewed, rng.randint(9, 16), rng.randrange(0, 60, 5))
        report.reviewed_by = self.coordinator

    def _open_month_status(self, report: MonthlyReport, project: Project, month: datetime.date) -> bool:
        """This month's report as it stands today: False when the unit has not even started it.

        Every report has a day it is drafted, submitted and reviewed; late units submit around or after the
        deadline, so once it has passed their projects are missing or still drafts (overdue)."""
        rng, today = self.rng, self.today
        submit = self._submission_day(project, month)
        drafted = submit - datetime.timedelta(days=rng.randint(2, 10))
        reviewed = submit + datetime.timedelta(days=rng.randint(1, 4))
        if today < drafted:
            return False
        if today < submit:
            report.status = MonthlyReport.Status.DRAFT
            return True
        report.status = MonthlyReport.Status.SUBMITTED
        report.submitted_at = at(submit, rng.randint(8, 17), rng.randrange(0, 60, 5))
        report.submitted_by = self.reporters.get(project.unit_id)
        if today >= reviewed:
            returned = rng.random() < 0.06
            report.status = MonthlyReport.Status.RETURNED if returned else MonthlyReport.Status.APPROVED
            report.return_reason = rng.choice(RETURN_REASONS) if returned else ""
            report.reviewed_at = at(reviewed, rng.randint(9, 16), rng.randrange(0, 60, 5))
            report.reviewed_by = self.coordinator
        return True

    @staticmethod
    def _works_kind(project: Project) -> str:
        if project.category == Category.INDUSTRY and "改造" in project.name:
            return "renovation"
        if project.category in (Category.INFRASTRUCTURE, Category.ECOLOGY, Category.AGRICULTURE, Category.URBAN):
            for word, kind in KIND_BY_WORD:
                if word in project.name:
                    return kind
        return KIND_BY_CATEGORY.get(project.category, "building")

    @staticmethod
    def _stage_at(project: Project, day: datetime.date) -> str:
        for stage in (Stage.AT_CAPACITY, Stage.PRODUCING, Stage.COMPLETED, Stage.STARTED):
            reached = project.stage_date(stage)
            if reached and reached <= day:
                return stage
        return ""

    def _progress_text(self, track: _Track, month: datetime.date, kind: str, floors: int) -> str:
        project, end = track.project, month_end(month)
        if track.idle(month.month):
            return f"项目停工：{project.suspended_reason}"
        if project.at_capacity_date and project.at_capacity_date <= end:
            return "已达产达效，生产经营稳定"
        industry = project.category in (Category.INDUSTRY, Category.AGRICULTURE)
        if project.producing_date and project.producing_date <= end:
            return "已投产，产能逐步释放" if industry else "已投入使用，运行正常"
        if project.completed_date and project.completed_date <= end:
            return "已竣工，开展试生产及投产准备" if industry else "已竣工，办理竣工验收备案"
        started = project.started_date
        finish = project.completed_date or project.planned_completed_date or started + datetime.timedelta(days=730)
        span = max(_months_between(started, finish), 1.0)
        done = min(max(_months_between(started, end), 0.0) / span, 0.99)
        phases = PHASES[kind]
        begin = 0.0
        for number, (until, sentences) in enumerate(phases):
            if done < until or number == len(phases) - 1:
                within = (done - begin) / (until - begin)
                sentence = sentences[min(int(within * len(sentences)), len(sentences) - 1)]
                floor = max(1, math.ceil(floors * within))
                if "{floor}" in sentence and floor >= floors:
                    return "主体结构封顶，开展二次结构施工"
                return sentence.format(
                    floor=floor, pct=min(max(5, round(within * 20) * 5), 95), n=max(4, round(within * 120)),
                    km=f"{max(0.2, done * 8.5):.1f}", m=max(100, int(done * 420) * 10),
                )
            begin = until
        raise AssertionError("unreachable")  # the last phase always matches

    def _workers(self, track: _Track, month: datetime.date) -> int | None:
        project = track.project
        if track.idle(month.month):
            return 0
        completed = project.completed_date
        if completed and completed < month:
            return None  # no construction site any more
        base = min(max(math.sqrt(float(project.total_investment)) * 2.2, 15), 900)
        season = {1: 0.8, 2: 0.45}.get(month.month, 1.0)
        return max(5, round(base * season * self.rng.uniform(0.8, 1.2) * min(track.pace, 1.2)))

    def _problem(self, track: _Track) -> str:
        rng = self.rng
        slow = track.scaled and track.pace * track.scale < 0.75
        if rng.random() > (0.35 if slow else 0.04):
            return ""
        government = track.project.category in (Category.INFRASTRUCTURE, Category.SOCIAL, Category.URBAN,
                                                Category.ECOLOGY)
        return rng.choice(PROBLEMS["government" if government else "investment"]).format(n=rng.randint(2, 30))

    # --- targets and snapshots ---

    def _targets(self) -> None:
        year = self.today.year
        rates = {r.code: r for r in RateDefinition.objects.filter(code__in={code for code, *_ in TARGETS})}
        existing = set(Target.objects.filter(year=year).values_list("rate__code", "level", "deadline"))
        rows = []
        for code, level, (month, day), percent in TARGETS:
            deadline = datetime.date(year, month, day)
            if code in rates and (code, level, deadline) not in existing:
                rows.append(Target(year=year, rate=rates[code], level=level, deadline=deadline,
                                   percent=Decimal(percent)))
        rows += self._quantity_targets(year)
        Target.objects.bulk_create(rows)

    def _quantity_targets(self, year: int) -> list[Target]:
        """新开工 and 竣工 counts (the projects planned to start / complete this year) and the year's planned
        investment as an amount: two aggregate queries, none when the year already has such targets."""
        if Target.objects.filter(year=year).exclude(kind=Target.Kind.RATE).exists():
            return []
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        planned = Project.objects.aggregate(
            started=Count("pk", filter=Q(planned_started_date__range=(start, end))),
            completed=Count("pk", filter=Q(planned_completed_date__range=(start, end))),
        )
        investment = AnnualPlan.objects.filter(year=year).aggregate(s=Sum("planned_investment"))["s"] or 0
        quantities = [(Target.Kind.COUNT, TargetMeasure.STARTED, planned["started"]),
                      (Target.Kind.COUNT, TargetMeasure.COMPLETED, planned["completed"]),
                      (Target.Kind.AMOUNT, TargetMeasure.PROJECT_INVESTMENT, investment)]
        return [Target(year=year, kind=kind, measure=measure, value=Decimal(value), deadline=end)
                for kind, measure, value in quantities if value]

    def _snapshots(self, periods: dict[datetime.date, Period]) -> None:
        """Frozen figures of this year's closed months and of last December (the year-end bulletin), computed as
        snapshots.freeze computes them; written here without freeze's audit event, one per month, so that the
        whole demo load stays one audit event."""
        months = [m for m, p in periods.items() if p.is_closed and (m.year == self.today.year or m.month == 12)]
        _refresh_statistics([Project, AnnualPlan, MonthlyReport, Period, ProjectApproval, Trip, Lead, FollowUp,
                             Recognition, BatchEntry, BondApplication, Problem])
        rows, history = [], []
        for month in sorted(months):
            period = periods[month]
            as_of = month_end(month)
            data = snapshot_data(Project.objects.all(), as_of=as_of, blank_history=list(history))
            history.append(set(data["attraction"]["blank_unit_ids"]))
            rows.append(Snapshot(period=period, as_of=as_of, data=data, created_at=period.closed_at,
                                 created_by=self.coordinator))
        Snapshot.objects.bulk_create(rows)
