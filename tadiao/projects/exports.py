"""The project ledger (台账) as .xlsx: exactly the filtered rows, with the import sheet's headers so that an
exported ledger can be edited and imported back."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse

from tadiao.lib.xlsx import XlsxSheet, xlsx_response
from tadiao.projects.extensions import with_year_progress
from tadiao.projects.models import BatchEntry, Project
from tadiao.projects.queries import batch_entries_text, ledger_months

# (header, width, value of a row); headers of the ledger import come first, in its order.
COLUMNS = [
    ("项目名称", 36, lambda p: p.name),
    ("项目代码", 26, lambda p: p.code),
    ("责任单位", 16, lambda p: p.unit.name),
    ("项目级别", 10, lambda p: p.get_level_display()),
    ("项目类别", 10, lambda p: p.get_category_display()),
    ("主导产业", 12, lambda p: p.industry.name if p.industry else ""),
    ("建设性质", 8, lambda p: p.get_nature_display()),
    ("总投资（万元）", 14, lambda p: p.total_investment),
    ("签约日期", 12, lambda p: p.signed_date),
    ("立项日期", 12, lambda p: p.approved_date),
    ("计划开工日期", 12, lambda p: p.planned_started_date),
    ("开工日期", 12, lambda p: p.started_date),
    ("计划竣工日期", 12, lambda p: p.planned_completed_date),
    ("竣工日期", 12, lambda p: p.completed_date),
    ("投产日期", 12, lambda p: p.producing_date),
    ("达产日期", 12, lambda p: p.at_capacity_date),
    ("项目状态", 8, lambda p: p.status_label),
    ("标签", 18, lambda p: "、".join(t.name for t in p.tags.all())),
    ("当前阶段", 10, lambda p: p.get_stage_display()),
    ("联系领导", 12, lambda p: p.leader.name if p.leader else ""),
    ("项目单位", 24, lambda p: p.investor),
    ("三个一批", 24, lambda p: batch_entries_text((e.batch.number, e.kind) for e in p.batch_entries.all())),
]


def _month_text(month: datetime.date | None) -> str:
    return f"{month.year}年{month.month}月" if month else ""


def ledger_sheet(rows: QuerySet[Project], *, plan_year: int, months: int) -> XlsxSheet:
    """The sheet 项目: 序号, the import headers, then the year's plan, its 1—N月累计 investment and the latest 形象进度
    (read-only columns the import ignores); `rows` come from extensions.with_year_progress, read in chunks."""
    period = f"1—{months}月" if months > 1 else f"{months}月"
    columns = [
        *COLUMNS,
        (f"{plan_year}年计划投资（万元）", 16, lambda p: p.year_planned),
        (f"{plan_year}年{period}累计完成投资（万元）", 18, lambda p: p.ytd_investment),
        ("最新形象进度", 40, lambda p: p.progress_text or ""),
        ("形象进度月份", 12, lambda p: _month_text(p.progress_month)),
    ]
    rows = rows.prefetch_related(Prefetch("batch_entries", queryset=BatchEntry.objects.select_related("batch")))
    body = (
        [n, *(value_of(project) for _, _, value_of in columns)]
        for n, project in enumerate(rows.iterator(chunk_size=2000), start=1)
    )
    return XlsxSheet(
        "项目", ["序号", *(title for title, _, _ in columns)], body, widths=[6, *(w for _, w, _ in columns)]
    )


# The columns the sheet reads: a province ledger is 50 000 rows, and loading every other column of every row (texts,
# coordinates, the planned dates of stages not shown) was a third of the export's time.
LEDGER_FIELDS = (
    "name", "code", "unit__name", "level", "category", "industry__name", "nature", "total_investment", "signed_date",
    "approved_date", "planned_started_date", "started_date", "planned_completed_date", "completed_date",
    "producing_date", "at_capacity_date", "is_cancelled", "is_suspended", "stage", "leader__name", "investor",
)


def project_ledger_response(rows: QuerySet[Project], *, plan_year: int, today: datetime.date) -> HttpResponse:
    months = ledger_months(plan_year, today=today)
    rows = with_year_progress(rows.only(*LEDGER_FIELDS), year=plan_year, months=months)
    sheet = ledger_sheet(rows, plan_year=plan_year, months=months)
    return xlsx_response(f"项目台账_{today:%Y%m%d}.xlsx", [sheet], large=True)
