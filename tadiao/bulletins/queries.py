"""The five lists (五个清单): which of the user's visible projects fall in each on an as-of date, with the figures an
office prints beside them. Every list is one queryset, its figures computed set-based by correlated subqueries.

Figures of every row (annotations):
  year_planned    the annual plan's planned investment for the as-of year (万元; None without a plan);
  ytd_completed   1—N月累计完成: investment of the submitted or approved monthly reports from January of the as-of
                  year to the as-of month (万元; 0 without reports) — the same sum as the indicators' 年度投资完成;
  latest_progress 形象进度: the progress text of the latest submitted or approved report up to the as-of month.
"""

import base64
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from tadiao.bulletins import drafting
from tadiao.bulletins.models import Bulletin, BulletinSettings, NumberSequence
from tadiao.indicators.selection import REPORTED_STATUSES
from tadiao.lib.dates import cn_date, month_end
from tadiao.lib.params import date_param
from tadiao.org.models import Unit, User
from tadiao.projects.models import AnnualPlan, Level, Project
from tadiao.projects.queries import visible_projects
from tadiao.reporting.models import MonthlyReport, Period

SMART_TAG = "智能化改造"
# domain.md: a cancelled project stays in every list it was in and is shown as cancelled; a suspended one likewise.
# Pages badge them beside the name, exports fill 项目状态 (正常/停工/终止, Project.status_label).
FLAGGED_STAY = "停工、终止项目仍列入，分别标明停工、终止。"
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)

SIGNED_NOT_STARTED = "signed-not-started"
TO_START = "to-start"
UNDER_CONSTRUCTION = "under-construction"
TO_COMPLETE = "to-complete"
SMART_UPGRADE = "smart-upgrade"


@dataclass(frozen=True)
class FiveList:
    """One of the five lists as pages and exports present it."""

    key: str
    title: str
    definition: str
    windowed: bool
    # (header, Project attribute): the planned/actual dates relevant to the list, as printed.
    dates: tuple[tuple[str, str], ...]
    with_stage: bool = False


LISTS: dict[str, FiveList] = {
    spec.key: spec
    for spec in (
        FiveList(
            SIGNED_NOT_STARTED,
            "签约未开工项目",
            "签约日期在截至日期当天或之前，截至该日尚未开工（无开工日期，或开工日期晚于截至日期）；" + FLAGGED_STAY,
            windowed=False,
            dates=(("签约日期", "signed_date"), ("计划开工日期", "planned_started_date")),
        ),
        FiveList(
            TO_START,
            "计划开工项目",
            "计划开工日期在所选时间窗口内（含起止两日），截至日期时尚未开工；" + FLAGGED_STAY,
            windowed=True,
            dates=(("立项日期", "approved_date"), ("计划开工日期", "planned_started_date")),
        ),
        FiveList(
            UNDER_CONSTRUCTION,
            "在建项目",
            "开工日期在截至日期当天或之前，截至该日尚未竣工（无竣工日期，或竣工日期晚于截至日期）；" + FLAGGED_STAY,
            windowed=False,
            dates=(("开工日期", "started_date"), ("计划竣工日期", "planned_completed_date")),
        ),
        FiveList(
            TO_COMPLETE,
            "计划竣工投产项目",
            "计划竣工日期在所选时间窗口内且截至日期时尚未竣工，或计划投产日期在窗口内且截至日期时尚未投产"
            "（窗口含起止两日）；" + FLAGGED_STAY,
            windowed=True,
            dates=(
                ("计划竣工日期", "planned_completed_date"),
                ("竣工日期", "completed_date"),
                ("计划投产日期", "planned_producing_date"),
            ),
        ),
        FiveList(
            SMART_UPGRADE,
            "智能化改造项目",
            f"带有“{SMART_TAG}”标签的项目，不论所处阶段；{FLAGGED_STAY}",
            windowed=False,
            dates=(("计划开工日期", "planned_started_date"), ("开工日期", "started_date")),
            with_stage=True,
        ),
    )
}


# ---------------------------------------------------------------------------------------------------
# The conditions, one per list (SQL on Project)


def _not_reached(field_name: str, as_of: datetime.date) -> Q:
    return Q(**{f"{field_name}__isnull": True}) | Q(**{f"{field_name}__gt": as_of})


def _signed_not_started_q(*, as_of: datetime.date) -> Q:
    return Q(signed_date__lte=as_of) & _not_reached("started_date", as_of)


