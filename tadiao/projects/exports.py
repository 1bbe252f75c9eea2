"""The project ledger (台账) as .xlsx: exactly the filtered rows, with the import sheet's headers so that an
exported ledger can be edited and imported back."""

import datetime
import io

import xlsxwriter
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from tadiao.projects.models import Project

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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
]


def write_project_ledger(rows: QuerySet[Project], *, plan_year: int) -> bytes:
    buffer = io.BytesIO()
    # constant_memory: rows are streamed to disk as written, so a 50 000-row ledger stays small in memory.
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet("项目")
    head = book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    columns = [*COLUMNS, (f"{plan_year}年计划投资（万元）", 16, lambda p: p.year_planned)]
    sheet.write(0, 0, "序号", head)
    sheet.set_column(0, 0, 6)
    for col, (title, width, _) in enumerate(columns, start=1):
        sheet.write(0, col, title, head)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 2)
    for row, project in enumerate(rows.iterator(chunk_size=2000), start=1):
        sheet.write_number(row, 0, row)
        for col, (_, _, value_of) in enumerate(columns, start=1):
            value = value_of(project)
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), day)
            elif isinstance(value, (int, float)) or hasattr(value, "as_tuple"):
                sheet.write_number(row, col, float(value), money)
            else:
                sheet.write_string(row, col, str(value))
    book.close()
    return buffer.getvalue()


def project_ledger_response(rows: QuerySet[Project], *, plan_year: int, today: datetime.date) -> HttpResponse:
    response = HttpResponse(write_project_ledger(rows, plan_year=plan_year), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"项目台账_{today:%Y%m%d}.xlsx")
    return response
