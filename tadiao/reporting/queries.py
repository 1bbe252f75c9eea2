"""Reads of monthly reporting: the settings, the reports a unit owes, overdue units, what closing a month
leaves outstanding, and the plausibility of the figures entered."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings as django_settings
from django.db.models import CharField, Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from tadiao.lib.dates import cn_date, month_end
from tadiao.lib.numbers import round2, wan
from tadiao.org.models import Unit, User
from tadiao.projects.models import AnnualPlan, Project
from tadiao.projects.queries import get_project_for_user, may_write_project, visible_projects
from tadiao.reporting import photos
from tadiao.reporting.models import (
    REPORTED_STATUSES,
    MonthlyReport,
    Period,
    ReportingSettings,
    ReportPhoto,
    UnitPhotoSetting,
)

DONE_STATUSES = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED)
MISSING = "MISSING"
# The columns of the closing summary, in the order a reviewer reads them.
SUMMARY_STATUSES = (
    (MonthlyReport.Status.APPROVED, "审核通过"),
    (MonthlyReport.Status.SUBMITTED, "已报送待审核"),
    (MonthlyReport.Status.DRAFT, "草稿未报送"),
    (MonthlyReport.Status.RETURNED, "已退回未重报"),
    (MISSING, "未填报"),
)


def reporting_settings() -> ReportingSettings:
    settings, _ = ReportingSettings.objects.get_or_create(pk=1)
    return settings


def projects_owing_reports(period: Period) -> QuerySet[Project]:
    """Projects that owe a report for the period: not cancelled, in that year's plan (年度计划)."""
    in_plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=period.month.year)
    return Project.objects.filter(Exists(in_plan), is_cancelled=False)


def owed_reports_for_user(user: User, period: Period, *, status: str = "") -> QuerySet[Project]:
    """The projects the user's scope owes for the period, each with its report (if started) in one query.

    `status`: only those whose report has that status, or "MISSING" for those with no report yet (anything else:
    all of them)."""
    owed = projects_owing_reports(period).filter(pk__in=visible_projects(user).values("pk"))
    if status in MonthlyReport.Status.values:
        owed = owed.filter(monthly_reports__period=period, monthly_reports__status=status)
    elif status == "MISSING":
        owed = owed.exclude(monthly_reports__period=period)
    return owed.select_related("unit").order_by("unit__display_order", "id")


def report_link(user: User, project: Project, period: Period, report: MonthlyReport | None) -> str:
    """The word of a list row's link to the report form, or "" for no link: a closed month is only 查看 (a
    report never filed there has nothing to show), and only those who may write see 填报 or 修改."""
    if period.is_closed:
        return "查看" if report is not None else ""
    may_write = may_write_project(user, project)
    if report is None:
        return "填报" if may_write else ""
    if may_write and report.status in (MonthlyReport.Status.DRAFT, MonthlyReport.Status.RETURNED):
        return "修改"
    return "查看"


def report_of(project: Project, period: Period) -> MonthlyReport | None:
    """The project's report for the period, if one was started."""
    return MonthlyReport.objects.filter(project=project, period=period).first()


def reports_for_period(period: Period, projects: QuerySet[Project]) -> dict[int, MonthlyReport]:
    return {r.project_id: r for r in MonthlyReport.objects.filter(period=period, project__in=projects)}


def overdue_units(period: Period, *, today: datetime.date) -> QuerySet[Unit]:
    """Units with at least one owed report not yet submitted once the deadline has passed."""
    if today <= period.deadline:
        return Unit.objects.none()
    done = MonthlyReport.objects.filter(project=OuterRef("pk"), period=period, status__in=DONE_STATUSES)
    late_projects = projects_owing_reports(period).filter(~Exists(done))
    return Unit.objects.filter(pk__in=late_projects.values("unit_id")).order_by("display_order", "id")


def period_for_month(month: datetime.date) -> Period | None:
    return Period.objects.filter(month=month.replace(day=1)).first()


def report_scope(user: User) -> Q:
    """Reports of projects the user may read."""
    return Q(project__in=visible_projects(user))


