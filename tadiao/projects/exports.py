"""The project ledger (台账) as .xlsx: exactly the filtered rows, with the import sheet's headers so that an
exported ledger can be edited and imported back."""

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse

from tadiao.lib.xlsx import CellKind, XlsxSheet, xlsx_response
from tadiao.projects.extensions import with_year_progress
from tadiao.projects.models import BatchEntry, Category, Level, Nature, Project, Stage, status_label
from tadiao.projects.queries import batch_entries_text, ledger_months

# (header, width, kind); headers of the ledger import come first, in its order. Each row is built from one
# values_list() tuple (LEDGER_FIELDS): no model instance, no query per row.
COLUMNS: list[tuple[str, int, CellKind]] = [
    ("项目名称", 36, "text"),
    ("项目代码", 26, "text"),
    ("责任单位", 16, "text"),
    ("项目级别", 10, "text"),
    ("项目类别", 10, "text"),
    ("主导产业", 12, "text"),
    ("建设性质", 8, "text"),
    ("总投资（万元）", 14, "money"),
    ("签约日期", 12, "date"),
    ("立项日期", 12, "date"),
    ("计划开工日期", 12, "date"),
    ("开工日期", 12, "date"),
    ("计划竣工日期", 12, "date"),
    ("竣工日期", 12, "date"),
    ("投产日期", 12, "date"),
    ("达产日期", 12, "date"),
    ("项目状态", 8, "text"),
    ("标签", 18, "text"),
    ("当前阶段", 10, "text"),
    ("联系领导", 12, "text"),
    ("项目单位", 24, "text"),
    ("三个一批", 24, "text"),
]

# The columns the sheet reads, in the order ledger_sheet unpacks them (then the annotations of with_year_progress
# and project_rows). A province ledger is 50 000 rows: model instances and a lambda per cell were most of the
# export's time.
LEDGER_FIELDS = (
    "pk", "name", "code", "unit__name", "level", "category", "industry__name", "nature", "total_investment",
    "signed_date", "approved_date", "planned_started_date", "started_date", "planned_completed_date", "completed_date",
    "producing_date", "at_capacity_date", "is_cancelled", "is_suspended", "stage", "leader__name", "investor",
    "year_planned", "ytd_investment", "progress_text", "progress_month",
)

_LEVELS, _CATEGORIES = dict(Level.choices), dict(Category.choices)
_NATURES, _STAGES = dict(Nature.choices), dict(Stage.choices)


def _month_text(month: datetime.date | None) -> str:
    return f"{month.year}年{month.month}月" if month else ""


def _tags_by_project(rows: QuerySet[Project]) -> dict[int, str]:
    """Each project's tags as the sheet writes them (by name, joined with 、): one query for all rows."""
    links = (
        Project.tags.through.objects.filter(project_id__in=rows.values("pk"))
        .order_by("project_id", "tag__name")
        .values_list("project_id", "tag__name")
    )
    names: dict[int, list[str]] = {}
    for project_id, name in links.iterator(chunk_size=5000):
        names.setdefault(project_id, []).append(name)
    return {project_id: "、".join(tags) for project_id, tags in names.items()}


def _batches_by_project(rows: QuerySet[Project]) -> dict[int, str]:
    """Each project's "三个一批" entries as batch_entries_text writes them: one query for all rows."""
    entries = (
        BatchEntry.objects.filter(project_id__in=rows.values("pk"))
        .order_by()
        .values_list("project_id", "batch__number", "kind")
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for project_id, number, kind in entries.iterator(chunk_size=5000):
        found.setdefault(project_id, []).append((number, kind))
    return {project_id: batch_entries_text(pairs) for project_id, pairs in found.items()}


def ledger_sheet(rows: QuerySet[Project], *, plan_year: int, months: int) -> XlsxSheet:
    """The sheet 项目: 序号, the import headers, then the year's plan, its 1—N月累计 investment and the latest 形象进度
    (read-only columns the import ignores); `rows` come from extensions.with_year_progress with `year_planned`
    annotated (queries.project_rows). Three queries: the rows, their tags, their "三个一批" entries."""
    period = f"1—{months}月" if months > 1 else f"{months}月"
    columns: list[tuple[str, int, CellKind]] = [
        *COLUMNS,
        (f"{plan_year}年计划投资（万元）", 16, "money"),
        (f"{plan_year}年{period}累计完成投资（万元）", 18, "money"),
        ("最新形象进度", 40, "text"),
        ("形象进度月份", 12, "text"),
    ]
    tags = _tags_by_project(rows)
    batches = _batches_by_project(rows)
    values = rows.prefetch_related(None).values_list(*LEDGER_FIELDS)

    def body() -> Iterator[tuple[Any, ...]]:
        for n, (
            pk, name, code, unit, level, category, industry, nature, total_investment, signed, approved,
            planned_started, started, planned_completed, completed, producing, at_capacity, is_cancelled, is_suspended,
            stage, leader, investor, year_planned, ytd_investment, progress_text, progress_month,
        ) in enumerate(values.iterator(chunk_size=2000), start=1):
            yield (
                n, name, code, unit, _LEVELS.get(level, level), _CATEGORIES.get(category, category), industry,
                _NATURES.get(nature, nature), total_investment, signed, approved, planned_started, started,
                planned_completed, completed, producing, at_capacity,
                status_label(is_cancelled=is_cancelled, is_suspended=is_suspended), tags.get(pk),
                _STAGES.get(stage, stage), leader, investor, batches.get(pk), year_planned, ytd_investment,
                progress_text, _month_text(progress_month),
            )

    return XlsxSheet(
        "项目",
        ["序号", *(title for title, _, _ in columns)],
        body(),
        widths=[6, *(w for _, w, _ in columns)],
        kinds=["number", *(kind for _, _, kind in columns)],
    )


def project_ledger_response(rows: QuerySet[Project], *, plan_year: int, today: datetime.date) -> HttpResponse:
    months = ledger_months(plan_year, today=today)
    rows = with_year_progress(rows, year=plan_year, months=months)
    sheet = ledger_sheet(rows, plan_year=plan_year, months=months)
    return xlsx_response(f"项目台账_{today:%Y%m%d}.xlsx", [sheet], large=True)
