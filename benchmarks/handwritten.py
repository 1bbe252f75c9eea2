"""The figures of the indicator engine's compute_indicators, computed by one hand-written SQL statement: the baseline
the engine is measured against (and checked for agreement).

The same figures: every rate of the default definitions (the built-in rates seeded by the indicators migrations 0002
and 0006), the projects counted by the stage they had reached on the as-of date, the year's planned and year-to-date
reported investment, and the events of the as-of month, of January to the as-of month and of the whole year
(signed, approved, started, completed, producing: actual, planned, planned and done; cancelled: actual). Targets are
left out (the benchmark database has none).

One statement: the projects, each joined once to its plan of the year and to three derived tables of one row per
project (its year-to-date reports, its "三个一批" entries, its latest cancellation), summed with CASE WHEN. Plain
SQL that runs on SQLite and PostgreSQL alike."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection

CENT = Decimal("0.01")
LOCAL = ZoneInfo("Asia/Shanghai")  # settings.TIME_ZONE: the day a cancellation counts on
IMPORT_CANCEL_REASON = "台账导入：终止"  # a ledger import that set the status 终止 (imports.services.ledger)

STAGES = ("RESERVE", "NEGOTIATING", "SIGNED", "APPROVED", "STARTED", "COMPLETED", "PRODUCING", "AT_CAPACITY")
EVENT_DATES = {  # the events with a planned date: stage → its actual date column (the planned one is planned_…)
    "SIGNED": "signed_date",
    "APPROVED": "approved_date",
    "STARTED": "started_date",
    "COMPLETED": "completed_date",
    "PRODUCING": "producing_date",
}
PERIODS = {"month": "m0", "year_to_date": "y0", "year": "y0"}  # period → the parameter of its first day
PERIOD_ENDS = {"month": "me", "year_to_date": "me", "year": "ye"}

SQL = """
WITH year_reported AS (
  SELECT r.project_id,
         SUM(CASE WHEN r.status IN ('SUBMITTED', 'APPROVED') THEN r.investment_completed END) AS ytd,
         MAX(CASE WHEN r.status IN ('SUBMITTED', 'APPROVED') AND r.investment_completed > 0 THEN 1 ELSE 0 END)
           AS reported
    FROM reporting_monthlyreport r JOIN reporting_period m ON m.id = r.period_id
   WHERE m.month >= %(y0)s AND m.month <= %(d)s {unit_r}
   GROUP BY r.project_id
),
batch_kinds AS (
  SELECT e.project_id,
         MAX(CASE WHEN e.kind = 'SIGN' THEN 1 ELSE 0 END) AS in_sign,
         MAX(CASE WHEN e.kind = 'START' THEN 1 ELSE 0 END) AS in_start,
         MAX(CASE WHEN e.kind = 'PRODUCE' THEN 1 ELSE 0 END) AS in_produce
    FROM projects_batchentry e
   GROUP BY e.project_id
),
cancelled AS (
  SELECT t.project_id, MAX(t.at) AS at
    FROM projects_stagetransition t
   WHERE t.kind = 'CANCEL' OR (t.kind = 'IMPORT' AND t.reason = %(import_cancel)s)
   GROUP BY t.project_id
)
SELECT
  COUNT(*) AS total,
  SUM(CASE WHEN p.stage_at = 'RESERVE' THEN 1 ELSE 0 END) AS at_reserve,
  SUM(CASE WHEN p.stage_at = 'NEGOTIATING' THEN 1 ELSE 0 END) AS at_negotiating,
  SUM(CASE WHEN p.stage_at = 'SIGNED' THEN 1 ELSE 0 END) AS at_signed,
  SUM(CASE WHEN p.stage_at = 'APPROVED' THEN 1 ELSE 0 END) AS at_approved,
  SUM(CASE WHEN p.stage_at = 'STARTED' THEN 1 ELSE 0 END) AS at_started,
  SUM(CASE WHEN p.stage_at = 'COMPLETED' THEN 1 ELSE 0 END) AS at_completed,
  SUM(CASE WHEN p.stage_at = 'PRODUCING' THEN 1 ELSE 0 END) AS at_producing,
  SUM(CASE WHEN p.stage_at = 'AT_CAPACITY' THEN 1 ELSE 0 END) AS at_at_capacity,

  SUM(CASE WHEN p.started_date <= %(d)s THEN 1 ELSE 0 END) AS started,
  SUM(CASE WHEN p.signed_date <= %(d)s THEN 1 ELSE 0 END) AS signed,
  SUM(CASE WHEN p.signed_date <= %(d)s AND p.approved_date <= %(d)s THEN 1 ELSE 0 END) AS signed_approved,
  SUM(CASE WHEN p.approved_date <= %(d)s THEN 1 ELSE 0 END) AS approved,
  SUM(CASE WHEN p.approved_date <= %(d)s AND p.started_date <= %(d)s THEN 1 ELSE 0 END) AS approved_started,
  SUM(CASE WHEN p.started_date <= %(d)s AND p.completed_date <= %(d)s THEN 1 ELSE 0 END) AS started_completed,
  SUM(CASE WHEN p.started_date <= %(d)s AND p.producing_date <= %(d)s THEN 1 ELSE 0 END) AS started_producing,
  SUM(CASE WHEN p.completed_date <= %(d)s THEN 1 ELSE 0 END) AS completed,
  SUM(CASE WHEN p.completed_date <= %(d)s AND p.producing_date <= %(d)s THEN 1 ELSE 0 END) AS completed_producing,
  SUM(CASE WHEN p.producing_date <= %(d)s THEN 1 ELSE 0 END) AS producing,
  SUM(CASE WHEN p.producing_date <= %(d)s AND p.at_capacity_date <= %(d)s THEN 1 ELSE 0 END) AS producing_capacity,

  -- 开复工率: projects of the year's plan; new ones started this year, continuing ones with investment reported
  SUM(CASE WHEN a.id IS NOT NULL THEN 1 ELSE 0 END) AS in_plan,
  SUM(CASE WHEN a.id IS NOT NULL
            AND ((p.nature <> 'CONTINUING' AND p.started_date >= %(y0)s AND p.started_date <= %(d)s)
                 OR (p.nature = 'CONTINUING' AND y.reported = 1))
           THEN 1 ELSE 0 END) AS in_plan_started_or_resumed,

  -- 三个一批
  SUM(CASE WHEN b.in_sign = 1 THEN 1 ELSE 0 END) AS sign_entered,
  SUM(CASE WHEN b.in_sign = 1 AND p.approved_date <= %(d)s THEN 1 ELSE 0 END) AS sign_approved,
  SUM(CASE WHEN b.in_sign = 1 AND p.approved_date <= %(d)s AND p.started_date <= %(d)s THEN 1 ELSE 0 END)
    AS sign_approved_started,
  SUM(CASE WHEN b.in_start = 1 THEN 1 ELSE 0 END) AS start_entered,
  SUM(CASE WHEN b.in_start = 1 AND p.producing_date <= %(d)s THEN 1 ELSE 0 END) AS start_producing,
  SUM(CASE WHEN b.in_produce = 1 THEN 1 ELSE 0 END) AS produce_entered,
  SUM(CASE WHEN b.in_produce = 1 AND p.at_capacity_date <= %(d)s THEN 1 ELSE 0 END) AS produce_capacity,

  -- investment (万元): the year's plan and the year-to-date reports, of all planned projects and of the started
  SUM(a.planned_investment) AS planned,
  SUM(CASE WHEN a.id IS NOT NULL THEN y.ytd END) AS reported,
  SUM(CASE WHEN p.started_date <= %(d)s THEN a.planned_investment END) AS started_planned,
  SUM(CASE WHEN a.id IS NOT NULL AND p.started_date <= %(d)s THEN y.ytd END) AS started_reported,

  -- events per period: actual (in the period, up to the as-of date), planned (in the period), planned and done
{events}
FROM (
  SELECT p.*,
         CASE WHEN p.at_capacity_date <= %(d)s THEN 'AT_CAPACITY'
              WHEN p.producing_date <= %(d)s THEN 'PRODUCING'
              WHEN p.completed_date <= %(d)s THEN 'COMPLETED'
              WHEN p.started_date <= %(d)s THEN 'STARTED'
              WHEN p.approved_date <= %(d)s THEN 'APPROVED'
              WHEN p.signed_date <= %(d)s THEN 'SIGNED'
              WHEN p.negotiating_date <= %(d)s THEN 'NEGOTIATING'
              WHEN p.negotiating_date IS NULL AND p.stage = 'NEGOTIATING' THEN 'NEGOTIATING'
              ELSE 'RESERVE' END AS stage_at
    FROM projects_project p {unit_p}
) p
LEFT JOIN projects_annualplan a ON a.project_id = p.id AND a.year = %(y)s
LEFT JOIN year_reported y ON y.project_id = p.id
LEFT JOIN batch_kinds b ON b.project_id = p.id
LEFT JOIN cancelled c ON c.project_id = p.id
"""

# One period's columns for one stage with a planned date (written once, for the 3 periods × 5 stages).
EVENT_COLUMNS = """\
  SUM(CASE WHEN p.{date} >= %({start})s AND p.{date} <= %(d)s THEN 1 ELSE 0 END) AS {name}_actual,
  SUM(CASE WHEN p.planned_{date} >= %({start})s AND p.planned_{date} <= %({end})s THEN 1 ELSE 0 END) AS {name}_planned,
  SUM(CASE WHEN p.planned_{date} >= %({start})s AND p.planned_{date} <= %({end})s AND p.{date} <= %(d)s
      THEN 1 ELSE 0 END) AS {name}_done"""
# Cancelled in the period: still cancelled, and its latest cancellation on a local day in the period up to as-of.
CANCEL_COLUMN = """\
  SUM(CASE WHEN p.is_cancelled AND c.at >= %({start}_at)s AND c.at < %(after_at)s THEN 1 ELSE 0 END) \