def get_report_for_user(user: User, pk: int, *, write: bool = False) -> MonthlyReport:
    """The report, or 404 outside the user's scope; 403 when the user may read it but not write."""
    report = MonthlyReport.objects.select_related("period", "project").filter(pk=pk).first()
    if report is None:
        raise Http404("月报不存在或无权查看。")
    get_project_for_user(user, report.project_id, write=write)
    return report


def parse_month(value: str | None, *, default: datetime.date) -> datetime.date:
    """ "2026-11" → 2026-11-01; anything else → the default month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return default.replace(day=1)


def awaiting_review_count(user: User, period: Period) -> int:
    """待审核: reports of the period submitted and not yet reviewed, among the projects the user sees."""
    return MonthlyReport.objects.filter(
        period=period, status=MonthlyReport.Status.SUBMITTED, project__in=visible_projects(user)
    ).count()


# ---------------------------------------------------------------------------------------------------
# Closing a month


def snapshot_as_of(period: Period, *, today: datetime.date) -> datetime.date:
    """The date a month's snapshot is taken on: the day of closing, or the month's last day when that is earlier.
    Never a day after the closing — a month closed on 3 December does not count a problem due on the 24th late."""
    return min(today, month_end(period.month))


@dataclass(frozen=True)
class UnitCloseRow:
    unit: Unit
    counts: dict[str, int]  # SUMMARY_STATUSES codes → reports (MISSING: owed, none saved)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def outstanding(self) -> int:
        return self.total - self.counts[MonthlyReport.Status.APPROVED]

    @property
    def cells(self) -> list[int]:
        return [self.counts[code] for code, _ in SUMMARY_STATUSES]


@dataclass(frozen=True)
class CloseSummary:
    """What closing a month would leave behind, shown before the coordinator confirms."""

    period: Period
    today: datetime.date
    rows: list[UnitCloseRow]  # units with owed reports, those with most outstanding first
    totals: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def outstanding(self) -> int:
        return self.total - self.totals[MonthlyReport.Status.APPROVED]

    @property
    def total_cells(self) -> list[int]:
        return [self.totals[code] for code, _ in SUMMARY_STATUSES]

    @property
    def labelled_totals(self) -> list[tuple[str, int]]:
        return [(label, self.totals[code]) for code, label in SUMMARY_STATUSES]

    @property
    def units_outstanding(self) -> int:
        return sum(1 for row in self.rows if row.outstanding)

    @property
    def days_to_deadline(self) -> int:
        """Days from today to the deadline: positive before it, 0 on the day, negative once it has passed."""
        return (self.period.deadline - self.today).days

    @property
    def days_past_deadline(self) -> int:
        return -self.days_to_deadline

    @property
    def deadline_passed(self) -> bool:
        return self.today > self.period.deadline

    @property
    def as_of(self) -> datetime.date:
        return snapshot_as_of(self.period, today=self.today)

    @property
    def before_month_end(self) -> bool:
        return self.today < month_end(self.period.month)

    @property
    def reason_required_because(self) -> list[str]:
        """Why a reason must be given to close now (empty: none needed), in the words the page shows."""
        reasons = []
        if not self.deadline_passed:
            reasons.append(
                "填报截止日期尚未到"
                + (f"（还有{self.days_to_deadline}天）" if self.days_to_deadline > 0 else "（今天截止）")
            )
        if self.outstanding:
            reasons.append(f"还有{self.outstanding}份月报未审核通过（涉及{self.units_outstanding}个单位）")
        return reasons


def close_summary(period: Period, *, today: datetime.date) -> CloseSummary:
    """Owed reports of the period by unit and status, set-based: two queries whatever the number of units and
    projects (the counts grouped by unit and report status, then the units)."""
    status = MonthlyReport.objects.filter(project=OuterRef("pk"), period=period).values("status")[:1]
    grouped = (
        projects_owing_reports(period)
        .annotate(report_status=Coalesce(Subquery(status), Value(MISSING), output_field=CharField()))
        .values("unit_id", "report_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    empty = {code: 0 for code, _ in SUMMARY_STATUSES}
    by_unit: dict[int, dict[str, int]] = {}
    totals = dict(empty)
    for row in grouped:
        counts = by_unit.setdefault(row["unit_id"], dict(empty))
        counts[row["report_status"]] += row["n"]
        totals[row["report_status"]] += row["n"]
    units = Unit.objects.filter(pk__in=list(by_unit)).order_by("display_order", "id")
    rows = [UnitCloseRow(unit=u, counts=by_unit[u.pk]) for u in units]
    rows.sort(key=lambda r: -r.outstanding)  # stable: the configured unit order among equals
    return CloseSummary(period=period, today=today, rows=rows, totals=totals)


# ---------------------------------------------------------------------------------------------------
# Plausibility of the figures entered (合理性校验)


def _ratio(value: Decimal, base: Decimal) -> str:
    return f"{round2(value / base * 100)}%"


def report_warnings(*, project: Project, period: Period, investment: Decimal | None) -> list[str]:
    """The plausibility warnings of a month's investment figure, in the words the form shows (empty: none):
    above the year's planned investment, or taking the since-start cumulative (the project's reports of every
    other month, whatever their status, plus this one) above the project's total investment. Two queries."""
    if not investment or investment <= 0:
        return []
    warnings = []
    year = period.month.year
    plan = (
        AnnualPlan.objects.filter(project=project, year=year).values_list("planned_investment", flat=True).first()
    )
    if plan is not None:
        plan = Decimal(plan)
        if plan == 0:
            warnings.append(
                f"该项目{year}年度计划投资为 0，本月却填报完成投资 {wan(investment)} 万元。请核对数字和单位（万元）。"
            )
        elif investment > plan:
            warnings.append(
                f"本月完成投资 {wan(investment)} 万元，超过该项目{year}年度计划投资 {wan(plan)} 万元"
                f"（为年度计划的 {_ratio(investment, plan)}）。请核对数字和单位（万元）。"
            )
    total = Decimal(project.total_investment or 0)
    if total > 0:
        others = (
            MonthlyReport.objects.filter(project=project)
            .exclude(period=period)
            .aggregate(s=Sum("investment_completed"))["s"]
        )
        cumulative = Decimal(others or 0) + investment
        if cumulative > total:
            warnings.append(
                f"加上本月，项目累计完成投资将达 {wan(cumulative)} 万元，超过项目总投资 {wan(total)} 万元。"
                "请核对数字和单位（万元）；如总投资已调整，请先修改项目信息。"
            )
    return warnings


