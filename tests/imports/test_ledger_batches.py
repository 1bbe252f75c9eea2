"""The ledger column 三个一批 (`第7期开工一批；第8期签约一批`): entries added through the import, a re-import
changes nothing, unknown 期次 and bad text are row errors, only the office enters projects, and an exported
ledger carries the column back."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tadiao.audit.models import AuditEvent
from tadiao.imports import parsing
from tadiao.projects.models import Batch, BatchEntry, Project
from tests.conftest import login
from tests.factories import ProjectFactory
from tests.imports.helpers import LEDGER_HEADERS, error_column, ledger_row, read_rows, write_workbook

HEADERS = [*LEDGER_HEADERS, "三个一批"]


def _row(batches, **values):
    return [*ledger_row(**values), batches]


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_ledger", str(path), *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def batches(db):
    return {n: Batch.objects.create(number=n, date=datetime.date(2026, n - 5, 1)) for n in (7, 8)}


def _entries(project):
    return sorted(BatchEntry.objects.filter(project=project).values_list("batch__number", "kind"))


def test_parse_batch_entries():
    assert parsing.parse_batch_entries("第7期开工一批；第8期签约一批") == [(7, "START"), (8, "SIGN")]
    assert parsing.parse_batch_entries("第 ９ 期投产一批、第7期开工一批;第7期开工一批") == [
        (9, "PRODUCE"),
        (7, "START"),
    ]
    assert parsing.parse_batch_entries("") == []
    with pytest.raises(parsing.CellError, match="“第7期开工”不是“第N期签约一批/开工一批/投产一批”的格式"):
        parsing.parse_batch_entries("第7期开工")


def test_entries_are_added_and_a_reimport_changes_nothing(tmp_path, batches, coordinator, unit_a):
    existing = ProjectFactory(name="东城老项目", unit=unit_a)
    BatchEntry.objects.create(batch=batches[7], project=existing, kind=BatchEntry.Kind.START)
    path = write_workbook(
        tmp_path / "台账.xlsx",
        headers=HEADERS,
        rows=[
            _row("第7期开工一批；第8期签约一批", 项目名称="东城新项目", 责任单位="东城镇"),
            # Already in 第7期开工一批 (kept), added to 第8期投产一批; the cell need not repeat what is there.
            _row("第8期投产一批", 项目名称="东城老项目", 责任单位="东城镇", 总投资=existing.total_investment),
            _row("", 项目名称="东城无批次项目", 责任单位="东城镇"),
        ],
    )
    assert run(path, "--user", "coordinator") == "共 3 行：新增 2 个项目，更新 1 个，未变化 0 个。"
    new = Project.objects.get(name="东城新项目")
    assert _entries(new) == [(7, "START"), (8, "SIGN")]
    assert _entries(existing) == [(7, "START"), (8, "PRODUCE")]
    assert _entries(Project.objects.get(name="东城无批次项目")) == []
    event = AuditEvent.objects.get(action="projects.project.updated", object_id=str(existing.pk))
    assert event.changes == {"batches": ["第7期开工一批", "第7期开工一批；第8期投产一批"]}
    assert AuditEvent.objects.get(action="projects.project.created", object_id=str(new.pk)).changes["batches"] == (
        "第7期开工一批；第8期签约一批"
    )
    assert run(path, "--user", "coordinator") == "共 3 行：新增 0 个项目，更新 0 个，未变化 3 个。"
    assert BatchEntry.objects.count() == 4


def test_unknown_batch_bad_text_and_a_reporter_entering_are_row_errors(tmp_path, batches, reporter_a, unit_a):
    already = ProjectFactory(name="已列入项目", unit=unit_a)
    BatchEntry.objects.create(batch=batches[7], project=already, kind=BatchEntry.Kind.START)
    path = write_workbook(
        tmp_path / "台账.xlsx",
        headers=HEADERS,
        rows=[
            _row("第9期开工一批", 项目名称="甲", 责任单位="东城镇"),
            _row("七期开工", 项目名称="乙", 责任单位="东城镇"),
            _row("第8期签约一批", 项目名称="丙", 责任单位="东城镇"),
            _row("第7期开工一批", 项目名称="已列入项目", 责任单位="东城镇"),  # nothing to add: fine for a reporter
        ],
    )
    with pytest.raises(CommandError, match="其中 3 行有错误"):
        run(path, "--user", "reporter_a")
    assert error_column(read_rows(tmp_path / "台账.errors.xlsx", "项目")) == {
        2: "“三个一批”第9期尚未创建，请先在“三个一批”页面创建该期次。",
        3: "三个一批：“七期开工”不是“第N期签约一批/开工一批/投产一批”的格式，多条之间用分号或顿号分隔。",
        4: "列入“三个一批”需由调度员（重点项目办）操作：第8期签约一批。",
        5: "",
    }
    assert not Project.objects.filter(name__in=["甲", "乙", "丙"]).exists()
    assert BatchEntry.objects.count() == 1


def test_exported_ledger_carries_the_column_and_imports_back_unchanged(client, tmp_path, batches, coordinator, unit_a):
    project = ProjectFactory(name="两期项目", unit=unit_a)
    BatchEntry.objects.create(batch=batches[8], project=project, kind=BatchEntry.Kind.SIGN)
    BatchEntry.objects.create(batch=batches[7], project=project, kind=BatchEntry.Kind.START)
    login(client, coordinator)
    data = client.get(reverse("projects:export")).content
    rows = read_rows(data, "项目")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["三个一批"] == "第7期开工一批；第8期签约一批"
    path = tmp_path / "导出.xlsx"
    path.write_bytes(data)
    assert run(path, "--user", "coordinator") == "共 1 行：新增 0 个项目，更新 0 个，未变化 1 个。"
