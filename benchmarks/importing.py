"""The ledger import item (`--only import`): a 100 000-row 项目 sheet in the template's headers, imported by the real
job (create_job + run_import) and rolled back, against the issue's baseline: python-calamine reading the same
file plus one executemany INSERT of the same rows into projects_project (rolled back too)."""

import datetime
import os
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from benchmarks.measure import best, capture, peak_memory

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
GOAL = 3.0


def _rows(count: int, *, units: list[str], industries: list[str], seed: int = 11) -> list[list]:
    """Rows in the template's column order (sheets.LEDGER_COLUMNS then the optional columns): new projects with
    a code, about half with stage dates (so half get a stage transition), some with tags and a status."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        signed = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(300))
        dated = n % 2 == 0
        started = signed + datetime.timedelta(days=rng.randrange(30, 200)) if dated and n % 4 == 0 else None
        rows.append([
            f"导入项目{n:06d}", f"2025-390000-04-01-{n:06d}", rng.choice(units),
            rng.choice(["省重点", "市重点", "县区重点", "一般"]), rng.choice(["产业", "城建", "服务业"]),
            rng.choice(industries), rng.choice(["新建", "续建", "扩建"]),
            Decimal(rng.randrange(100, 5000000)) / 100,
            signed if dated else None, signed + datetime.timedelta(days=20) if dated else None,
            signed + datetime.timedelta(days=40), started, signed + datetime.timedelta(days=700),
            None, None, None,
            "停工" if n % 97 == 0 else "正常", "智能化改造、专项债" if n % 5 == 0 else "",
            f"投资企业{n % 5000:04d}有限公司", "新建厂房及配套设施", "",
        ])
    return rows


def _write(path: Path, rows: list[list]) -> None:
    import xlsxwriter

    from tadiao.imports import sheets

    headers = [names[0] for names in sheets.LEDGER_COLUMNS.values()] + [
        names[0] for names in sheets.LEDGER_OPTIONAL_COLUMNS.values()]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet(sheets.LEDGER_SHEET)
    for c, header in enumerate(headers):
        sheet.write_string(0, c, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, date)
            elif isinstance(value, Decimal):
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, value)
    book.close()


def run(ctx) -> list:
    from python_calamine import CalamineWorkbook

    from benchmarks.suite import Result
    from tadiao.imports import services
    from tadiao.imports.models import ImportJob
    from tadiao.org.models import Unit
    from tadiao.projects.models import Industry, Project

    units = list(Unit.objects.filter(is_active=True).values_list("name", flat=True))
    industries = list(Industry.objects.values_list("name", flat=True))
    folder = Path(tempfile.mkdtemp(prefix="tadiao-bench-import-"))
    path = folder / "台账.xlsx"
    _write(path, _rows(ROWS, units=units, industries=industries))
    size = path.stat().st_size
    before = Project.objects.count()
    state: dict = {}

    def ours():
        # Rolled back: every run (and every later item) sees the province as it was built. The audit log refuses
        # DELETE, so a rollback is the only way to undo an import.
        with transaction.atomic():
            with path.open("rb") as handle:
                job = services.create_job(kind=ImportJob.Kind.LEDGER, by=ctx.coordinator, content=File(handle),
                                          original_name=path.name)
            job = services.run_import(job_id=job.pk, today=ctx.as_of)
            state["job"] = job
            state["imported"] = Project.objects.count() - before
            os.remove(job.file.path)
            transaction.set_rollback(True)

    def baseline():
        started = time.perf_counter()
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("项目").to_python(skip_empty_area=False)
        state["read"] = time.perf_counter() - started
        unit_ids = dict(Unit.objects.values_list("name", "pk"))
        now = timezone.now()
        values = [
            (r[0], r[1], unit_ids[r[2]], "CITY", "INDUSTRY", "NEW", str(r[7]), "SIGNED", False, False,
             r[8] or None, r[9] or None, r[11] or None, now, now, 1, r[18], r[19])
            for r in rows[1:]
        ]
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO projects_project (name, code, unit_id, level, category, nature, total_investment, "
                    "stage, is_suspended, is_cancelled, signed_date, approved_date, started_date, created_at, "
                    "updated_at, version, investor, content, industry_code, funding_source, investor_origin, "
                    "in_statistics, suspended_reason, cancelled_reason) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                    "'', '', '', false, '', '')",
                    values,
                )
            transaction.set_rollback(True)
        return len(values)

    try:
        base_time, inserted = best(baseline, ctx.repeat)
        ours_time, _ = best(ours, ctx.repeat)
        job = state["job"]
        captured, _ = capture(ours)
        memory, _ = peak_memory(ours)
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
    ok = job.status == ImportJob.Status.SUCCEEDED and state["imported"] == ROWS == inserted
    note = (f"{ROWS} 行新项目（{size / 1e6:.1f} MB）；"
            f"基线读取 {state['read'] * 1000:.0f} ms；峰值内存（tracemalloc，Python 对象）{memory / 2**20:.0f} MiB"
            if ok else f"导入未成功：{job.summary}")
    return [Result(f"ledger import {ROWS // 1000}k rows", ours_time, base_time, GOAL, len(captured.statements), note)]
