"""The five lists as .xlsx: a title row, then the columns an office prints, exactly the filtered rows.

Every list keeps its cancelled (and suspended) projects (domain.md); each sheet marks them in the column 项目状态
(正常/停工/终止, as the project ledger's export and import write it), where the page shows a badge by the name."""

from django.db.models import QuerySet
from django.http import HttpResponse

from tadiao.bulletins.drafting import months_text
from tadiao.bulletins.queries import FiveList, ListFilters
from tadiao.lib.dates import cn_date
from tadiao.lib.numbers import round2
from tadiao.lib.xlsx import XlsxSheet, xlsx_response
from tadiao.projects.models import Project


def list_title(spec: FiveList, filters: ListFilters) -> str:
    """签约未开工项目清单（截至2026年11月23日）; windowed lists name their window first."""
    window = f"{cn_date(filters.date_from)}—{cn_date(filters.date_to)}，" if spec.windowed else ""
    return f"{spec.title}清单（{window}截至{cn_date(filters.as_of)}）"


def headers(spec: FiveList, filters: ListFilters) -> list[str]:
    year = filters.as_of.year
    return [
        "序号",
        "项目名称",
        "责任单位",
        "总投资（万元）",
        f"{year}年度计划投资（万元）",
        f"{year}年{months_text(filters.as_of.month)}累计完成（万元）",
        *(["当前阶段"] if spec.with_stage else []),
        "项目状态",
        *(title for title, _ in spec.dates),
        "联系领导",
        "形象进度",
    ]


def _row(n: int, project: Project, spec: FiveList) -> list:
    return [
        n,
        project.name,
        project.unit.name,
        round2(project.total_investment),
        round2(project.year_planned),
        round2(project.ytd_completed),
        *([project.get_stage_display()] if spec.with_stage else []),
        project.status_label,
        *(getattr(project, attribute) for _, attribute in spec.dates),
        str(project.leader) if project.leader else "",
        project.latest_progress,
    ]


def list_sheet(rows: QuerySet[Project], spec: FiveList, filters: ListFilters) -> XlsxSheet:
    body = (_row(n, project, spec) for n, project in enumerate(rows.iterator(chunk_size=2000), start=1))
    return XlsxSheet(
        spec.title,
        headers(spec, filters),
        body,
        widths=[6, 36, 16, 14, 16, 18, *([12] if spec.with_stage else []), 10, *(14 for _ in spec.dates), 18, 48],
        preamble=[[list_title(spec, filters)]],
    )


def list_response(rows: QuerySet[Project], spec: FiveList, filters: ListFilters) -> HttpResponse:
    return xlsx_response(f"{spec.title}清单_{filters.as_of:%Y%m%d}.xlsx", [list_sheet(rows, spec, filters)], large=True)