def plan_warnings(*, project: Project, year: int, planned_investment: Decimal | None) -> list[str]:
    """The plausibility warnings of an annual plan's investment (empty: none): below what the project has
    already reported for that year (the 3.79 万元 plan that gives 2506.6%), or above its total investment."""
    if planned_investment is None:
        return []
    warnings = []
    reported = MonthlyReport.objects.filter(project=project, period__month__year=year).aggregate(
        s=Sum("investment_completed")
    )["s"]
    reported = Decimal(reported or 0)
    if reported > 0 and planned_investment < reported:
        rate = f"，年度投资完成率将达 {_ratio(reported, planned_investment)}" if planned_investment > 0 else ""
        warnings.append(
            f"{year}年度计划投资 {wan(planned_investment)} 万元，低于该项目本年已填报的完成投资 {wan(reported)} 万元"
            f"{rate}。请核对数字和单位（万元）。"
        )
    total = Decimal(project.total_investment or 0)
    if total > 0 and planned_investment > total:
        warnings.append(
            f"{year}年度计划投资 {wan(planned_investment)} 万元，超过项目总投资 {wan(total)} 万元。"
            "请核对数字和单位（万元）。"
        )
    return warnings


# ---------------------------------------------------------------------------------------------------
# Site photos


def photo_max_bytes() -> int:
    """The largest photo accepted: the one upload limit of the deployment (TADIAO_UPLOAD_MAX_BYTES)."""
    return int(django_settings.UPLOAD_MAX_BYTES)