def _to_start_q(*, as_of: datetime.date, date_from: datetime.date, date_to: datetime.date) -> Q:
    return Q(planned_started_date__gte=date_from, planned_started_date__lte=date_to) & (
        _not_reached("started_date", as_of)
    )


def _under_construction_q(*, as_of: datetime.date) -> Q:
    return Q(started_date__lte=as_of) & _not_reached("completed_date", as_of)


def _to_complete_q(*, as_of: datetime.date, date_from: datetime.date, date_to: datetime.date) -> Q:
    to_complete = Q(planned_completed_date__gte=date_from, planned_completed_date__lte=date_to) & _not_reached(
        "completed_date", as_of
    )
    to_produce = Q(planned_producing_date__gte=date_from, planned_producing_date__lte=date_to) & _not_reached(
        "producing_date", as_of
    )
    return to_complete | to_produce


def _smart_upgrade_q() -> Q:
    # EXISTS, not a join on tags: a join could repeat a project and would inflate the index's counts.
    return Q(Exists(Project.tags.through.objects.filter(project_id=OuterRef("pk"), tag__name=SMART_TAG)))


def _condition(key: str, *, as_of: datetime.date, date_from: datetime.date, date_to: datetime.date) -> Q:
    if key == SIGNED_NOT_STARTED:
        return _signed_not_started_q(as_of=as_of)
    if key == TO_START:
        return _to_start_q(as_of=as_of, date_from=date_from, date_to=date_to)
    if key == UNDER_CONSTRUCTION:
        return _under_construction_q(as_of=as_of)
    if key == TO_COMPLETE:
        return _to_complete_q(as_of=as_of, date_from=date_from, date_to=date_to)
    if key == SMART_UPGRADE:
        return _smart_upgrade_q()
    raise KeyError(key)


# ---------------------------------------------------------------------------------------------------
# The figures of each row


def with_figures(projects: QuerySet[Project], *, as_of: datetime.date) -> QuerySet[Project]:
    """The projects with unit and leader joined and the year's plan, 1—N月累计完成 and 形象进度 as subqueries."""
    reported = MonthlyReport.objects.filter(
        project=OuterRef("pk"), status__in=REPORTED_STATUSES, period__month__lte=as_of
    )
    plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=as_of.year).values("planned_investment")[:1]
    ytd = (
        reported.filter(period__month__gte=as_of.replace(month=1, day=1))
        .order_by()
        .values("project")
        .annotate(s=Sum("investment_completed"))
        .values("s")
    )
    latest = reported.order_by("-period__month").values("progress_text")[:1]
    return projects.select_related("unit", "leader").annotate(
        year_planned=Subquery(plan, output_field=MONEY),
        ytd_completed=Coalesce(Subquery(ytd, output_field=MONEY), Value(Decimal("0")), output_field=MONEY),
        latest_progress=Coalesce(Subquery(latest), Value(""), output_field=TextField()),
    )


# ---------------------------------------------------------------------------------------------------
# One function per list


def signed_not_started(user: User, *, as_of: datetime.date) -> QuerySet[Project]:
    """签约未开工: signed_date ≤ as_of, no started_date ≤ as_of (cancelled projects stay, shown as 终止)."""
    return with_figures(visible_projects(user).filter(_signed_not_started_q(as_of=as_of)), as_of=as_of)


def to_start(
    user: User, *, as_of: datetime.date, date_from: datetime.date, date_to: datetime.date
) -> QuerySet[Project]:
    """计划开工: planned_started_date within [date_from, date_to] (both included), not started by as_of
    (cancelled projects stay, shown as 终止)."""
    condition = _to_start_q(as_of=as_of, date_from=date_from, date_to=date_to)
    return with_figures(visible_projects(user).filter(condition), as_of=as_of)


def under_construction(user: User, *, as_of: datetime.date) -> QuerySet[Project]:
    """在建: started_date ≤ as_of and no completed_date ≤ as_of (suspended and cancelled projects stay in, marked)."""
    return with_figures(visible_projects(user).filter(_under_construction_q(as_of=as_of)), as_of=as_of)


def to_complete_or_produce(
    user: User, *, as_of: datetime.date, date_from: datetime.date, date_to: datetime.date
) -> QuerySet[Project]:
    """计划竣工/投产: planned_completed_date within [date_from, date_to] and no completed_date ≤ as_of, or
    planned_producing_date within the window and no producing_date ≤ as_of. As domain.md says, a cancelled
    project stays in every list it was in and is shown as 终止."""
    condition = _to_complete_q(as_of=as_of, date_from=date_from, date_to=date_to)
    return with_figures(visible_projects(user).filter(condition), as_of=as_of)


