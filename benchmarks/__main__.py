"""The benchmark suite: builds a province-scale database once, then measures each item against the baseline the
performance issue names, in the same run, and prints our time, the baseline's, their ratio, the goal and the
number of SQL statements.

    .venv/bin/python -m benchmarks [--projects 30000 --units 1000 --months 36] [--only NAME ...] [--repeat 3]

SQLite by default (a fresh database in a temporary folder); PostgreSQL when DATABASE_URL is set (it must name an
EMPTY database: the suite migrates and fills it). The month-end surge is its own script (benchmarks/surge.py):
it needs the real server and a load generator. Exit status 1 when an item misses its goal.
"""

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from pathlib import Path


def _setup(args) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadiao.settings")
    os.environ.setdefault("TADIAO_DEBUG", "0")
    if not os.environ.get("DATABASE_URL"):
        os.environ["TADIAO_DATA_DIR"] = tempfile.mkdtemp(prefix="tadiao-bench-")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed; nothing else of the tests is used
    call_command("migrate", verbosity=0)
    from django.db import connection

    from benchmarks import province

    first = datetime.date(2024, 1, 1)
    started = time.perf_counter()
    built = province.build(projects=args.projects, units=args.units, months=args.months, first_month=first)
    if connection.vendor == "postgresql":
        # A deployment's tables have planner statistics (autovacuum analyses them after bulk writes); a freshly
        # filled database has none, and PostgreSQL then picks plans no deployment would (the ledger export's
        # latest-progress subquery as a hash join per row: 100× slower).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    built["seconds"] = round(time.perf_counter() - started, 1)
    built["last_month"] = province._months(first, args.months)[-1]
    return built


def _actors(last_month: datetime.date):
    """A coordinator, and a reporter of the unit with the most projects; the last month closed through the service
    so that it has a snapshot (the bulletin drafts from it)."""
    from django.db.models import Count

    from tadiao.lib.dates import month_end
    from tadiao.org.models import Unit, User
    from tadiao.projects.models import Project
    from tadiao.reporting import services
    from tadiao.reporting.models import Period

    office = Unit.objects.order_by("pk").first()
    coordinator = User.objects.create(username="bench_coordinator", full_name="调度员", unit=office,
                                      is_coordinator=True)
    unit_id = (Project.objects.values("unit_id").annotate(n=Count("pk")).order_by("-n").first() or {})["unit_id"]
    reporter = User.objects.create(username="bench_reporter", full_name="填报员", unit_id=unit_id, is_reporter=True)
    period = Period.objects.get(month=last_month)
    Period.objects.filter(pk=period.pk).update(status=Period.Status.OPEN)
    period.refresh_from_db()
    services.close_period(period=period, by=coordinator, today=month_end(last_month) + datetime.timedelta(days=5),
                          reason="基准测试数据")
    return coordinator, reporter, unit_id


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=30000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the fastest counts")
    parser.add_argument("--only", action="append", default=[], help="one item (repeatable); default: all")
    parser.add_argument("--explain", action="store_true", help="print the plan of each item's slowest statement")
    args = parser.parse_args(argv)

    built = _setup(args)
    from django.db import connection

    from benchmarks.suite import ITEMS, Context
    from tadiao.lib.dates import month_end

    unknown = [name for name in args.only if name not in ITEMS]
    if unknown:
        print(f"没有这些项：{'、'.join(unknown)}；可选：{'、'.join(ITEMS)}", file=sys.stderr)
        return 2
    coordinator, reporter, unit_id = _actors(built["last_month"])
    ctx = Context(as_of=month_end(built["last_month"]), repeat=args.repeat, coordinator=coordinator,
                  reporter=reporter, unit_id=unit_id, explain=args.explain)
    print(f"{platform.node()} · {os.cpu_count()} 核 · Python {platform.python_version()} · "
          f"{connection.vendor} · {built}")
    print(f"\n{'item':<34}{'ours ms':>10}{'baseline ms':>13}{'ratio':>8}{'goal':>7}{'queries':>9}  note")
    missed = 0
    for name, run in ITEMS.items():
        if args.only and name not in args.only:
            continue
        for result in run(ctx):
            missed += not result.met
            mark = "" if result.met else "  ← 未达标"
            queries = "" if result.queries is None else result.queries
            print(f"{result.name:<34}{result.ours * 1000:>10.1f}{result.baseline * 1000:>13.1f}"
                  f"{result.ratio:>8.2f}{result.goal:>7.1f}{queries!s:>9}  {result.note}{mark}", flush=True)
    for plan in ctx.plans:
        print(f"\n{plan}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
