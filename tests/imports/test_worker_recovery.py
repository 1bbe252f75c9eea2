"""Jobs never hang (issue 10, point 3): a real `tadiao db_worker` process is killed with SIGKILL in the middle of
an import; the next worker start fails the job with "后台任务进程中断，请重新导入" and nothing of the import is
written. The lease rules themselves are tested with an injected clock and process check."""

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.core.files import File
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tadiao.audit.models import AuditEvent
from tadiao.imports import services, tasks
from tadiao.imports.models import ImportJob
from tadiao.lib import leases
from tadiao.projects.models import Project
from tests.conftest import TODAY, login
from tests.imports.helpers import LEDGER_HEADERS, ledger_row, write_workbook

TADIAO = str(Path(sys.executable).with_name("tadiao"))
ROWS = 5000  # a few seconds of validation: time to see the progress move and kill the worker mid-job
TIMEOUT = 90  # seconds any one step may take on a loaded 2-core machine


class WorkerDatabase:
    """The database a worker subprocess shares with this test. PostgreSQL: the test database itself (the test
    commits: transaction=True). SQLite: the test database is in memory, so it is handed over as a file in the
    subprocess's TADIAO_DATA_DIR (SQLite's backup API) and taken back afterwards."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.file = data_dir / "tadiao.sqlite3"
        self.sqlite = connection.vendor == "sqlite"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "TADIAO_DATA_DIR": str(self.data_dir), "DJANGO_SETTINGS_MODULE": "tadiao.settings",
               "TADIAO_DB_CONN_MAX_AGE": "0"}
        if self.sqlite:
            env["DATABASE_URL"] = ""
        else:
            s = connection.settings_dict
            auth = urllib.parse.quote(s["USER"] or "", safe="")
            if s["PASSWORD"]:
                auth += ":" + urllib.parse.quote(s["PASSWORD"], safe="")
            env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return env

    def hand_over(self) -> None:
        if self.sqlite:
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def take_back(self) -> None:
        if self.sqlite:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def job_state(self, pk: int) -> tuple[str, int, int]:
        """(status, progress_done, progress_total) as committed by the worker."""
        if self.sqlite:
            with sqlite3.connect(self.file, timeout=10) as reader:
                row = reader.execute("SELECT status, progress_done, progress_total FROM imports_importjob "
                                     "WHERE id = ?", (pk,)).fetchone()
            reader.close()
            return row
        return ImportJob.objects.values_list("status", "progress_done", "progress_total").get(pk=pk)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_a_failed_job_and_writes_nothing(tmp_path, settings, coordinator, unit_a,
                                                                           client):
    settings.MEDIA_ROOT = tmp_path / "media"  # the subprocess's TADIAO_DATA_DIR/media: it reads the upload there
    path = write_workbook(tmp_path / "大台账.xlsx", headers=LEDGER_HEADERS, rows=[
        ledger_row(项目名称=f"批量项目{i:05d}", 责任单位="东城镇", 总投资=100) for i in range(ROWS)
    ])
    with path.open("rb") as handle:
        job = services.create_job(kind="LEDGER", by=coordinator, content=File(handle), original_name=path.name)
    tasks.run_import_task.enqueue(job.pk, TODAY.isoformat())  # the database backend: waits for a worker
    db = WorkerDatabase(tmp_path)
    db.hand_over()

    worker = subprocess.Popen([TADIAO, "db_worker", "--no-startup-delay", "--interval", "0.2"], env=db.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + TIMEOUT
        state = db.job_state(job.pk)
        while state[1] == 0:
            assert worker.poll() is None, f"the worker stopped before the import was under way: {worker.stdout.read()}"
            assert time.monotonic() < deadline, f"no progress within {TIMEOUT} s: {state}"
            time.sleep(0.05)
            state = db.job_state(job.pk)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=TIMEOUT)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=TIMEOUT)
    status, done, total = db.job_state(job.pk)
    assert worker.returncode == -signal.SIGKILL
    # What F2 found: a job "处理中 n%" whose worker is gone.
    assert status == "RUNNING" and 0 < done < total == ROWS

    # A new worker starts: it fails the abandoned job before taking tasks, and (--batch) stops when none is left.
    restart = subprocess.run([TADIAO, "db_worker", "--batch", "--no-startup-delay", "--interval", "0"],
                             env=db.env(), capture_output=True, text=True, timeout=TIMEOUT)
    assert restart.returncode == 0, restart.stderr
    assert "已处理 1 个因进程中断而停止的后台任务" in restart.stderr
    db.take_back()

    job.refresh_from_db()
    assert (job.status, job.summary) == ("FAILED", "后台任务进程中断，请重新导入。未导入任何数据。")
    assert job.finished_at is not None
    assert not Project.objects.exists()  # nothing of the import was written
    event = AuditEvent.objects.get(action="imports.ledger.imported")
    assert (event.result, event.message, event.actor) == ("FAILURE", job.summary, coordinator)

    login(client, coordinator)
    page = client.get(reverse("imports:detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "后台任务进程中断，请重新导入" in page and "失败" in page and "hx-trigger" not in page


# --- the lease rules, with an injected clock and process check ------------------------------------------------

T0 = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def test_abandoned_when_the_heartbeat_is_older_than_the_lease_or_the_process_is_gone():
    def elsewhere(worker):
        return None  # another host: only the lease can tell

    def dead(worker):
        return False

    def alive(worker):
        return True

    assert leases.LEASE == minutes(10)
    assert not leases.is_abandoned(heartbeat_at=T0, worker="web2:41", now=T0 + minutes(10), alive=elsewhere)
    assert leases.is_abandoned(heartbeat_at=T0, worker="web2:41", now=T0 + minutes(10.01), alive=elsewhere)
    assert leases.is_abandoned(heartbeat_at=T0, worker="here:41", now=T0 + minutes(0.1), alive=dead)
    assert not leases.is_abandoned(heartbeat_at=T0, worker="here:41", now=T0 + minutes(0.1), alive=alive)
    # Still alive but silent for longer than the lease: taken as dead (its own write is then refused).
    assert leases.is_abandoned(heartbeat_at=T0, worker="here:41", now=T0 + minutes(11), alive=alive)
    assert leases.is_abandoned(heartbeat_at=None, worker="", now=T0, alive=alive)  # running before leases existed


def test_the_process_check_of_this_host():
    assert leases.process_alive(leases.worker_identity()) is True
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    assert leases.process_alive(f"{leases.worker_identity().rpartition(':')[0]}:{finished.stdout.strip()}") is False
    assert leases.process_alive("another-host.example:1") is None


def _running(by, *, heartbeat_at, worker="web2:41", done=460, total=1000) -> ImportJob:
    return ImportJob.objects.create(kind="LEDGER", original_name="台账.xlsx", created_by=by, worker=worker,
                                    status=ImportJob.Status.RUNNING, heartbeat_at=heartbeat_at,
                                    progress_done=done, progress_total=total)


def test_recovery_fails_only_the_abandoned_jobs(coordinator, reporter_a):
    stale = _running(coordinator, heartbeat_at=T0 - minutes(11))
    fresh = _running(coordinator, heartbeat_at=T0 - minutes(1))
    dead_here = _running(reporter_a, heartbeat_at=T0 - minutes(1), worker="here:99")
    done = ImportJob.objects.create(kind="LEDGER", original_name="a.xlsx", created_by=coordinator,
                                    status=ImportJob.Status.SUCCEEDED, heartbeat_at=T0 - minutes(60))

    assert services.recover_stale_jobs(now=T0, alive=lambda worker: False if worker == "here:99" else None) == 2

    states = {j.pk: (j.status, j.summary) for j in ImportJob.objects.all()}
    assert states[stale.pk] == states[dead_here.pk] == ("FAILED", services.INTERRUPTED)
    assert states[fresh.pk] == ("RUNNING", "") and states[done.pk] == ("SUCCEEDED", "")
    assert ImportJob.objects.get(pk=stale.pk).finished_at == T0
    assert AuditEvent.objects.filter(action="imports.ledger.imported", result="FAILURE").count() == 2
    # Run again: nothing left to do, nothing recorded twice.
    assert services.recover_stale_jobs(now=T0, alive=lambda worker: False) == 1  # only `fresh` is left running
    assert AuditEvent.objects.filter(action="imports.ledger.imported", result="FAILURE").count() == 3


def test_the_job_page_shows_an_abandoned_job_failed(client, reporter_a):
    job = _running(reporter_a, heartbeat_at=timezone.now() - minutes(30))
    login(client, reporter_a)
    url = reverse("imports:detail", args=[job.pk])
    poll = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in poll  # no more polling
    assert "失败" in poll and "后台任务进程中断，请重新导入。未导入任何数据。" in poll
    assert 'style="width: 100%"' in poll and "bg-danger" in poll
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_a_run_whose_lease_was_taken_writes_nothing(tmp_path, settings, coordinator, unit_a, monkeypatch):
    """A worker that is alive but went silent past its lease: the recovery fails its job; when the worker
    carries on, its next heartbeat or its write is refused and rolled back. The job stays failed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = write_workbook(tmp_path / "台账.xlsx", headers=LEDGER_HEADERS,
                          rows=[ledger_row(项目名称=f"项目{i}", 责任单位="东城镇") for i in range(3)])
    with path.open("rb") as handle:
        job = services.create_job(kind="LEDGER", by=coordinator, content=File(handle), original_name=path.name)
    from tadiao.imports.services import running

    start = running._start_progress

    def start_then_lose_the_lease(job, total):
        start(job, total)
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=T0 - minutes(11))
        assert services.recover_stale_jobs(now=T0, alive=lambda worker: None) == 1

    monkeypatch.setattr(running, "_start_progress", start_then_lose_the_lease)
    job = services.run_import(job_id=job.pk, today=TODAY)
    assert (job.status, job.summary) == ("FAILED", services.INTERRUPTED)
    assert not Project.objects.exists()
    assert AuditEvent.objects.filter(action="imports.ledger.imported").count() == 1  # the recovery's, only
