"""Month-end surge: N reporters log in, open their report list, save and submit their reports and upload a photo,
while a coordinator approves and a leader opens the dashboard — against the real server (gunicorn + the task
worker) on 127.0.0.1 only, for a bounded time. Prints requests/s, p50/p95/p99 per page and the error count, then
checks in the database that every submit the server accepted (302 after 保存并报送) is there: nothing lost.

    .venv/bin/pip install -r benchmarks/requirements-surge.txt     # locust: the benchmark's own requirement
    .venv/bin/python benchmarks/surge.py --users 200 --seconds 300
    .venv/bin/python benchmarks/surge.py --users 200 --think-scale 0.1     # people ten times faster: a stress test
    .venv/bin/python benchmarks/surge.py --users 50 --seconds 60 --database-url postgres://postgres@127.0.0.1/empty_db

Reporters pause between pages as a person does (reading the list, a minute typing the form, picking a photo:
about 110 s and 7 requests per report, see surge_locust.py); --think-scale shrinks the pauses to find the knee.
SQLite (default): a fresh database in a temporary TADIAO_DATA_DIR. PostgreSQL: --database-url names an EMPTY
database, migrated and filled here. Exit status 1 when a request failed or an accepted submit is missing.
"""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "Surge-bench-2026"
LOCUSTFILE = Path(__file__).with_name("surge_locust.py")


# --- inside Django (run as `surge.py _setup|_verify` with the benchmark's environment) ----------------------

def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadiao.settings")
    import django

    django.setup()


def setup_data(*, users: int, projects_per_user: int) -> dict:
    """A county with one unit per reporter, each owing `projects_per_user` reports this month; a coordinator and
    a leader. One password hash for every account (hashing is not what is set up here)."""
    _django()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from tadiao.org.models import Region, Unit, User
    from tadiao.projects.models import AnnualPlan, Project
    from tadiao.reporting.models import Period

    month = timezone.localdate().replace(day=1)
    hashed = make_password(PASSWORD)
    extra = {"must_change_password": False} if hasattr(User, "must_change_password") else {}
    with transaction.atomic():
        region = Region.objects.create(code="339999", name="压测县", level=Region.Level.COUNTY, path="/339999/")
        office = Unit.objects.create(name="县发展和改革局", kind=Unit.Kind.DEPARTMENT, region=region, display_order=0)
        units = Unit.objects.bulk_create([Unit(name=f"压测镇{i:04d}", kind=Unit.Kind.TOWNSHIP, region=region,
                                               display_order=i + 1) for i in range(users)])
        User.objects.bulk_create(
            [User(username=f"r{i:04d}", full_name=f"填报员{i:04d}", unit=unit, is_reporter=True, password=hashed,
                  **extra) for i, unit in enumerate(units)]
            + [User(username="surge_coordinator", full_name="调度员", unit=office, is_coordinator=True,
                    password=hashed, **extra),
               User(username="surge_leader", full_name="领导", unit=office, is_leader=True, password=hashed, **extra)]
        )
        projects = Project.objects.bulk_create([
            Project(name=f"{unit.name}项目{j}", unit=unit, total_investment=10000)
            for unit in units for j in range(projects_per_user)
        ])
        AnnualPlan.objects.bulk_create([AnnualPlan(project=p, year=month.year, planned_investment=1200)
                                        for p in projects])
        Period.objects.create(month=month, deadline=month.replace(day=25))
    return {"month": f"{month:%Y-%m}", "reporters": users, "projects": len(projects)}


def verify(accepted_file: Path) -> dict:
    """Every accepted submit (project id, month) must be a report that is 已报送 or 审核通过 (approved later)."""
    _django()
    from tadiao.reporting.models import MonthlyReport

    accepted = set()
    if accepted_file.exists():
        for line in accepted_file.read_text().splitlines():
            project_id, month = line.split()
            accepted.add((int(project_id), month))
    stored = {(p, f"{m:%Y-%m}") for p, m in MonthlyReport.objects.filter(
        status__in=[MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED]
    ).values_list("project_id", "period__month")}
    lost = sorted(accepted - stored)
    return {"accepted_submits": len(accepted), "lost": len(lost), "lost_examples": lost[:10],
            "submitted_or_approved_in_db": len(stored),
            "approved_in_db": MonthlyReport.objects.filter(status=MonthlyReport.Status.APPROVED).count()}


