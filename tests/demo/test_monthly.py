"""The demo's monthly cycle: closed months with approved reports and frozen snapshots, an open month with late
units, targets, and figures a dashboard can talk about (the county a little behind 序时进度, units far apart)."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from tadiao.audit.models import AuditEvent
from tadiao.demo import monthly, services
from tadiao.indicators import queries, warnings
from tadiao.indicators.models import Snapshot, Target
from tadiao.indicators.snapshots import snapshot_data
from tadiao.lib.dates import month_end
from tadiao.org.models import User
from tadiao.projects.models import AnnualPlan, Level, Nature, Project
from tadiao.reporting.models import MonthlyReport, Period
from tadiao.reporting.queries import DONE_STATUSES, overdue_units, projects_owing_reports
from tests.demo.helpers import counts

# After this month's deadline (the 25th): late units are overdue.
TODAY = datetime.date(2026, 11, 27)
THIS_MONTH = datetime.date(2026, 11, 1)
LAST_CLOSED = datetime.date(2026, 10, 1)
INVESTMENT_RULE = "年度投资完成率低于序时进度"


def months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    result = [first]
    while result[-1] < last:
        result.append(month_end(result[-1]) + datetime.timedelta(days=1))
    return result


def percent(value: str) -> Decimal:
    return Decimal(value)


# --- periods --------------------------------------------------------------------------------------------


def test_months_up_to_last_month_are_closed_and_this_month_is_open(demo):
    periods = list(Period.objects.order_by("month"))
    assert [p.month for p in periods] == months(datetime.date(2025, 1, 1), THIS_MONTH)
    coordinator = User.objects.get(username="diaodu")
    *closed, current = periods
    for period in closed:
        assert period.status == Period.Status.CLOSED
        assert period.closed_by == coordinator
        assert period.deadline == period.month.replace(day=25)
        assert period.deadline <= period.closed_at.date() <= month_end(period.month)
    assert current.month == THIS_MONTH and current.status == Period.Status.OPEN
    assert current.closed_at is None and current.closed_by is None
    assert current.deadline == datetime.date(2026, 11, 25)  # ReportingSettings' default day
    assert (demo.periods, demo.closed_periods) == (23, 22)


# --- reports --------------------------------------------------------------------------------------------


def test_reports_only_for_planned_projects_that_had_started(demo):
    plans = set(AnnualPlan.objects.values_list("project_id", "year"))
    projects = {p.pk: p for p in Project.objects.all()}
    reported = defaultdict(set)
    for project_id, month, deadline in MonthlyReport.objects.values_list(
            "project_id", "period__month", "period__deadline"):
        project = projects[project_id]
        assert (project_id, month.year) in plans, project.name
        assert project.started_date is not None and project.started_date <= deadline, (project.name, month)
        assert not project.is_cancelled
        reported[month].add(project_id)
    # Every closed month has a report from every planned project that had started by its deadline.
    for period in Period.objects.filter(status=Period.Status.CLOSED):
        due = {pk for pk, p in projects.items() if (pk, period.month.year) in plans and not p.is_cancelled
               and p.started_date and p.started_date <= period.deadline}
        assert reported[period.month] == due, period
    assert demo.reports == MonthlyReport.objects.count() > 2500


def test_closed_months_are_approved_and_reviewed_before_closing(demo):
    coordinator = User.objects.get(username="diaodu")
    closed = MonthlyReport.objects.filter(period__status=Period.Status.CLOSED).select_related("period", "project")
    assert set(closed.values_list("status", flat=True)) == {MonthlyReport.Status.APPROVED}
    for report in closed:
        assert report.reviewed_by_id == coordinator.pk
        assert report.submitted_at <= report.reviewed_at <= report.period.closed_at
        assert report.submitted_at.date() >= max(report.period.month, report.project.started_date)
    # The demo reporters' own units' reports carry their names.
    tianbao2 = User.objects.get(username="tianbao2")
    assert closed.filter(project__unit=tianbao2.unit, submitted_by=tianbao2).exists()


def test_continuing_projects_report_in_both_years(demo):
    both = Project.objects.filter(nature=Nature.CONTINUING, annual_plans__year=2025).filter(
        annual_plans__year=2026)
    assert both.count() >= 20
    for project in both:
        years = {m.year for m in project.monthly_reports.values_list("period__month", flat=True)}
        assert years == {2025, 2026}, project.name


def test_reports_read_like_a_site_visit(demo):
    reports = MonthlyReport.objects.all()
    assert not reports.filter(progress_text="").exists()
    assert reports.filter(progress_text__regex=r"^主体结构施工至[0-9]+层$").exists()
    assert reports.filter(progress_text="设备安装调试").exists()
    assert reports.filter(progress_text__startswith="项目停工：").exists()  # suspended projects say why
    assert reports.filter(progress_text__startswith="已竣工").exists()
    assert reports.filter(workers_on_site__gte=100).count() > 500
    assert reports.exclude(problems="").count() > 50
    assert not reports.filter(stage_reached="").exists()
    assert reports.filter(investment_completed__gt=0).count() > 2000
    # Nobody completes more than 130% of a year's plan.
    plans = {(a.project_id, a.year): a.planned_investment for a in AnnualPlan.objects.all()}
    totals = defaultdict(Decimal)
    for project_id, month, amount in reports.values_list("project_id", "period__month", "investment_completed"):
        totals[project_id, month.year] += Decimal(str(amount))
    for key, total in totals.items():
        assert total <= plans[key] * Decimal("1.3") + 1, key


def test_this_month_is_a_mix_and_late_units_are_overdue(demo):
    period = Period.objects.get(month=THIS_MONTH)
    statuses = set(MonthlyReport.objects.filter(period=period).values_list("status", flat=True))
    assert {MonthlyReport.Status.DRAFT, MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED} <= statuses
    started = projects_owing_reports(period).filter(started_date__lte=period.deadline)
    reported = MonthlyReport.objects.filter(period=period).values("project_id")
    missing = started.exclude(pk__in=reported)
    assert missing.exists()  # started projects whose unit has not even begun this month's report
    late = started.exclude(pk__in=reported.filter(status__in=DONE_STATUSES))
    units = overdue_units(period, today=TODAY)
    assert units.count() >= 10
    assert set(late.values_list("unit_id", flat=True)) <= set(units.values_list("pk", flat=True))
    # Every report of this month was drafted or submitted by today.
    assert not MonthlyReport.objects.filter(period=period, submitted_at__date__gt=TODAY).exists()
    assert not MonthlyReport.objects.filter(period=period, reviewed_at__date__gt=TODAY).exists()


# --- figures --------------------------------------------------------------------------------------------


def test_snapshots_of_this_years_closed_months_and_last_december(demo):
    snapshots = list(Snapshot.objects.select_related("period").order_by("as_of"))
    assert [s.period.month for s in snapshots] == [datetime.date(2025, 12, 1), *months(
        datetime.date(2026, 1, 1), LAST_CLOSED)]
    for snapshot in snapshots:
        assert snapshot.as_of == month_end(snapshot.period.month)
        assert snapshot.created_at == snapshot.period.closed_at
    assert demo.snapshots == len(snapshots)


def test_last_closed_month_is_a_little_behind_time_progress(demo):
    snapshot = Snapshot.objects.get(period__month=LAST_CLOSED)
    figures = snapshot.data["indicators"]
    rate = percent(figures["rates"]["annual_investment_completion"]["percent"])
    progress = percent(figures["time_progress"])
    assert progress == Decimal("83.33")
    assert Decimal("5") <= progress - rate <= Decimal("10"), rate
    # The frozen figures are what the indicators compute from the reports in place.
    assert snapshot.data == snapshot_data(Project.objects.all(), as_of=snapshot.as_of)
    live = queries.compute_indicators(Project.objects.all(), as_of=snapshot.as_of)
    assert live.annual_completion == rate
    # Last year ended a little short of its plan too.
    december = Snapshot.objects.get(period__month=datetime.date(2025, 12, 1)).data["indicators"]
    assert Decimal("90") <= percent(december["rates"]["annual_investment_completion"]["percent"]) < 100


def test_units_are_far_apart_and_warnings_light_up(demo):
    data = Snapshot.objects.get(period__month=LAST_CLOSED).data
    progress = percent(data["indicators"]["time_progress"])
    rates = [percent(u["rates"]["annual_investment_completion"]["percent"]) for u in data["units"]
             if u["rates"]["annual_investment_completion"]["percent"] is not None]
    assert sum(1 for r in rates if r >= progress + 10) >= 5  # well ahead
    assert sum(1 for r in rates if 0 < r <= progress - 30) >= 3  # reporting, but far behind
    reasons = [reason for w in data["warnings"] for reason in w["reasons"]]
    assert sum(1 for r in reasons if r.startswith(f"红灯：{INVESTMENT_RULE}")) >= 10
    assert sum(1 for r in reasons if r.startswith(f"黄灯：{INVESTMENT_RULE}")) >= 10
    lights = {w["light"] for w in data["warnings"]}
    assert lights == {warnings.RED, warnings.YELLOW}
    # The same today, live.
    totals = warnings.light_totals(Project.objects.all(), as_of=TODAY, rules=warnings.active_rules())
    assert totals["red"] > 0 and totals["yellow"] > 0


def test_targets_of_this_year(demo):
    targets = {(t.rate.code, t.level, t.deadline): t.percent
               for t in Target.objects.filter(kind=Target.Kind.RATE).select_related("rate")}
    assert targets == {
        ("start_rate", Level.PROVINCIAL, datetime.date(2026, 6, 30)): Decimal("85.00"),
        ("start_rate", Level.CITY, datetime.date(2026, 6, 30)): Decimal("75.00"),
        ("start_rate", "", datetime.date(2026, 9, 30)): Decimal("100.00"),
        ("annual_investment_completion", "", datetime.date(2026, 6, 30)): Decimal("50.00"),
    }
    # 新开工 / 竣工 counts: the projects planned to start / complete this year; the year's planned investment
    planned = Project.objects.filter(planned_started_date__year=2026).count()
    completing = Project.objects.filter(planned_completed_date__year=2026).count()
    investment = AnnualPlan.objects.filter(year=2026).aggregate(s=Sum("planned_investment"))["s"]
    quantities = {t.measure: t.value for t in Target.objects.exclude(kind=Target.Kind.RATE)}
    assert quantities == {"STARTED": planned, "COMPLETED": completing, "PROJECT_INVESTMENT": investment}
    assert planned > 0 and completing > 0
    frozen = Snapshot.objects.get(period__month=LAST_CLOSED).data["indicators"]["targets"]
    assert len(frozen) == 7 and all(t["actual"] is not None for t in frozen)
    assert demo.targets == 7


# --- the load as a whole --------------------------------------------------------------------------------


def test_the_whole_load_is_one_audit_event(demo):
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["demo.loaded"]
    changes = AuditEvent.objects.get().changes
    assert changes["月度进展"] == demo.reports and changes["指标快照"] == demo.snapshots
    assert changes["填报月份"] == 23 and changes["目标"] == 7  # 4 rate targets, 2 counts, 1 amount


def test_a_second_run_changes_nothing(demo):
    before = counts()
    again = services.load_demo(today=TODAY)
    assert not again.created
    assert (again.periods, again.reports, again.snapshots) == (demo.periods, demo.reports, demo.snapshots)
    services.load_demo(today=TODAY + datetime.timedelta(days=45))  # a later month: still nothing new
    assert counts() == before


def test_the_months_are_deterministic(demo):
    # The same seed and `today` draw the same reports: other tests and screenshots may rely on these counts.
    assert demo.reports == 3212
    open_month = MonthlyReport.objects.filter(period__month=THIS_MONTH)
    assert {s: open_month.filter(status=s).count() for s in MonthlyReport.Status.values} == {
        "DRAFT": 8, "SUBMITTED": 10, "APPROVED": 123, "RETURNED": 15}
    # Its own generator: the county itself draws what it drew before the months were added.
    assert monthly.SEED != services.SEED
