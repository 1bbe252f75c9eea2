"""The items of the benchmark suite (`python -m benchmarks`): each measures our code and, in the same run, the
baseline the issue names, on the province database that __main__ built once."""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client

from benchmarks import handwritten, importing
from benchmarks.measure import Captured, best, capture, replay, slowest_plan


@dataclass
class Context:
    as_of: datetime.date
    repeat: int
    coordinator: object
    reporter: object
    unit_id: int
    explain: bool = False
    plans: list[str] = field(default_factory=list)

    def keep_plan(self, name: str, captured: Captured) -> None:
        """With --explain: the plan of the item's slowest statement, printed after the table."""
        if not self.explain:
            return
        seconds, sql, plan = slowest_plan(captured)
        self.plans.append(f"### {name}: {seconds * 1000:.0f} ms\n{sql}…\n" + "\n".join(f"    {line}" for line in plan))


@dataclass
class Result:
    name: str
    ours: float  # seconds
    baseline: float  # seconds
    goal: float  # the ratio to reach (ours / baseline)
    queries: int | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio <= self.goal


ITEMS: dict[str, Callable[[Context], list[Result]]] = {"import": importing.run}


def item(name: str):
    def register(fn):
        ITEMS[name] = fn
        return fn

    return register


# --- indicators ------------------------------------------------------------------------------------------------

@item("indicators")
def indicators(ctx: Context) -> list[Result]:
    from tadiao.indicators import queries
    from tadiao.projects.models import Project

    results = []
    for label, projects, unit_id in (
        ("indicators: whole province", Project.objects.all(), None),
        ("indicators: one unit", Project.objects.filter(unit_id=ctx.unit_id), ctx.unit_id),
    ):
        ours, engine = best(lambda p=projects: queries.compute_indicators(p, as_of=ctx.as_of), ctx.repeat)
        base, hand = best(lambda u=unit_id: handwritten.figures(ctx.as_of, unit_id=u), ctx.repeat)
        # Every figure: the rates of the active definitions, the counts by stage, the year totals, the events.
        disagree = handwritten.disagreements(handwritten.engine_figures(engine), hand)
        captured, _ = capture(lambda p=projects: queries.compute_indicators(p, as_of=ctx.as_of))
        ctx.keep_plan(label, captured)
        results.append(Result(label, ours, base, 1.5, len(captured.statements),
                              f"结果不一致：{disagree}" if disagree else "与手写 SQL 一致"))
    return results


# --- pages: our view against replaying the SQL it ran ----------------------------------------------------------

def _page(ctx: Context, name: str, user, url: str, goal: float = 2.0) -> Result:
    client = Client()
    client.force_login(user)
    first = client.get(url)  # warms templates and the session; also checks the page answers
    if first.status_code != 200:
        return Result(name, 0, 0, goal, None, f"页面返回 {first.status_code}")
    ours, _ = best(lambda: client.get(url), ctx.repeat)
    captured, _ = capture(lambda: client.get(url))
    base, rows = best(replay(captured), ctx.repeat)
    ctx.keep_plan(name, captured)
    return Result(name, ours, base, goal, len(captured.statements), f"{url}（SQL 取回 {rows} 行）")


@item("dashboard")
def dashboard(ctx: Context) -> list[Result]:
    return [_page(ctx, "dashboard: coordinator", ctx.coordinator, "/dashboard/"),
            _page(ctx, "dashboard: reporter", ctx.reporter, "/dashboard/")]


@item("lists")
def lists(ctx: Context) -> list[Result]:
    return [
        _page(ctx, "project list: first page", ctx.coordinator, "/projects/"),
        _page(ctx, "project list: filtered", ctx.coordinator, "/projects/?level=PROVINCIAL&stage=STARTED&page=2"),
        _page(ctx, "warnings page", ctx.coordinator, "/indicators/warnings/"),
        _page(ctx, "三项工作 page", ctx.coordinator, "/attraction/work-items/"),
        _page(ctx, "problem list", ctx.coordinator, "/coordination/problems/"),
    ]


# --- the ledger export ------------------------------------------------------------------------------------------