# --- the driver ------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, check=True, cwd=ROOT, **kwargs)


def _inside(command: str, env: dict, *args: str) -> dict:
    out = _run([sys.executable, __file__, command, *args], env, capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn 启动失败")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn 未在 60 秒内就绪")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated reporters (default 200; up to 1000)")
    parser.add_argument("--seconds", type=int, default=300, help="how long the load runs (default 300)")
    parser.add_argument("--think-scale", type=float, default=1.0,
                        help="scale of the pauses between pages (default 1: a person; 0.1: ten times faster)")
    # Logins hash the password (PBKDF2, ~0.3 s of CPU each): all reporters at the same second measure hashing.
    parser.add_argument("--spawn-rate", type=float, default=2, help="reporters logging in per second (default 2)")
    parser.add_argument("--projects-per-user", type=int, default=3, help="reports each reporter owes (default 3)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, as make run)")
    parser.add_argument("--database-url", default="", help="an EMPTY PostgreSQL database; default: SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the data directory afterwards")
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tadiao-surge-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TADIAO_DATA_DIR": str(data_dir), "DATABASE_URL": options.database_url,
           "DJANGO_SETTINGS_MODULE": "tadiao.settings", "TADIAO_DEBUG": "0"}
    database = "PostgreSQL" if options.database_url else "SQLite"
    print(f"数据目录 {data_dir}，数据库 {database}，{options.users} 个填报员 × {options.projects_per_user} 个项目，"
          f"{options.seconds} 秒", flush=True)
    _run([str(BIN / "tadiao"), "migrate", "--noinput", "-v", "0"], env)
    made = _inside("_setup", env, str(options.users), str(options.projects_per_user))

    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "tadiao.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
         str(options.workers), "--log-level", "warning"], env=env, cwd=ROOT, start_new_session=True)
    worker = subprocess.Popen([str(BIN / "tadiao"), "db_worker", "--no-startup-delay"], env=env, cwd=ROOT,
                              start_new_session=True, stdout=subprocess.DEVNULL)
    accepted = data_dir / "accepted-submits.txt"
    prefix = data_dir / "surge"
    try:
        _wait_healthy(url, server)
        locust_env = {**env, "SURGE_PASSWORD": PASSWORD, "SURGE_MONTH": made["month"],
                      "SURGE_REPORTERS": str(options.users), "SURGE_ACCEPTED": str(accepted),
                      "SURGE_THINK_SCALE": str(options.think_scale)}
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url,
             "-u", str(options.users + 2), "-r", str(options.spawn_rate), "-t", f"{options.seconds}s",
             "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            env=locust_env, cwd=ROOT, timeout=options.seconds + 300, check=False,
        )
        elapsed = time.monotonic() - started
    finally:
        _stop(server)
        _stop(worker)
    result = _inside("_verify", env, str(accepted))

    rows = _stats(prefix)
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"\n{'page':<28}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for row in sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: r["Name"]):
        print(f"{row['Name']:<28}{row['Request Count']:>9}{row['Failure Count']:>8}"
              f"{float(row['Requests/s']):>8.1f}{row['50%']:>9}{row['95%']:>9}{row['99%']:>9}")
    print(f"{'total':<28}{total['Request Count']:>9}{total['Failure Count']:>8}{float(total['Requests/s']):>8.1f}"
          f"{total['50%']:>9}{total['95%']:>9}{total['99%']:>9}")
    print(f"\n{database}, {options.users} reporters, {elapsed:.0f} s: {float(total['Requests/s']):.1f} req/s, "
          f"{total['Failure Count']} errors; accepted submits {result['accepted_submits']}, "
          f"lost {result['lost']}; approved by the coordinator {result['approved_in_db']}")
    save = next((r for r in rows if r["Name"] == "report save"), None)
    if save:
        verdict = "达标" if int(save["95%"]) < 500 else "未达标"
        print(f"report save p95 {save['95%']} ms (目标 < 500 ms：{verdict})")
    if result["lost"]:
        print(f"LOST: {result['lost_examples']}")
    if not options.keep:  # PostgreSQL: the database stays (it was given); the uploaded photos go
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if int(total["Failure Count"]) or result["lost"] else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        print(json.dumps(setup_data(users=int(sys.argv[2]), projects_per_user=int(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "_verify":
        print(json.dumps(verify(Path(sys.argv[2]))))
    else:
        sys.exit(main())
