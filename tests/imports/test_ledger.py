"""The ledger import through its real interface, `tadiao import_ledger`: what is written, what a re-import
does (nothing), and every row error, read back from the error workbook."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tadiao.audit.models import AuditEvent
from tadiao.imports.models import ImportJob
from tadiao.projects.models import Category, Level, Nature, Project, Stage, StageTransition, Tag
from tests.factories import ProjectFactory, RegionFactory, UnitFactory
from tests.imports.helpers import LEDGER_HEADERS, error_column, ledger_row, read_rows, write_workbook

CODE_A = "2024-330999-04-01-000001"

# The headers as officials type them: half-width brackets, stray and full-width spaces, a "*" mark.
VARIANT_HEADERS = [
    "* 项目 名称", "项目代码 ", "责任单位", "项目级别", "项目类别", "主导产业", "建设性质", "总投资(万元)",
    "签约日期", "立项日期", "计划开工日期", "开工日期", "计划竣工日期", "竣工日期", "投产日期", "达产日期",
    "项目\u3000状态", " 标签",
]


def three_rows() -> list[list]:
    return [
        ledger_row(
            项目名称="东城镇智能装备产业园", 项目代码=CODE_A, 责任单位="东城镇", 项目级别="省重点",
            主导产业="高端装备制造", 总投资="25,000.5",
            签约日期=datetime.date(2024, 3, 5),  # a real Excel date cell
            立项日期="2024/4/10", 计划开工日期="2024年6月1日", 开工日期="2024-06-18",
            计划竣工日期=45657,  # an Excel serial number: 2024-12-31
            标签="智能化改造、专项债;新标签",
        ),
        ledger_row(项目名称="西湖街道城市更新", 责任单位="西湖街道", 项目级别="县重点", 项目类别="城建",
                   建设性质="续建", 总投资=800, 项目状态="停工"),
        ledger_row(项目名称="东城镇冷链物流中心", 责任单位="东城镇", 项目类别="服务业", 总投资=120000,
                   签约日期="2023.11.2", 项目状态="终止", 标签="亿元以上、招商引资"),
    ]


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_ledger", str(path), *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def ledger(tmp_path, unit_a, unit_b):
    return write_workbook(tmp_path / "台账.xlsx", headers=VARIANT_HEADERS, rows=three_rows(),
                          title="青山市2024年重点项目台账")


def test_import_creates_projects_from_every_date_form(ledger, unit_a, unit_b, settings):
    assert run(ledger) == "共 3 行：新增 3 个项目，更新 0 个，未变化 0 个。"

    a = Project.objects.get(name="东城镇智能装备产业园")
    assert (a.code, a.unit, a.level, a.category, a.nature) == (CODE_A, unit_a, Level.PROVINCIAL, Category.INDUSTRY,
                                                                Nature.NEW)
    assert a.industry.name == "高端装备制造"
    assert a.total_investment == Decimal("25000.50")
    assert (a.signed_date, a.approved_date, a.planned_started_date, a.started_date, a.planned_completed_date) == (
        datetime.date(2024, 3, 5), datetime.date(2024, 4, 10), datetime.date(2024, 6, 1),
        datetime.date(2024, 6, 18), datetime.date(2024, 12, 31))
    assert a.completed_date is None
    assert a.stage == Stage.STARTED  # the furthest actual date
    assert sorted(a.tags.values_list("name", flat=True)) == ["专项债", "新标签", "智能化改造"]
    assert Tag.objects.filter(name="新标签").exists()
    (t,) = StageTransition.objects.filter(project=a)
    assert (t.kind, t.from_stage, t.to_stage, t.actual_date, t.reason, t.by) == (
        StageTransition.Kind.IMPORT, Stage.RESERVE, Stage.STARTED, datetime.date(2024, 6, 18), "台账导入", None)

    b = Project.objects.get(name="西湖街道城市更新")
    assert (b.unit, b.level, b.category, b.nature, b.total_investment) == (
        unit_b, Level.COUNTY, Category.URBAN, Nature.CONTINUING, Decimal("800.00"))
    assert (b.stage, b.is_suspended, b.suspended_reason, b.is_cancelled, b.code) == (
        Stage.RESERVE, True, "台账导入", False, "")
    assert StageTransition.objects.get(project=b).reason == "台账导入：停工"

    c = Project.objects.get(name="东城镇冷链物流中心")
    assert (c.stage, c.is_cancelled, c.cancelled_reason, c.signed_date) == (
        Stage.SIGNED, True, "台账导入", datetime.date(2023, 11, 2))
    assert list(c.tags.values_list("name", flat=True)) == ["招商引资"]  # 亿元以上 is derived, not stored
    assert c.derived_tags == ["亿元以上", "10亿元以上"]

    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.updated_count, job.unchanged_count) == ("SUCCEEDED", 3, 0, 0)
    assert (job.progress_done, job.progress_total, job.original_name) == (3, 3, "台账.xlsx")
    assert job.file.path.startswith(str(settings.MEDIA_ROOT / "imports"))
    assert not job.error_file

    event = AuditEvent.objects.get(action="imports.ledger.imported")
    assert event.changes == {"file": "台账.xlsx", "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert event.actor_name == "命令行导入"
    created = AuditEvent.objects.filter(action="projects.project.created")
    assert created.count() == 3
    a_event = created.get(object_id=str(a.pk))
    assert a_event.changes["code"] == CODE_A
    assert a_event.changes["unit"] == "东城镇"
    assert a_event.changes["total_investment"] == "25000.50"
    assert a_event.changes["started_date"] == "2024-06-18"
    assert a_event.changes["tags"] == ["专项债", "新标签", "智能化改造"]


def test_reimporting_the_same_file_changes_nothing(ledger):
    run(ledger)
    before = {p.pk: (p.version, p.updated_at) for p in Project.objects.all()}
    events, transitions = AuditEvent.objects.count(), StageTransition.objects.count()

    assert run(ledger) == "共 3 行：新增 0 个项目，更新 0 个，未变化 3 个。"

    assert {p.pk: (p.version, p.updated_at) for p in Project.objects.all()} == before
    assert StageTransition.objects.count() == transitions
    # Only the job's own event: no per-project event.
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.filter(action="imports.ledger.imported").count() == 2
    assert not AuditEvent.objects.filter(action="projects.project.updated").exists()
    assert ImportJob.objects.filter(unchanged_count=3).count() == 1


def test_changed_cells_update_the_project_with_an_audited_diff(tmp_path, ledger):
    run(ledger)
    rows = three_rows()
    col = LEDGER_HEADERS.index
    rows[0][col("总投资（万元）")] = 26000
    rows[0][col("竣工日期")] = "2025/9/30"
    rows[0][col("标签")] = "智能化改造"
    rows[1][col("项目状态")] = "正常"
    write_workbook(ledger, headers=LEDGER_HEADERS, rows=rows)

    assert run(ledger) == "共 3 行：新增 0 个项目，更新 2 个，未变化 1 个。"

    a = Project.objects.get(code=CODE_A)
    assert (a.total_investment, a.completed_date, a.stage, a.version) == (
        Decimal("26000.00"), datetime.date(2025, 9, 30), Stage.COMPLETED, 2)
    assert list(a.tags.values_list("name", flat=True)) == ["智能化改造"]
    event = AuditEvent.objects.get(action="projects.project.updated", object_id=str(a.pk))
    assert event.changes == {
        "total_investment": ["25000.50", "26000.00"],
        "completed_date": [None, "2025-09-30"],
        "stage": ["STARTED", "COMPLETED"],
        "tags": [["专项债", "新标签", "智能化改造"], ["智能化改造"]],
    }
    t = StageTransition.objects.filter(project=a).last()
    assert (t.from_stage, t.to_stage, t.actual_date) == (Stage.STARTED, Stage.COMPLETED, datetime.date(2025, 9, 30))

    b = Project.objects.get(name="西湖街道城市更新")
    assert (b.is_suspended, b.suspended_reason) == (False, "")
    assert AuditEvent.objects.get(action="projects.project.updated", object_id=str(b.pk)).changes == {
        "is_suspended": [True, False], "suspended_reason": ["台账导入", ""],
    }
    assert StageTransition.objects.filter(project=b).last().reason == "台账导入：正常"


def test_every_row_error_is_reported_and_nothing_is_written(tmp_path, unit_a, unit_b):
    good = dict(项目名称="好项目", 项目代码=CODE_A, 责任单位="东城镇", 签约日期=datetime.date(2024, 3, 5),
                标签="新标签")
    rows = [
        ledger_row(**good),                                                             # line 3
        ledger_row(项目名称="甲", 责任单位="南山镇"),                                     # 4
        ledger_row(项目名称="乙", 责任单位="东城镇", 项目代码="2024-3309-04-01-1"),        # 5
        ledger_row(项目名称="丙", 责任单位="东城镇", 签约日期="2024-13-01"),               # 6
        ledger_row(项目名称="丁", 责任单位="东城镇", 总投资=-5),                    # 7
        ledger_row(项目名称="戊", 责任单位="东城镇", 签约日期="2024-05-01", 开工日期="2024-03-01"),  # 8
        ledger_row(项目名称="好项目", 责任单位="东城镇"),                                  # 9: same name + unit
        ledger_row(项目名称="己", 项目代码=CODE_A, 责任单位="西湖街道"),                    # 10: same code
        ledger_row(项目名称="庚", 责任单位="东城镇", 主导产业="造船", 项目级别="特别重点", 总投资="1.234"),
        ledger_row(项目名称="", 责任单位=""),                                              # 12
    ]
    path = write_workbook(tmp_path / "台账.xlsx", headers=LEDGER_HEADERS, rows=rows, title="2024年重点项目台账")

    with pytest.raises(CommandError) as exc:
        run(path)

    errors_path = tmp_path / "台账.errors.xlsx"
    assert str(exc.value) == (
        "共 10 行，其中 9 行有错误，未导入任何数据。请下载错误报告，按“错误原因”列修改后重新导入。"
        f"\n错误报告：{errors_path}"
    )
    assert not Project.objects.exists()
    assert not Tag.objects.filter(name="新标签").exists()
    assert not StageTransition.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="projects.").exists()
    job = ImportJob.objects.get()
    assert (job.status, job.error_row_count, job.created_count) == ("FAILED", 9, 0)
    assert (job.progress_done, job.progress_total, job.percent) == (10, 10, 100)
    assert AuditEvent.objects.get(action="imports.ledger.imported").result == "FAILURE"

    sheet = read_rows(errors_path, "项目")
    assert sheet[0][0] == "2024年重点项目台账"  # the title line is kept, so row numbers match the upload
    assert sheet[1] == [*LEDGER_HEADERS, "错误原因"]
    assert sheet[2][:3] == ["好项目", CODE_A, "东城镇"]
    assert sheet[2][LEDGER_HEADERS.index("签约日期")] == datetime.date(2024, 3, 5)  # still a real date
    assert sheet[5][LEDGER_HEADERS.index("签约日期")] == "2024-13-01"  # the bad cell as it was typed
    reasons = error_column(sheet, header_index=1)
    assert reasons[3] == ""
    assert reasons[4] == "责任单位“南山镇”不存在，请核对单位名称（须与单位管理中的名称一致）。"
    assert reasons[5] == ("项目代码：“2024-3309-04-01-1”格式不正确，"
                          "应为 NNNN-NNNNNN-NN-NN-NNNNNN（24 位，含 4 个连字符），例如 2024-330182-04-01-123456。")
    assert reasons[6] == "签约日期：“2024-13-01”不是有效的日期（月份或日期超出范围）。"
    assert reasons[7] == "总投资（万元）：不能为负数（-5）。"
    assert reasons[8] == "开工日期（2024-03-01）不能早于签约日期（2024-05-01）。"
    assert reasons[9] == "与第 3 行的项目名称和责任单位重复。"
    assert reasons[10] == f"与第 3 行的项目代码重复（{CODE_A}）。"
    assert reasons[11].split("\n") == [  # every message of the row, one per line
        "项目级别：“特别重点”不是有效的选项，可填：国家重点、省重点、市重点、县区重点、一般。",
        "主导产业“造船”不在主导产业目录中。",
        "总投资（万元）：最多保留两位小数（1.234），请先在表格中四舍五入。",
    ]
    assert reasons[12] == "项目名称不能为空。\n责任单位不能为空。"


def test_missing_headers_and_sheet(tmp_path, unit_a):
    path = write_workbook(tmp_path / "a.xlsx", headers=[h for h in LEDGER_HEADERS if h not in ("项目代码", "标签")],
                          rows=[["甲"]])
    with pytest.raises(CommandError) as exc:
        run(path)
    assert str(exc.value) == "工作表“项目”缺少表头：项目代码、标签。请使用导入模板的表头。"
    path = write_workbook(tmp_path / "b.xlsx", headers=LEDGER_HEADERS, rows=[], sheet="Sheet1")
    with pytest.raises(CommandError, match="工作簿中没有名为“项目”的工作表（现有工作表：“Sheet1”）"):
        run(path)
    path = write_workbook(tmp_path / "c.xlsx", headers=LEDGER_HEADERS, rows=[])
    with pytest.raises(CommandError, match="工作表“项目”中没有数据行"):
        run(path)
    assert not (tmp_path / "a.errors.xlsx").exists()  # no rows were judged: no error workbook


def test_matching_by_code_moves_a_project_to_another_unit(tmp_path, unit_a, unit_b):
    project = ProjectFactory(name="旧名称", code=CODE_A, unit=unit_a)
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS,
                          rows=[ledger_row(项目名称="新名称", 项目代码=CODE_A, 责任单位="西湖街道", 总投资=5000)])
    assert run(path) == "共 1 行：新增 0 个项目，更新 1 个，未变化 0 个。"
    project.refresh_from_db()
    assert (project.name, project.unit, project.version) == ("新名称", unit_b, 2)
    changes = AuditEvent.objects.get(action="projects.project.updated").changes
    assert changes == {"name": ["旧名称", "新名称"], "unit": ["东城镇", "西湖街道"]}


def test_an_empty_code_keeps_the_known_code(tmp_path, unit_a):
    project = ProjectFactory(name="甲", code=CODE_A, unit=unit_a)
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS,
                          rows=[ledger_row(项目名称="甲", 责任单位="东城镇", 总投资=5000)])
    assert run(path).endswith("未变化 1 个。")
    project.refresh_from_db()
    assert project.code == CODE_A


def test_a_code_of_one_project_with_the_name_of_another_is_a_conflict(tmp_path, unit_a):
    ProjectFactory(name="甲", code=CODE_A, unit=unit_a)
    ProjectFactory(name="乙", unit=unit_a)
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS,
                          rows=[ledger_row(项目名称="乙", 项目代码=CODE_A, 责任单位="东城镇")])
    with pytest.raises(CommandError, match="其中 1 行有错误"):
        run(path)
    reasons = error_column(read_rows(tmp_path / "a.errors.xlsx", "项目"))
    assert reasons[2] == (f"项目代码 {CODE_A} 属于已有项目“甲”（东城镇），而“乙”（东城镇）是另一个已有项目，"
                          "两者冲突，请核对项目代码或名称。")


def test_two_rows_reaching_one_project(tmp_path, unit_a):
    ProjectFactory(name="甲", code=CODE_A, unit=unit_a)
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS, rows=[
        ledger_row(项目名称="甲（改名）", 项目代码=CODE_A, 责任单位="东城镇"),
        ledger_row(项目名称="甲", 责任单位="东城镇"),
    ])
    with pytest.raises(CommandError):
        run(path)
    assert error_column(read_rows(tmp_path / "a.errors.xlsx", "项目"))[3] == "与第 2 行对应同一个已有项目“甲”。"


def test_dates_out_of_order_against_a_date_kept_in_the_project(tmp_path, unit_a):
    # The negotiating date is not a ledger column: it stays, and the new signing date must not precede it.
    ProjectFactory(name="甲", unit=unit_a, negotiating_date=datetime.date(2024, 5, 1), stage=Stage.NEGOTIATING)
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS,
                          rows=[ledger_row(项目名称="甲", 责任单位="东城镇", 签约日期="2024-04-01")])
    with pytest.raises(CommandError):
        run(path)
    assert error_column(read_rows(tmp_path / "a.errors.xlsx", "项目"))[2] == (
        "签约日期（2024-04-01）不能早于在谈日期（2024-05-01）。")


def test_a_reporter_imports_only_its_own_units_rows(tmp_path, reporter_a, unit_b):
    other = ProjectFactory(name="西湖项目", code=CODE_A, unit=unit_b)
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS, rows=[
        ledger_row(项目名称="东城项目", 责任单位="东城镇"),
        ledger_row(项目名称="西湖新项目", 责任单位="西湖街道"),
        ledger_row(项目名称="借用代码", 项目代码=CODE_A, 责任单位="东城镇"),
    ])
    with pytest.raises(CommandError, match="其中 2 行有错误"):
        run(path, "--user", "reporter_a")
    reasons = error_column(read_rows(tmp_path / "a.errors.xlsx", "项目"))
    assert reasons == {
        2: "",
        3: "无权导入其他单位的项目（责任单位“西湖街道”）。",
        4: f"无权导入其他单位的项目（项目代码 {CODE_A} 已被其他单位的项目使用）。",  # not which one
    }
    other.refresh_from_db()
    assert other.unit == unit_b
    assert ImportJob.objects.get().created_by == reporter_a


def test_a_reporter_imports_its_own_rows(tmp_path, reporter_a):
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS,
                          rows=[ledger_row(项目名称="东城项目", 责任单位="东城镇", 签约日期="2024-01-02")])
    assert run(path, "--user", "reporter_a") == "共 1 行：新增 1 个项目，更新 0 个，未变化 0 个。"
    project = Project.objects.get()
    assert AuditEvent.objects.get(action="projects.project.created").actor == reporter_a
    assert StageTransition.objects.get(project=project).by == reporter_a


def test_a_coordinator_imports_every_unit_of_its_region(tmp_path, coordinator, unit_a, unit_b):
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS, rows=[
        ledger_row(项目名称="东城项目", 责任单位="东城镇"), ledger_row(项目名称="西湖项目", 责任单位="西湖街道"),
    ])
    assert run(path, "--user", "coordinator").startswith("共 2 行：新增 2 个项目")


@pytest.mark.parametrize("username", ["leader", "auditor", "sysadmin"])
def test_users_without_the_right_cannot_import(tmp_path, leader, auditor, sysadmin, unit_a, username):
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS,
                          rows=[ledger_row(项目名称="甲", 责任单位="东城镇")])
    with pytest.raises(CommandError, match=f"用户 {username} 无权导入项目台账数据"):
        run(path, "--user", username)
    assert not ImportJob.objects.exists()


def test_command_line_refusals(tmp_path, db):
    with pytest.raises(CommandError, match="找不到文件"):
        run(tmp_path / "nothing.xlsx")
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS, rows=[])
    with pytest.raises(CommandError, match="找不到启用的用户：nobody"):
        run(path, "--user", "nobody")
    macro = tmp_path / "a.xlsm"
    macro.write_bytes(path.read_bytes())
    with pytest.raises(CommandError, match="不接受启用宏的工作簿"):
        run(macro)


def test_the_template_example_row_is_refused(tmp_path, unit_a):
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS,
                          rows=[ledger_row(项目名称="示例：智能装备产业园项目", 责任单位="东城镇")])
    with pytest.raises(CommandError):
        run(path)
    reasons = error_column(read_rows(tmp_path / "a.errors.xlsx", "项目"))
    assert reasons[2] == "这是导入模板中的示例行，请改写或删除后再导入。"


def test_a_coordinator_cannot_import_outside_its_region(tmp_path, coordinator, unit_a):
    elsewhere = RegionFactory(code="110101", name="东城区", path="/110101/")
    UnitFactory(name="外地街道", region=elsewhere)
    UnitFactory(name="撤并镇", region=unit_a.region, is_active=False)
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS, rows=[
        ledger_row(项目名称="甲", 责任单位="外地街道"), ledger_row(项目名称="乙", 责任单位="撤并镇"),
    ])
    with pytest.raises(CommandError, match="其中 2 行有错误"):
        run(path, "--user", "coordinator")
    assert error_column(read_rows(tmp_path / "a.errors.xlsx", "项目")) == {
        2: "无权导入其他单位的项目：责任单位“外地街道”不在您的管辖区域内。",
        3: "责任单位“撤并镇”已停用。",
    }