def smart_upgrade(user: User, *, as_of: datetime.date) -> QuerySet[Project]:
    """智能化改造: tagged 智能化改造, at any stage; cancelled projects stay in (shown as 终止)."""
    return with_figures(visible_projects(user).filter(_smart_upgrade_q()), as_of=as_of)


def list_counts(
    user: User, *, as_of: datetime.date, date_from: datetime.date, date_to: datetime.date
) -> dict[str, int]:
    """{list key: number of the user's visible projects in it}: one aggregate query for all five."""
    conditions = {key: _condition(key, as_of=as_of, date_from=date_from, date_to=date_to) for key in LISTS}
    # Aggregate aliases must be identifiers: "signed-not-started" → "signed_not_started".
    totals = visible_projects(user).aggregate(
        **{key.replace("-", "_"): Count("pk", filter=condition) for key, condition in conditions.items()}
    )
    return {key: totals[key.replace("-", "_")] for key in LISTS}


# ---------------------------------------------------------------------------------------------------
# A list page: filters and sorting

SORTS = {
    "default": ("unit__display_order", "unit_id", "id"),
    "name": ("name", "id"),
    "-investment": ("-total_investment", "id"),
    "-planned": (F("year_planned").desc(nulls_last=True), "id"),
    "-completed": ("-ytd_completed", "id"),
}
DATE_SORT = "date"  # the list's first date column, earliest first, projects without it last
SORT_LABELS = {
    "default": "按单位排序",
    "name": "项目名称",
    "-investment": "总投资（高→低）",
    "-planned": "年度计划投资（高→低）",
    "-completed": "累计完成（高→低）",
    DATE_SORT: "日期（早→晚）",
}


def default_window(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The as-of year, 1 January to 31 December: the year's list, including projects already overdue."""
    return as_of.replace(month=1, day=1), as_of.replace(month=12, day=31)


@dataclass
class ListFilters:
    """A list page's filters from the query string; unknown or bad values fall back to defaults and are named."""

    as_of: datetime.date
    date_from: datetime.date
    date_to: datetime.date
    q: str = ""
    unit: int | None = None
    level: str = ""
    sort: str = "default"
    invalid: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params, *, today: datetime.date) -> "ListFilters":
        invalid: list[str] = []
        as_of = date_param(params, "as_of", invalid, "截至日期") or today
        first, last = default_window(as_of)
        date_from = date_param(params, "from", invalid, "窗口起始日期") or first
        date_to = date_param(params, "to", invalid, "窗口截止日期") or last
        if date_from > date_to:
            invalid.append("时间窗口（起始晚于截止）")
            date_from, date_to = first, last
        unit = None
        raw_unit = params.get("unit", "").strip()
        if raw_unit:
            try:
                unit = int(raw_unit)
            except ValueError:
                invalid.append("责任单位")
        level = params.get("level", "")
        sort = params.get("sort", "default")
        return cls(
            as_of=as_of,
            date_from=date_from,
            date_to=date_to,
            q=params.get("q", "").strip()[:100],
            unit=unit,
            level=level if level in Level.values else "",
            sort=sort if sort in SORT_LABELS else "default",
            invalid=invalid,
        )

    def apply(self, projects: QuerySet[Project], spec: FiveList) -> QuerySet[Project]:
        if self.q:
            projects = projects.filter(
                Q(name__icontains=self.q) | Q(code__icontains=self.q) | Q(investor__icontains=self.q)
            )
        if self.unit:
            projects = projects.filter(unit_id=self.unit)
        if self.level:
            projects = projects.filter(level=self.level)
        if self.sort == DATE_SORT:
            return projects.order_by(F(spec.dates[0][1]).asc(nulls_last=True), "unit__display_order", "id")
        return projects.order_by(*SORTS[self.sort])


def list_rows(user: User, spec: FiveList, filters: ListFilters) -> QuerySet[Project]:
    """The filtered, sorted rows of one list, with their figures: one query whatever their number."""
    condition = _condition(spec.key, as_of=filters.as_of, date_from=filters.date_from, date_to=filters.date_to)
    return filters.apply(with_figures(visible_projects(user).filter(condition), as_of=filters.as_of), spec)


