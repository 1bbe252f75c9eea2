"""An import of N rows and of 2N rows runs the same statements: reference data, existing projects and tags
are read once, and rows are written in bulk, the per-object audit events too (audit.record_many(): one INSERT
per 500 events)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.audit.models import AuditEvent
from tadiao.imports import services
from tadiao.imports.models import ImportJob
from tadiao.imports.services import ledger
from tadiao.projects.models import Project
from tests.conftest import TODAY
from tests.imports.helpers import LEDGER_HEADERS, ledger_row, write_workbook

N = 10


def _rows(prefix: str, count: int, *, tag: str, money: int = 5000) -> list[list]:
    return [
        ledger_row(项目名称=f"{prefix}项目{i:03d}", 项目代码=f"2024-330999-04-01-{prefix_code(prefix)}{i:03d}",
                   责任单位="东城镇" if i % 2 else "西湖街道", 主导产业="新材料", 总投资=money,
                   签约日期=datetime.date(2024, 3, 5), 开工日期="2024/6/1", 标签=f"智能化改造、{tag}")
        for i in range(count)
    ]


def prefix_code(prefix: str) -> str:
    return {"甲": "100", "乙": "200"}[prefix]


def _run(tmp_path, name: str, rows, by) -> tuple[ImportJob, list[str]]:
    path = write_workbook(tmp_path / f"{name}.xlsx", headers=LEDGER_HEADERS, rows=rows)
    with path.open("rb") as handle:
        job = services.create_job(kind="LEDGER", by=by, content=handle, original_name=path.name)
    with CaptureQueriesContext(connection) as captured:
        job = services.run_import(job_id=job.pk, today=TODAY)
    assert job.status == ImportJob.Status.SUCCEEDED, job.summary
    return job, [q["sql"] for q in captured.captured_queries]


def _audit_inserts(sql: list[str]) -> int:
    # A batch of events is one executemany, logged as "N times: INSERT …" (lib.bulk.insert).
    return sum(1 for s in sql if re.match(r'(\d+ times: )?INSERT INTO "audit_auditevent"', s))


@pytest.fixture
def actors(coordinator, unit_a, unit_b):
    return coordinator


def test_first_import_of_n_and_2n_rows(tmp_path, actors):
    job_n, sql_n = _run(tmp_path, "n", _rows("甲", N, tag="甲标签"), actors)
    job_2n, sql_2n = _run(tmp_path, "2n", _rows("乙", 2 * N, tag="乙标签"), actors)
    assert (job_n.created_count, job_2n.created_count) == (N, 2 * N)
    assert Project.objects.count() == 3 * N

    # 26 statements either way: the audit events of the created projects in one INSERT, the job's own in another,
    # each after a SELECT of the audit chain's head (issue 10), and these 22:
    #   1 UPDATE job → RUNNING (claim)          2 SELECT job + creator      3 UPDATE job progress total
    #   4 SELECT the user's unit                5 SELECT its region         6 SELECT unit ids in scope
    #   7 SELECT all units                      8 SELECT all industries
    #   9 SELECT projects by code              10 SELECT projects by name   (none found: no tag read)
    #  11 UPDATE job progress (every row validated: the page shows it while the write runs)
    #  12 SAVEPOINT                            13 SELECT tags by name       14 INSERT new tags
    #  15 SELECT tags by name (their ids)      16 INSERT projects (one executemany)
    #  17 SELECT the new projects' pks by name (the executemany returns none)
    #  18 INSERT project↔tag links (bulk)      19 INSERT stage transitions (bulk)
    #  20 UPDATE job → SUCCEEDED               21 RELEASE SAVEPOINT         22 SELECT job (refresh)
    assert _audit_inserts(sql_n) == _audit_inserts(sql_2n) == 2
    assert len(sql_n) == len(sql_2n) == 26
    assert AuditEvent.objects.filter(action="projects.project.created").count() == 3 * N


def test_reimport_of_n_and_2n_rows_runs_the_same_queries(tmp_path, actors):
    _run(tmp_path, "n0", _rows("甲", N, tag="甲标签"), actors)
    _run(tmp_path, "2n0", _rows("乙", 2 * N, tag="乙标签"), actors)

    # The same files again: nothing changes, so only the job is written. 18 statements either way:
    # these 17, and 1 as each audit INSERT below follows a SELECT of the audit chain's head (issue 10).
    #   1 UPDATE job → RUNNING (claim)          2 SELECT job + creator      3 UPDATE job progress total
    #   4 SELECT the user's unit                5 SELECT its region         6 SELECT unit ids in scope
    #   7 SELECT all units                      8 SELECT all industries
    #   9 SELECT projects by code  (every code found its own name and unit: no look-up by name)
    #  10 UPDATE job progress (every row validated)                        11 SAVEPOINT
    #  12 SELECT the matched projects by pk … FOR UPDATE (the write reads the chunk's projects again, locked:
    #     the optimistic lock against an edit since the validation)       13 SELECT their tags
    #  14 UPDATE job → SUCCEEDED               15 INSERT audit event (the job)
    #  16 RELEASE SAVEPOINT                    17 SELECT job (refresh)
    job_n, sql_n = _run(tmp_path, "n1", _rows("甲", N, tag="甲标签"), actors)
    job_2n, sql_2n = _run(tmp_path, "2n1", _rows("乙", 2 * N, tag="乙标签"), actors)
    assert (job_n.unchanged_count, job_2n.unchanged_count) == (N, 2 * N)
    assert len(sql_n) == len(sql_2n) == 18


def test_updating_n_and_2n_projects(tmp_path, actors):
    _run(tmp_path, "n0", _rows("甲", N, tag="甲标签"), actors)
    _run(tmp_path, "2n0", _rows("乙", 2 * N, tag="乙标签"), actors)

    # Every project changes its money and loses a tag. 24 statements either way: the audit events of the updated
    # projects in one INSERT, the job's own in another, each after a SELECT of the audit chain's head (issue 10),
    # and these 20:
    #   1–13 as a re-import (above)            14 SELECT tags by name (ids) 15 UPDATE projects (bulk)
    #  16 DELETE their project↔tag links       17 INSERT project↔tag links (bulk)
    #  18 UPDATE job → SUCCEEDED               19 RELEASE SAVEPOINT         20 SELECT job (refresh)
    job_n, sql_n = _run(tmp_path, "n1", [[*r[:-1], "甲标签"] for r in _rows("甲", N, tag="", money=6000)], actors)
    job_2n, sql_2n = _run(tmp_path, "2n1", [[*r[:-1], "乙标签"] for r in _rows("乙", 2 * N, tag="", money=6000)],
                          actors)
    assert (job_n.updated_count, job_2n.updated_count) == (N, 2 * N)
    assert _audit_inserts(sql_n) == _audit_inserts(sql_2n) == 2
    assert len(sql_n) == len(sql_2n) == 24
    assert AuditEvent.objects.filter(action="projects.project.updated").count() == 3 * N


def test_progress_is_saved_once_a_chunk(tmp_path, actors, monkeypatch):
    monkeypatch.setattr(ledger, "CHUNK", 200)  # 2 000 rows a chunk in earnest
    rows = [ledger_row(项目名称=f"项目{i:03d}", 责任单位="东城镇") for i in range(450)]
    job, sql = _run(tmp_path, "big", rows, actors)
    saves = [s for s in sql if s.startswith('UPDATE "imports_importjob" SET "progress_done"')]
    # The poll shows 200/450, then 400/450, then 450/450 once every row is validated (while the write runs); the
    # final save says 450/450 with the result. Each progress save renews the job's lease (its heartbeat), and only
    # while the job is still running (not failed by the recovery).
    assert [re.sub(r"'[^']*'(::\w+)?", "…", s) for s in saves] == [
        f'UPDATE "imports_importjob" SET "progress_done" = {n}, "heartbeat_at" = … '
        f'WHERE ("imports_importjob"."id" = {job.pk} AND "imports_importjob"."status" = …)' for n in (200, 400)] + [
        f'UPDATE "imports_importjob" SET "progress_done" = 450, "progress_total" = 450, "heartbeat_at" = … '
        f'WHERE ("imports_importjob"."id" = {job.pk} AND "imports_importjob"."status" = …)']
    assert (job.progress_done, job.progress_total, job.created_count) == (450, 450, 450)
