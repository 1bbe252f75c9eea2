"""The sheet 招商线索 through the importer (issue "The figures the meeting quotes", point 6): uploaded on the import
page and by `tadiao import_leads FILE --as USERNAME` — the same job, service and audit — validated row by row,
written all or nothing, a re-import a no-op; the template; who may import."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tadiao.attraction.models import Lead, Likelihood
from tadiao.audit.models import AuditEvent
from tadiao.imports.models import ImportJob
from tadiao.projects.models import Industry, Stage
from tests.attraction.conftest import make_lead
from tests.conftest import login
from tests.factories import ProjectFactory
from tests.imports.helpers import error_column, read_rows, write_workbook
from tests.imports.test_views import upload

pytestmark = pytest.mark.django_db
D = datetime.date
HEADERS = ["项目代码", "项目名称", "责任单位", "投资方", "开始接洽日期", "意向投资额（万元）", "主导产业", "签约可能性"]
CODE = "2026-330182-04-01-000001"


@pytest.fixture
def talks(unit_a, unit_b):
    """东城镇: 新能源装备项目 (在谈, code CODE, no lead), 新材料项目 (在谈, no lead), 已签约项目 (签约);
    西湖街道: 总部项目 (在谈)."""
    return {
        "energy": ProjectFactory(unit=unit_a, name="新能源装备项目", code=CODE, stage=Stage.NEGOTIATING),
        "materials": ProjectFactory(unit=unit_a, name="新材料项目", stage=Stage.NEGOTIATING),
        "signed": ProjectFactory(unit=unit_a, name="已签约项目", stage=Stage.SIGNED, signed_date=D(2026, 3, 1)),
        "hq": ProjectFactory(unit=unit_b, name="总部项目", stage=Stage.NEGOTIATING),
    }


GOOD = [
    [CODE, "", "", "宁波某智能装备有限公司", D(2026, 3, 10), 50000, "新能源", "高"],
    ["", "新材料项目", "东城镇", "上海某新材料股份有限公司", "2026年4月2日", "1,200.50", "", ""],
]


def _file(tmp_path, *rows, name="招商线索.xlsx"):
    return write_workbook(tmp_path / name, headers=HEADERS, rows=list(rows), sheet="招商线索",
                          title="2026年招商线索登记表")


def _command(path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_leads", str(path), *args, stdout=out)
    return out.getvalue().strip()


def test_upload_imports_leads_in_the_background(client, reporter_a, talks, tmp_path, immediate_tasks,
                                                django_capture_on_commit_callbacks):
    login(client, reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, _file(tmp_path, *GOOD), kind="LEADS")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.SUCCEEDED, job.summary
    assert job.summary == "共 2 行：新增 2 条招商线索，更新 0 条，未变化 0 条。"
    energy = Lead.objects.get(project=talks["energy"])
    assert (energy.investor, energy.start_date, energy.intended_investment, energy.industry.name,
            energy.likelihood, energy.status, energy.created_by) == (
        "宁波某智能装备有限公司", D(2026, 3, 10), Decimal("50000.00"), "新能源", Likelihood.HIGH,
        Lead.Status.ACTIVE, reporter_a)
    materials = Lead.objects.get(project=talks["materials"])
    assert (materials.start_date, materials.intended_investment, materials.industry, materials.likelihood) == (
        D(2026, 4, 2), Decimal("1200.50"), None, Likelihood.MEDIUM)
    assert AuditEvent.objects.filter(action="attraction.lead.imported", actor=reporter_a).count() == 2
    assert AuditEvent.objects.filter(action="imports.leads.imported", actor=reporter_a).count() == 1


def test_bad_rows_write_nothing_and_every_error_is_listed(client, reporter_a, talks, tmp_path, immediate_tasks,
                                                          django_capture_on_commit_callbacks):
    login(client, reporter_a)
    rows = [
        *GOOD,
        ["", "已签约项目", "东城镇", "某公司", D(2026, 2, 1), "", "", ""],  # line 5: not at 在谈
        ["", "总部项目", "西湖街道", "某公司", D(2026, 2, 1), "", "", ""],  # line 6: another unit's
        ["", "新材料项目", "东城镇", "", D(2099, 1, 1), "-5", "光伏", "很高"],  # line 7: every cell wrong
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, _file(tmp_path, *rows), kind="LEADS")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.summary.startswith("共 5 行，其中 3 行有错误，未导入任何数据。")
    assert not Lead.objects.exists()
    response = client.get(reverse("imports:errors", args=[job.pk]))
    errors = error_column(read_rows(b"".join(response.streaming_content), "招商线索"), header_index=1)
    assert errors[3] == errors[4] == ""
    assert errors[5] == "只有处于“在谈”阶段的项目才能登记招商线索（“已签约项目”当前为“签约”）。"
    assert errors[6] == "责任单位“西湖街道”不存在或不在您的管理范围内。"
    assert errors[7].split("\n") == [
        "投资方不能为空。",
        f"开始接洽日期（2099-01-01）不能晚于今天（{timezone.localdate():%Y-%m-%d}）。",
        "意向投资额（万元）：不能为负数（-5）。",
        f"主导产业“光伏”不在“主导产业”设置中（可填：{'、'.join(Industry.objects.values_list('name', flat=True))}）。",
        "签约可能性：“很高”不是有效的选项，可填：高、中、低。",
    ]


def test_command_imports_as_the_user_and_reimport_changes_nothing(reporter_a, talks, tmp_path):
    path = _file(tmp_path, *GOOD)
    assert _command(path, "--as", "REPORTER_A", "--today", "2026-11-23") == (
        "共 2 行：新增 2 条招商线索，更新 0 条，未变化 0 条。")
    assert _command(path, "--as", "reporter_a", "--today", "2026-11-23") == (
        "共 2 行：新增 0 条招商线索，更新 0 条，未变化 2 条。")
    # A changed investor updates the lead: a new version, the page's audit code with the change.
    changed = [[*GOOD[0][:3], "宁波某装备集团", *GOOD[0][4:]], GOOD[1]]
    assert _command(_file(tmp_path, *changed, name="改.xlsx"), "--as", "reporter_a", "--today", "2026-11-23") == (
        "共 2 行：新增 0 条招商线索，更新 1 条，未变化 1 条。")
    lead = Lead.objects.get(project=talks["energy"])
    assert (lead.investor, lead.version) == ("宁波某装备集团", 2)
    event = AuditEvent.objects.get(action="attraction.lead.updated")
    assert event.actor == reporter_a and event.changes["investor"] == ["宁波某智能装备有限公司", "宁波某装备集团"]
    assert ImportJob.objects.filter(kind=ImportJob.Kind.LEADS, created_by=reporter_a).count() == 3


def test_command_prints_each_rows_errors_in_chinese(reporter_a, talks, tmp_path):
    path = _file(tmp_path, GOOD[0], ["", "无此项目", "东城镇", "某公司", D(2026, 2, 1), "", "", ""])
    with pytest.raises(CommandError) as raised:
        _command(path, "--as", "reporter_a", "--today", "2026-11-23")
    lines = str(raised.value).split("\n")
    assert lines[0] == ("共 2 行，其中 1 行有错误，未导入任何数据。请下载错误报告，按“错误原因”列修改后重新导入。")
    assert lines[1] == f"错误报告：{tmp_path / '招商线索.errors.xlsx'}"
    assert lines[2] == "第 4 行：找不到项目“无此项目”（东城镇）。请先在项目台账中登记该项目（阶段为“在谈”）。"
    assert not Lead.objects.exists()


def test_command_refusals(reporter_a, leader, talks, tmp_path):
    path = _file(tmp_path, *GOOD)
    with pytest.raises(CommandError, match="请用 --as 用户名 指定操作人"):
        _command(path)
    with pytest.raises(CommandError, match="找不到用户：nobody"):
        _command(path, "--as", "nobody")
    with pytest.raises(CommandError, match="用户 leader 无权导入招商线索数据。"):
        _command(path, "--as", "leader")
    with pytest.raises(CommandError, match="缺少表头：投资方"):
        _command(write_workbook(tmp_path / "缺列.xlsx", headers=[h for h in HEADERS if h != "投资方"],
                                rows=[GOOD[0][:3] + GOOD[0][4:]], sheet="招商线索"), "--as", "reporter_a")
    assert not Lead.objects.exists()


def test_existing_lead_rules(reporter_a, talks, unit_a, tmp_path):
    """A lead already closed: its start may not move after its end; a lead on a project now signed still updates."""
    lost = make_lead(unit_a, start=D(2026, 1, 5), closed=D(2026, 2, 1), status=Lead.Status.LOST, reason="转投他地",
                     name="流失项目")
    rows = [["", "流失项目", "东城镇", "某公司", D(2026, 3, 1), "", "", ""]]
    with pytest.raises(CommandError, match="第 3 行：开始接洽日期不能晚于线索的结束日期（2026-02-01）。"):
        _command(_file(tmp_path, *rows), "--as", "reporter_a", "--today", "2026-11-23")
    rows = [["", "流失项目", "东城镇", "某公司", D(2026, 1, 6), "", "", "低"]]
    assert _command(_file(tmp_path, *rows, name="b.xlsx"), "--as", "reporter_a", "--today", "2026-11-23") == (
        "共 1 行：新增 0 条招商线索，更新 1 条，未变化 0 条。")
    lost.refresh_from_db()
    assert (lost.start_date, lost.likelihood, lost.status) == (D(2026, 1, 6), Likelihood.LOW, Lead.Status.LOST)


def test_other_units_reporter_cannot_reach_the_project_by_code(reporter_b, talks, tmp_path):
    with pytest.raises(CommandError, match=f"第 3 行：无权导入其他单位的项目（项目代码 {CODE}）。"):
        _command(_file(tmp_path, GOOD[0]), "--as", "reporter_b", "--today", "2026-11-23")


def test_template_downloads_and_its_example_row_is_refused(client, reporter_a, tmp_path, immediate_tasks,
                                                          django_capture_on_commit_callbacks):
    login(client, reporter_a)
    response = client.get(reverse("imports:template", args=["leads"]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = read_rows(data, "招商线索")
    assert rows[0] == HEADERS
    assert rows[1][1] == "示例：新能源装备项目"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, data, kind="LEADS", name="模板.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and not Lead.objects.exists()


@pytest.mark.parametrize("actor", ["leader", "sysadmin", "auditor"])
def test_who_may_not_import_leads(client, request, actor, talks, tmp_path):
    login(client, request.getfixturevalue(actor))
    assert client.get(reverse("imports:template", args=["leads"])).status_code == 403
    response = upload(client, _file(tmp_path, *GOOD), kind="LEADS")
    assert response.status_code in (200, 403)
    assert not ImportJob.objects.exists()