@item("export")
def ledger_export(ctx: Context) -> list[Result]:
    import xlsxwriter

    from tadiao.projects import queries
    from tadiao.projects.exports import project_ledger_response

    def ours():  # what the export view does, with the data's year instead of the clock's
        year = ctx.as_of.year
        rows = queries.project_rows(ctx.coordinator, queries.ProjectFilters(), plan_year=year)
        response = project_ledger_response(rows, plan_year=year, today=ctx.as_of)
        return len(b"".join(response.streaming_content) if response.streaming else response.content)

    # The baseline gets the rows ready-made and writes the same cells as ours (dates as dates, money as formatted
    # numbers, text as text): XlsxWriter writing them alone, as the issue sets it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.name, p.code, u.name, p.level, p.category, '', p.nature, p.total_investment, p.signed_date, "
            "p.approved_date, p.planned_started_date, p.started_date, p.planned_completed_date, p.completed_date, "
            "p.producing_date, p.at_capacity_date, p.stage, '', p.stage, '', p.investor, '', 0, 0, '', '' "
            "FROM projects_project p JOIN org_unit u ON u.id = p.unit_id ORDER BY p.id")
        rows = [
            [datetime.date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v for v in row]
            for row in cursor.fetchall()
        ]

    def baseline():
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
        date, money = book.add_format({"num_format": "yyyy-mm-dd"}), book.add_format({"num_format": "#,##0.00"})
        sheet = book.add_worksheet("项目")
        for r, row in enumerate(rows, start=1):
            sheet.write_number(r, 0, r)
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                if isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, value, date)
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(r, c, float(value), money)
                else:
                    sheet.write_string(r, c, str(value))
        book.close()
        return buffer.tell()

    ours_time, size = best(ours, ctx.repeat)
    base_time, _ = best(baseline, ctx.repeat)
    captured, _ = capture(ours)
    return [Result("ledger export .xlsx", ours_time, base_time, 1.5, len(captured.statements),
                   f"{len(rows)} 个项目，{size / 1e6:.1f} MB")]


# --- closing a month --------------------------------------------------------------------------------------------

@item("close")
def close_month(ctx: Context) -> list[Result]:
    from tadiao.indicators import queries
    from tadiao.projects.models import Project
    from tadiao.reporting import services
    from tadiao.reporting.models import Period

    period = Period.objects.order_by("-month").first()

    def ours():
        # Reopened by the rollback: each run closes the same month from the same state.
        with transaction.atomic():
            Period.objects.filter(pk=period.pk).update(status=Period.Status.OPEN, closed_at=None)
            fresh = Period.objects.get(pk=period.pk)
            services.close_period(period=fresh, by=ctx.coordinator, today=ctx.as_of + datetime.timedelta(days=30),
                                  reason="基准测试")
            transaction.set_rollback(True)

    ours_time, _ = best(ours, ctx.repeat)
    base_time, _ = best(lambda: queries.compute_indicators(Project.objects.all(), as_of=ctx.as_of), ctx.repeat)
    captured, _ = capture(ours)
    ctx.keep_plan("closing a month", captured)
    return [Result("closing a month (snapshot)", ours_time, base_time, 2.0, len(captured.statements),
                   "基线：同一口径的指标计算本身")]


# --- the bulletin -----------------------------------------------------------------------------------------------

@item("bulletin")
def bulletin(ctx: Context) -> list[Result]:
    from docx import Document

    from tadiao.bulletins import charts, docx_render, queries, services
    from tadiao.reporting.models import Period

    period = Period.objects.order_by("-month").first()
    office = queries.office_settings()
    state: dict = {}

    def ours():
        with transaction.atomic():
            made = services.create_bulletin(period=period, by=ctx.coordinator, today=ctx.as_of)
            content = queries.content_for(made, office)
            images = charts.draw(content["charts"])
            state["docx"] = docx_render.render(content=content, charts=images)
            state["tables"] = content["tables"]
            transaction.set_rollback(True)

    ours_time, _ = best(ours, ctx.repeat)
    tables = state["tables"]

    def baseline():
        document = Document()
        for table in tables:
            document.add_paragraph(table.get("title", ""))
            headers = table.get("headers", [])
            grid = document.add_table(rows=1, cols=len(headers))
            for cell, text in zip(grid.rows[0].cells, headers, strict=True):
                cell.text = str(text)
            for row in table.get("rows", []):
                cells = grid.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = "" if value is None else str(value)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.tell()

    base_time, _ = best(baseline, ctx.repeat)
    captured, _ = capture(ours)
    rows = sum(len(t.get("rows", [])) for t in tables)
    return [Result("bulletin draft + .docx", ours_time, base_time, 2.0, len(captured.statements),
                   f"{len(tables)} 张附表 {rows} 行，{len(state['docx']) / 1e3:.0f} KB（含图表绘制）")]

