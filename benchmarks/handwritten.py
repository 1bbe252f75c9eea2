"""The same figures as the indicator engine's built-in rates, computed by one hand-written SQL statement: the
baseline the engine is measured against (and checked for agreement)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

SQL = """
SELECT
  COUNT(*),
  SUM(CASE WHEN p.started_date <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.signed_date <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.signed_date <= %(d)s AND p.approved_date <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.approved_date <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.approved_date <= %(d)s AND p.started_date <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.completed_date <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.completed_date <= %(d)s AND p.producing_date <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.producing_date <= %(d)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.producing_date <= %(d)s AND p.at_capacity_date <= %(d)s THEN 1 ELSE 0 END),
  (SELECT SUM(a.planned_investment) FROM projects_annualplan a JOIN projects_project q ON q.id = a.project_id
    WHERE a.year = %(y)s {unit_q}),
  (SELECT SUM(r.investment_completed) FROM reporting_monthlyreport r
     JOIN reporting_period m ON m.id = r.period_id JOIN projects_project q ON q.id = r.project_id
    WHERE m.month >= %(y0)s AND m.month <= %(d)s AND r.status IN ('SUBMITTED', 'APPROVED') {unit_q}
      AND EXISTS (SELECT 1 FROM projects_annualplan a WHERE a.project_id = r.project_id AND a.year = %(y)s))
FROM projects_project p {unit_p}
"""


def _percent(num, den) -> str | None:
    if not den:
        return None
    return str((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def figures(as_of: datetime.date, *, unit_id: int | None = None) -> dict:
    """The figures of the whole database, or of one unit's projects."""
    params = {"d": as_of, "y": as_of.year, "y0": as_of.replace(month=1, day=1), "u": unit_id}
    scoped = unit_id is not None
    sql = SQL.format(unit_q="AND q.unit_id = %(u)s" if scoped else "",
                     unit_p="WHERE p.unit_id = %(u)s" if scoped else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (
            total,
            started,
            signed,
            signed_approved,
            approved,
            approved_started,
            completed,
            completed_producing,
            producing,
            producing_capacity,
            planned,
            ytd,
        ) = cursor.fetchone()
    planned = Decimal(str(planned or 0)).quantize(Decimal("0.01"))
    ytd = Decimal(str(ytd or 0)).quantize(Decimal("0.01"))
    return {
        "start_rate": _percent(started, total),
        "signed_to_approved": _percent(signed_approved, signed),
        "approved_to_started": _percent(approved_started, approved),
        "completed_to_producing": _percent(completed_producing, completed),
        "producing_to_capacity": _percent(producing_capacity, producing),
        "annual_investment_completion": _percent(ytd, planned),
    }