def size_text(size: int) -> str:
    """20971520 → "20 MB", 1572864 → "1.5 MB", 300000 → "293 KB": how the hint and the refusal write a limit."""
    mb = Decimal(size) / (1024 * 1024)
    if mb >= 1:
        return f"{mb.quantize(Decimal('0.1')).normalize():f} MB"
    return f"{(Decimal(size) / 1024).quantize(Decimal('1'))} KB"


def image_max_pixels() -> int:
    """The largest photo accepted in pixels (width × height): TADIAO_IMAGE_MAX_PIXELS."""
    return int(django_settings.IMAGE_MAX_PIXELS)


def photo_location_units() -> list[int]:
    """Ids of the units whose stored photos keep the GPS position and shooting time."""
    return list(UnitPhotoSetting.objects.filter(keep_photo_location=True).values_list("unit_id", flat=True))


@dataclass(frozen=True)
class GalleryPhoto:
    """A site photo as the reviewer sees it: the evidence read from it and the reasons it is 存疑 (if any)."""

    photo: ReportPhoto
    distance_km: Decimal | None  # from the project's location, when both are known
    doubts: list[str]

    @property
    def has_evidence(self) -> bool:
        return self.photo.taken_at is not None or self.photo.latitude is not None

    @property
    def taken_text(self) -> str:
        """2026年11月5日 10:20 in the county's time ("" when the photo gives none)."""
        return _local_text(self.photo.taken_at)

    @property
    def uploaded_text(self) -> str:
        return _local_text(self.photo.uploaded_at)


def _local_text(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{cn_date(local.date())} {local:%H:%M}"


def keeps_photo_location(unit_id: int) -> bool:
    return UnitPhotoSetting.objects.filter(unit_id=unit_id, keep_photo_location=True).exists()


def report_gallery(report: MonthlyReport | None) -> list[GalleryPhoto]:
    """The report's photos with their 存疑 marks, computed against the project's current location and the current
    distance setting. Two queries whatever the number of photos: the settings row, the photos with their uploader
    (the report, its project and period are already loaded by the access gate)."""
    if report is None:
        return []
    max_km = Decimal(reporting_settings().photo_max_distance_km)
    project = report.project
    rows = []
    for photo in report.photos.select_related("uploaded_by"):
        distance = None
        if None not in (photo.latitude, photo.longitude, project.latitude, project.longitude):
            distance = photos.distance_km(photo.latitude, photo.longitude, project.latitude, project.longitude)
        reasons = photos.doubts(
            taken_at=photo.taken_at,
            distance=distance,
            month=report.period.month,
            max_distance_km=max_km,
            uploaded_at=photo.uploaded_at,
        )
        rows.append(GalleryPhoto(photo=photo, distance_km=distance, doubts=reasons))
    return rows


def year_progress(projects: QuerySet[Project], *, year: int, months: int) -> QuerySet[Project]:
    """Each project with `ytd_investment` (1—N月累计 of `year`, from submitted and approved monthly reports, as the
    indicators count it), and `progress_text` / `progress_month` of its latest such report up to that month with a
    形象进度 — three subqueries, no query per row. `months` ≥ 1 (projects.extensions handles a future year).

    The project ledger export's reader: registered in projects.extensions by ReportingConfig.ready()."""
    reported = MonthlyReport.objects.filter(
        project=OuterRef("pk"), status__in=REPORTED_STATUSES, period__month__lte=datetime.date(year, months, 1)
    )
    ytd = (
        reported.filter(period__month__gte=datetime.date(year, 1, 1))
        .order_by()
        .values("project")
        .annotate(s=Sum("investment_completed"))
        .values("s")
    )
    latest = reported.exclude(progress_text="").order_by("-period__month")
    return projects.annotate(
        ytd_investment=Coalesce(
            Subquery(ytd), Value(Decimal("0")), output_field=DecimalField(max_digits=16, decimal_places=2)
        ),
        progress_text=Subquery(latest.values("progress_text")[:1]),
        progress_month=Subquery(latest.values("period__month")[:1]),
    )