def filter_choices(user: User) -> dict:
    """Options of the filter bar: the units of the user's visible projects (one query), levels and sorts."""
    units = Unit.objects.filter(pk__in=visible_projects(user).values("unit_id")).order_by("display_order", "id")
    return {"units": list(units.only("id", "name")), "levels": Level.choices, "sorts": list(SORT_LABELS.items())}


# ---------------------------------------------------------------------------------------------------
# The monthly bulletin (月通报): access and reads
#
# A bulletin is region-wide (the snapshot covers every project of the deployment): the office (调度员) drafts,
# edits and generates it, leaders read it, unit reporters and the administrators do not see it (403).


def may_read_bulletins(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_coordinator or user.is_leader))


def may_write_bulletins(user: User) -> bool:
    return bool(user.is_authenticated and user.is_coordinator)


def require_bulletin_reader(user: User) -> None:
    if not may_read_bulletins(user):
        raise PermissionDenied("您的角色不能查看月度通报。")


def require_bulletin_writer(user: User) -> None:
    require_bulletin_reader(user)
    if not may_write_bulletins(user):
        raise PermissionDenied("只有调度员可以起草、修改和生成月度通报。")


def get_bulletin_for_user(user: User, pk: int, *, write: bool = False) -> Bulletin:
    """The bulletin with its period; 403 for a role that may not read (or, with write, may not write) it."""
    if write:
        require_bulletin_writer(user)
    else:
        require_bulletin_reader(user)
    bulletin = Bulletin.objects.select_related("period", "created_by").filter(pk=pk).first()
    if bulletin is None:
        raise Http404("没有这份通报。")
    return bulletin


def bulletin_list(user: User) -> QuerySet[Bulletin]:
    """Every bulletin, newest number first, with its period and author joined: one query per page."""
    require_bulletin_reader(user)
    return Bulletin.objects.select_related("period", "created_by").order_by("-year", "-number")


def periods_for_bulletin() -> QuerySet[Period]:
    """Closed months with a frozen snapshot, newest first: those a bulletin can be drafted for."""
    return Period.objects.filter(status=Period.Status.CLOSED, snapshot__isnull=False).order_by("-month")


def office_settings() -> BulletinSettings:
    """The bulletin settings row, or the defaults (unsaved) before the office first saves them."""
    return BulletinSettings.objects.filter(pk=1).select_related("updated_by").first() or BulletinSettings(pk=1)


def content_for(bulletin: Bulletin, office: BulletinSettings) -> dict:
    """What the .docx and the HTML preview show: the numbered sections (edited text where edited), the
    attachments, the chart titles and the header fields. No query."""
    month = bulletin.period.month
    # The snapshot's date the draft was written from (a month closed early is not "截至" its last day); drafts
    # older than that key were all taken on the month's end.
    drafted_as_of = bulletin.drafted.get("as_of")
    as_of = datetime.date.fromisoformat(drafted_as_of) if drafted_as_of else month_end(month)
    return {
        "title": bulletin.title,
        "doc_number": bulletin.doc_number,
        "number_prefix": bulletin.number_prefix,
        "year": bulletin.year,
        "number": bulletin.number,
        "issuer": office.issuer,
        "issuer_mark": office.issuer_mark,
        "recipients": office.recipients,
        "region_name": office.region_name,
        "date_text": cn_date(bulletin.issued_date),
        "period_text": f"{month.year}年{month.month}月",
        "months_text": drafting.months_text(month.month),
        "as_of_text": cn_date(as_of),
        "sections": drafting.numbered(bulletin.sections),
        "tables": bulletin.drafted.get("tables", []),
        "charts": bulletin.drafted.get("charts", {}),
    }


def preview_images(content: dict) -> tuple[dict[str, str], str]:
    """The charts of the HTML preview as base64 PNG (data: URIs are allowed by the pages' CSP), or the message
    that says why they cannot be drawn."""
    from tadiao.bulletins import charts  # here: matplotlib loads only for pages that draw

    try:
        images = charts.draw(content["charts"])
    except charts.ChartFontMissing as exc:
        return {}, str(exc)
    return {key: base64.b64encode(png).decode("ascii") for key, png in images.items()}, ""


def next_number(*, year: int) -> int:
    """The number the next bulletin of the year would get (as services.allocate_number computes it)."""
    sequence = NumberSequence.objects.filter(year=year).values_list("next_number", flat=True).first() or 1
    used = Bulletin.objects.filter(year=year).aggregate(m=Max("number"))["m"] or 0
    return max(sequence, used + 1)
