"""Build a province-scale database: units, projects with consistent stage dates, annual plans, monthly reports.

Rows are written with executemany in one transaction: generation is part of the set-up, not of what is measured.
"""

import datetime
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

STAGES = ["RESERVE", "NEGOTIATING", "SIGNED", "APPROVED", "STARTED", "COMPLETED", "PRODUCING", "AT_CAPACITY"]
DATE_FIELDS = ["signed_date", "approved_date", "started_date", "completed_date", "producing_date", "at_capacity_date"]
LEVELS = ["NATIONAL", "PROVINCIAL", "CITY", "COUNTY", "GENERAL"]


def _months(first: datetime.date, count: int) -> list[datetime.date]:
    months, month = [], first
    for _ in range(count):
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


@transaction.atomic
def build(*, projects: int, units: int, months: int, first_month: datetime.date, seed: int = 7) -> dict:
    """Fill an empty, migrated database. Returns what was written."""
    from tadiao.lib.dates import month_end
    from tadiao.org.models import Region, Unit
    from tadiao.reporting.models import Period

    rng = random.Random(seed)
    region = Region.objects.create(code="390000", name="东海省", level=Region.Level.PROVINCE, path="/390000/")
    Unit.objects.bulk_create(
        [Unit(name=f"单位{i:04d}", kind=Unit.Kind.TOWNSHIP, region=region, display_order=i) for i in range(units)],
        batch_size=1000,
    )
    unit_ids = list(Unit.objects.values_list("pk", flat=True))
    month_list = _months(first_month, months)
    Period.objects.bulk_create(
        [Period(month=m, deadline=m.replace(day=25), status=Period.Status.CLOSED) for m in month_list]
    )
    period_ids = dict(Period.objects.values_list("month", "pk"))
    last_day = month_end(month_list[-1])
    span = (last_day - first_month).days
    now = timezone.now()

    project_rows, plans, reports = [], [], []
    for n in range(projects):
        stage_index = rng.choices(range(8), weights=[5, 5, 8, 10, 35, 15, 12, 10])[0]
        day = first_month + datetime.timedelta(days=rng.randrange(span // 2))
        dates = []
        for i, _field in enumerate(DATE_FIELDS):
            if i + 2 <= stage_index and day <= last_day:
                dates.append(day)
                day += datetime.timedelta(days=rng.randrange(20, 200))
            else:
                dates.append(None)
        project_rows.append(
            (
                f"项目{n:06d}",
                rng.choice(unit_ids),
                rng.choice(LEVELS),
                "INDUSTRY",
                "NEW",
                str(Decimal(rng.randrange(1000, 500000))),
                STAGES[stage_index],
                False,
                False,
                *dates,
                now,
                now,
                1,
                "",
                "",
                "",
                "",
                "",
                "",
                False,
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO projects_project (name, unit_id, level, category, nature, total_investment, stage, "
            "is_suspended, is_cancelled, signed_date, approved_date, started_date, completed_date, producing_date, "
            "at_capacity_date, created_at, updated_at, version, code, investor, industry_code, funding_source, "
            "investor_origin, content, in_statistics, suspended_reason, cancelled_reason) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, '', '')",
            project_rows,
        )
        cursor.execute("SELECT id, started_date FROM projects_project")
        started = cursor.fetchall()
    years = sorted({m.year for m in month_list})
    for project_id, started_date in started:
        for year in years:
            plans.append((project_id, year, str(Decimal(rng.randrange(100, 20000))), ""))
        if started_date is None:
            continue
        if isinstance(started_date, str):
            started_date = datetime.date.fromisoformat(started_date)
        for month in month_list:
            if month >= started_date.replace(day=1):
                status = rng.choices(["APPROVED", "SUBMITTED", "DRAFT", "RETURNED"], weights=[80, 10, 5, 5])[0]
                amount = Decimal(rng.randrange(0, 200000)) / 100
                reports.append((project_id, period_ids[month], str(amount), status, now, 1, "", "", "", ""))
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO projects_annualplan (project_id, year, planned_investment, goal) VALUES (%s, %s, %s, %s)",
            plans,
        )
        cursor.executemany(
            "INSERT INTO reporting_monthlyreport (project_id, period_id, investment_completed, status, updated_at, "
            "version, progress_text, stage_reached, problems, return_reason) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            reports,
        )
    return {"units": units, "projects": projects, "plans": len(plans), "reports": len(reports), "months": months}
