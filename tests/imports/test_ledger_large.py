"""A ledger longer than the old 10 000-row cap: it streams (validated, then written, in chunks), stays all or
nothing, names a wrong row deep in the file, runs a fixed number of statements per chunk, and is refused above
its cap with the rows counted."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tadiao.audit.models import AuditEvent
from tadiao.imports import queries, services
from tadiao.imports.models import ImportJob
from tadiao.imports.services import jobs, ledger
from tadiao.projects.models import Project, StageTransition, Tag
from tests.conftest import TODAY
from tests.factories import ProjectFactory
from tests.imports.helpers import LEDGER_HEADERS, error_column, ledger_row, read_rows, write_workbook

LARGE = 12000


def _rows(count: int, *, prefix: str = "项目", codes: int = 0) -> list[list]:
    # Every other row has a 签约日期 (a stage transition to 签约); every third a tag.
    return [
        ledger_row(项目名称=f"{prefix}{i:05d}", 项目代码=f"2024-330999-04-01-{codes + i:06d}",
                   责任单位="东城镇" if i % 2 else "西湖街道", 总投资=100 + i,
                   签约日期=datetime.date(2024, 3, 5) if i % 2 else "", 标签="智能化改造" if i % 3 == 0 else "")
        for i in range(count)
    ]


def _import(tmp_path, rows, by, name: str = "台账") -> ImportJob:
    path = write_workbook(tmp_path / f"{name}.xlsx", headers=LEDGER_HEADERS, rows=rows, title="重点项目台账")
    with path.open("rb") as handle:
        job = services.create_job(kind="LEDGER", by=by, content=handle, original_name=path.name)
    return services.run_import(job_id=job.pk, today=TODAY)


@pytest.fixture
def actors(coordinator, unit_a, unit_b):
    return coordinator


def test_a_ledger_of_more_than_10000_rows_imports_fully(tmp_path, actors):
    job = _import(tmp_path, _rows(LARGE), actors)

    assert job.status == ImportJob.Status.SUCCEEDED, job.summary
    assert job.summary == f"共 {LARGE} 行：新增 {LARGE} 个项目，更新 0 个，未变化 0 个。"
    assert (job.created_count, job.progress_done, job.progress_total) == (LARGE, LARGE, LARGE)
    assert Project.objects.count() == LARGE
    last = Project.objects.get(name=f"项目{LARGE - 1:05d}")  # from the last chunk: 11999 is odd → 东城镇, signed
    assert (last.code, last.unit.name, str(last.total_investment), last.signed_date, last.stage) == (
        f"2024-330999-04-01-{LARGE - 1:06d}", "东城镇", f"{100 + LARGE - 1}.00", datetime.date(2024, 3, 5), "SIGNED")
    assert Project.objects.filter(tags__name="智能化改造").count() == LARGE // 3
    assert StageTransition.objects.count() == LARGE // 2
    # Every project's creation is in the audit log, with its own pk.
    created = AuditEvent.objects.filter(action="projects.project.created")
    assert created.count() == LARGE
    assert set(created.values_list("object_id", flat=True)) == {str(pk) for pk in Project.objects.values_list("pk",
                                                                                                              flat=True)}


def test_one_wrong_row_near_line_11000_writes_nothing_and_is_named(tmp_path, actors):
    rows = _rows(LARGE)
    # Line 1 is the title, line 2 the header: data row i is on line i + 3. Line 11 000 is row 10 997.
    rows[10997] = ledger_row(项目名称="错行项目", 责任单位="南山镇")
    job = _import(tmp_path, rows, actors)

    assert job.status == ImportJob.Status.FAILED
    assert job.summary == (f"共 {LARGE} 行，其中 1 行有错误，未导入任何数据。"
                           "请下载错误报告，按“错误原因”列修改后重新导入。")
    assert not Project.objects.exists()
    assert not StageTransition.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="projects.").exists()
    assert job.error_row_count == 1

    sheet = read_rows(job.error_file.read(), "项目")
    assert len(sheet) == LARGE + 2  # the title, the header and every row as uploaded
    assert sheet[10999][:3] == ["错行项目", "", "南山镇"]
    reasons = error_column(sheet, header_index=1)
    unknown = "责任单位“南山镇”不存在，请核对单位名称（须与单位管理中的名称一致）。"
    assert {line: text for line, text in reasons.items() if text} == {11000: unknown}
    assert queries.job_row_errors(job) == [(11000, [unknown])]  # what the job page and the API list


def test_a_duplicate_across_chunks_is_found(tmp_path, actors, monkeypatch):
    monkeypatch.setattr(ledger, "CHUNK", 4)
    rows = _rows(10)
    rows[9] = ledger_row(项目名称="另一个", 项目代码=rows[1][1], 责任单位="东城镇")  # row 1's code, 2 chunks later
    job = _import(tmp_path, rows, actors)

    assert job.status == ImportJob.Status.FAILED
    reasons = error_column(read_rows(job.error_file.read(), "项目"), header_index=1)
    assert {line: text for line, text in reasons.items() if text} == {12: f"与第 4 行的项目代码重复（{rows[1][1]}）。"}


def _statements(tmp_path, count: int, by, *, prefix: str, codes: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        job = _import(tmp_path, _rows(count, prefix=prefix, codes=codes), by, name=prefix)
    assert job.status == ImportJob.Status.SUCCEEDED, job.summary
    return len(captured.captured_queries)


def test_statements_grow_with_chunks_not_rows(tmp_path, actors, monkeypatch):
    monkeypatch.setattr(ledger, "CHUNK", 6)
    Tag.objects.get_or_create(name="智能化改造")  # known before: no chunk creates it
    # 12 rows are 2 chunks, 24 rows 4 chunks, 36 rows 6 chunks; names and codes differ: each is a first import.
    two = _statements(tmp_path, 12, actors, prefix="甲", codes=100000)
    four = _statements(tmp_path, 24, actors, prefix="乙", codes=200000)
    six = _statements(tmp_path, 36, actors, prefix="丙", codes=300000)
    # Per chunk of new projects, 10 statements: validation — projects by code, by name, the progress save (the
    # lease renewed); the write — tags by name, INSERT projects, their pks by name, INSERT tag links, INSERT
    # transitions, the audit chain's head, INSERT the audit events.
    assert four - two == six - four == 2 * 10


def test_the_cap_counts_the_rows_and_refuses_the_file(tmp_path, actors, monkeypatch):
    monkeypatch.setattr(jobs, "ROW_LIMITS", {ImportJob.Kind.LEDGER: 5})
    rows = _rows(6)
    rows.insert(3, [""] * len(LEDGER_HEADERS))  # a blank row is not a row
    job = _import(tmp_path, rows, actors)
    assert job.status == ImportJob.Status.FAILED
    assert job.summary == "共 6 行，超过每次导入的上限 5 行，请分批导入。"
    assert not Project.objects.exists()

    job = _import(tmp_path, rows[:6], actors, name="五行")  # 5 rows and the blank one: within the cap
    assert job.status == ImportJob.Status.SUCCEEDED, job.summary
    assert job.created_count == 5


def test_the_real_caps_and_chunk():
    assert (jobs.ROW_LIMITS, jobs.MAX_ROWS, ledger.CHUNK) == ({ImportJob.Kind.LEDGER: 200000}, 10000, 2000)


def test_a_project_edited_between_the_validation_and_the_write_stops_the_import(tmp_path, actors, unit_a,
                                                                                monkeypatch):
    project = ProjectFactory(name="已有项目", unit=unit_a, total_investment=Decimal("100.00"))
    validated = ledger._heartbeat

    def validated_then_edited(job, **values):  # someone saves the project as the validation ends
        validated(job, **values)
        if values.get("progress_total"):
            Project.objects.filter(pk=project.pk).update(version=F("version") + 1, total_investment=Decimal("7.00"))

    monkeypatch.setattr(ledger, "_heartbeat", validated_then_edited)
    rows = [ledger_row(项目名称="已有项目", 责任单位="东城镇", 总投资=300), *_rows(3)]
    job = _import(tmp_path, rows, actors)

    assert job.status == ImportJob.Status.FAILED
    assert job.summary == "导入期间有项目被他人修改或删除，未导入任何数据，请稍后重新导入。"
    assert list(Project.objects.values_list("name", "total_investment")) == [("已有项目", Decimal("7.00"))]