AS {name}_actual"""


def _event_columns() -> str:
    columns = []
    for period, start in PERIODS.items():
        for stage, date in EVENT_DATES.items():
            columns.append(EVENT_COLUMNS.format(date=date, start=start, end=PERIOD_ENDS[period],
                                                name=f"{period}_{stage}".lower()))
        columns.append(CANCEL_COLUMN.format(start=start, name=f"{period}_cancelled"))
    return ",\n".join(columns)


def _percent(num, den) -> str | None:
    if not den:
        return None
    return str((Decimal(num) * 100 / Decimal(den)).quantize(CENT, rounding=ROUND_HALF_UP))


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _local_midnight(day: datetime.date):
    """The start of a local day as the database compares it: UTC (naive text on SQLite, which stores it so)."""
    moment = datetime.datetime.combine(day, datetime.time.min, tzinfo=LOCAL).astimezone(datetime.UTC)
    return moment.replace(tzinfo=None) if connection.vendor == "sqlite" else moment


def _month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def figures(as_of: datetime.date, *, unit_id: int | None = None) -> dict:
    """The figures of the whole database, or of one unit's projects:
    {"rates": {code: percent text or None}, "counts_by_stage": {stage: n}, "annual_planned": Decimal,
     "annual_completed": Decimal, "events": {period: {stage: (actual, planned, planned and done)}}}."""
    year_start, month_start = as_of.replace(month=1, day=1), as_of.replace(day=1)
    params = {
        "d": as_of, "y": as_of.year, "y0": year_start, "m0": month_start, "me": _month_end(as_of),
        "ye": as_of.replace(month=12, day=31), "u": unit_id, "import_cancel": IMPORT_CANCEL_REASON,
        "y0_at": _local_midnight(year_start), "m0_at": _local_midnight(month_start),
        "after_at": _local_midnight(as_of + datetime.timedelta(days=1)),
    }
    scoped = unit_id is not None
    sql = SQL.format(
        events=_event_columns(),
        unit_p="WHERE p.unit_id = %(u)s" if scoped else "",
        unit_r="AND r.project_id IN (SELECT q.id FROM projects_project q WHERE q.unit_id = %(u)s)" if scoped else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = dict(zip((column[0].lower() for column in cursor.description), cursor.fetchone(), strict=True))
    n = {name: value or 0 for name, value in row.items()}  # SUM over no rows is NULL
    planned, reported = _money(row["planned"]), _money(row["reported"])
    started_planned, started_reported = _money(row["started_planned"]), _money(row["started_reported"])
    rates = {
        "start_rate": _percent(n["started"], n["total"]),
        "start_or_resume_rate": _percent(n["in_plan_started_or_resumed"], n["in_plan"]),
        "signed_to_approved": _percent(n["signed_approved"], n["signed"]),
        "approved_to_started": _percent(n["approved_started"], n["approved"]),
        "started_investment_completion": _percent(started_reported, started_planned),
        "completed_to_producing": _percent(n["completed_producing"], n["completed"]),
        "producing_to_capacity": _percent(n["producing_capacity"], n["producing"]),
        "annual_investment_completion": _percent(reported, planned),
        "completion_rate": _percent(n["started_completed"], n["started"]),
        "producing_rate": _percent(n["started_producing"], n["started"]),
        "campaign_signed_performing": _percent(n["sign_approved"], n["sign_entered"]),
        "campaign_performing_started": _percent(n["sign_approved_started"], n["sign_approved"]),
        "campaign_started_producing": _percent(n["start_producing"], n["start_entered"]),
        "campaign_producing_capacity": _percent(n["produce_capacity"], n["produce_entered"]),
    }
    events = {}
    for period in PERIODS:
        counts = {}
        for stage in EVENT_DATES:
            name = f"{period}_{stage}".lower()
            counts[stage] = (n[f"{name}_actual"], n[f"{name}_planned"], n[f"{name}_done"])
        counts["CANCELLED"] = (n[f"{period}_cancelled_actual"], None, None)
        events[period] = counts
    return {
        "rates": rates,
        "counts_by_stage": {stage: n[f"at_{stage.lower()}"] for stage in STAGES},
        "annual_planned": planned,
        "annual_completed": reported,
        "events": events,
    }


def engine_figures(indicators) -> dict:
    """The same figures read from the engine's Indicators, in the shape figures() returns, to compare."""
    return {
        "rates": {code: None if r.percent is None else str(r.percent) for code, r in indicators.rates.items()},
        "counts_by_stage": dict(indicators.counts_by_stage),
        "annual_planned": _money(indicators.annual_planned),
        "annual_completed": _money(indicators.annual_completed),
        "events": {
            period: {stage: (c.actual, c.planned, c.planned_done) for stage, c in e.counts.items()}
            for period, e in indicators.events.items()
        },
    }


def disagreements(engine: dict, hand: dict) -> list[str]:
    """The figures that differ, by name ("rates.start_rate", "events.month.STARTED", "annual_planned" …)."""
    found = []
    for key in ("rates", "counts_by_stage", "events"):
        for name in sorted(set(engine[key]) | set(hand[key])):
            if key == "events":
                stages = sorted(set(engine[key].get(name, {})) | set(hand[key].get(name, {})))
                found += [f"events.{name}.{stage}" for stage in stages
                          if engine[key].get(name, {}).get(stage) != hand[key].get(name, {}).get(stage)]
            elif engine[key].get(name, "missing") != hand[key].get(name, "missing"):
                found.append(f"{key}.{name}")
    found += [key for key in ("annual_planned", "annual_completed") if engine[key] != hand[key]]
    return found
