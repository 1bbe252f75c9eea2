"""The 周调度 sheet of a past week (2026-W47, 16–22 November, due Friday 20 November), seen on Monday 23 November:
progress, projects with no report, new and overdue problems, units that missed the deadline — as the HTML page, the
.xlsx (read back with python-calamine), the .docx (parsed with python-docx) and the command line."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from docx.oxml.ns import qn
from python_calamine import CalamineWorkbook

from tadiao.coordination.models import Status
from tadiao.org.models import Unit
from tadiao.projects.models import Level
from tadiao.weekly import exports, queries
from tadiao.weekly.models import WeeklyProblem
from tests.conftest import TODAY, login
from tests.coordination.conftest import make_problem
from tests.factories import ProjectFactory, UnitFactory
from tests.weekly.conftest import LAST_WEEK, make_report

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def week_data(config, unit_a, unit_b, region, office_unit):
    unit_c = UnitFactory(name="南山园区", kind=Unit.Kind.PARK, region=region, display_order=3)
    a1 = ProjectFactory(name="甲一智能装备", unit=unit_a, level=Level.PROVINCIAL)
    a2 = ProjectFactory(name="甲二物流园", unit=unit_a, level=Level.CITY)
    b1 = ProjectFactory(name="乙一城市更新", unit=unit_b, level=Level.CITY)
    b2 = ProjectFactory(name="乙二学校", unit=unit_b, level=Level.CITY)
    c1 = ProjectFactory(name="丙一标准厂房", unit=unit_c, level=Level.CITY)
    other = ProjectFactory(name="一般项目不调度", unit=unit_a, level=Level.GENERAL)
    on_time = make_report(a1, LAST_WEEK, status="SUBMITTED", submitted=D(2026, 11, 19), workers_on_site=50,
                          progress_text="主厂房封顶", next_week_plan="设备基础施工")
    make_report(a2, LAST_WEEK, status="SUBMITTED", submitted=D(2026, 11, 21), progress_text="场地平整")  # late
    make_report(b1, LAST_WEEK)  # a draft never sent
    make_report(c1, LAST_WEEK, status="RETURNED", submitted=D(2026, 11, 20))  # on time, then returned
    make_report(other, LAST_WEEK, status="SUBMITTED")  # not scheduled, but it was reported that week
    problems = {
        "new_a1": make_problem(a1, office_unit, title="高压线迁改", raised=D(2026, 11, 18), deadline=D(2026, 12, 2)),
        "new_monday": make_problem(a2, office_unit, title="施工许可", raised=D(2026, 11, 16),
                                   deadline=D(2026, 11, 30)),
        "overdue_b1": make_problem(b1, office_unit, title="拆迁未完成", raised=D(2026, 11, 2),
                                   deadline=D(2026, 11, 17)),
        "next_week": make_problem(b2, office_unit, title="下周才提出", raised=D(2026, 11, 23),
                                  deadline=D(2026, 11, 30)),
        "resolved": make_problem(b2, office_unit, title="已按期办结", raised=D(2026, 11, 2), deadline=D(2026, 11, 12),
                                 status=Status.RESOLVED, resolved=D(2026, 11, 16)),
        "unscheduled": make_problem(ProjectFactory(unit=unit_a), office_unit, title="非调度项目问题",
                                    raised=D(2026, 11, 18), deadline=D(2026, 11, 30)),
    }
    WeeklyProblem.objects.create(report=on_time, problem=problems["new_a1"])
    return {"a1": a1, "a2": a2, "b1": b1, "b2": b2, "c1": c1, "other": other, "unit_c": unit_c}


def test_the_sheet_by_hand(week_data):
    sheet = queries.weekly_sheet(week=LAST_WEEK, today=TODAY)
    assert (sheet.deadline, sheet.as_of, sheet.deadline_passed) == (D(2026, 11, 20), D(2026, 11, 22), True)
    assert [r.project.name for r in sheet.reported] == ["甲一智能装备", "甲二物流园", "一般项目不调度"]
    assert [p.name for p in sheet.missing] == ["乙一城市更新", "乙二学校", "丙一标准厂房"]
    assert [sheet.missing_status.get(p.pk) for p in sheet.missing] == ["草稿未报送", None, "已退回待重报"]
    assert [p.title for p in sheet.new_problems] == ["施工许可", "高压线迁改"]
    assert [p.title for p in sheet.overdue_problems] == ["拆迁未完成"]
    # 甲二 sent late (21st), 乙一 and 乙二 never; 丙一 was sent on the 20th (returned later: still on time).
    assert sheet.missed_units == [
        {"unit_id": week_data["a1"].unit_id, "unit__name": "东城镇", "unit__display_order": 1, "late": 1},
        {"unit_id": week_data["b1"].unit_id, "unit__name": "西湖街道", "unit__display_order": 2, "late": 2},
    ]
    assert sheet.scheduled_count == 6
    # Before the deadline nobody has missed it yet.
    early = queries.weekly_sheet(week=LAST_WEEK, today=D(2026, 11, 20))
    assert (early.deadline_passed, early.missed_units, early.as_of) == (False, [], D(2026, 11, 20))


def test_html_sheet_and_missed_page(client, today, week_data, coordinator, leader, reporter_a, reporter_b):
    login(client, coordinator)
    page = client.get(f"/weekly/sheet/?week={LAST_WEEK.param}")
    assert page.status_code == 200
    text = page.text
    assert "重点项目周调度情况（2026年第47周）" in text and "2026年11月16日—11月22日" in text
    assert "报送截止 2026年11月20日" in text
    assert "本周列入周调度项目 6 个，已报送周报 3 个，未报送 3 个；本周新增问题 2 个，超期未办结问题 1 个。" in text
    assert "主厂房封顶" in text and "高压线迁改" in text and "草稿未报送" in text and "拆迁未完成" in text
    missed = client.get(f"/weekly/missed/?week={LAST_WEEK.param}").text
    assert "东城镇" in missed and "西湖街道" in missed and "南山园区" not in missed

    login(client, leader)
    assert "甲一智能装备" in client.get(f"/weekly/sheet/?week={LAST_WEEK.param}").text

    # A reporter's sheet holds its own unit's projects and problems only.
    login(client, reporter_b)
    text = client.get(f"/weekly/sheet/?week={LAST_WEEK.param}").text
    assert "乙一城市更新" in text and "甲一智能装备" not in text and "高压线迁改" not in text
    assert "本周列入周调度项目 2 个，已报送周报 0 个，未报送 2 个；本周新增问题 0 个，超期未办结问题 1 个。" in text
    missed = client.get(f"/weekly/missed/?week={LAST_WEEK.param}").text
    assert "西湖街道" in missed and "东城镇" not in missed
    book = CalamineWorkbook.from_filelike(io.BytesIO(client.get(f"/weekly/sheet.xlsx?week={LAST_WEEK.param}").content))
    assert [row[1] for row in book.get_sheet_by_name("未报送项目").to_python()[1:]] == ["乙一城市更新", "乙二学校"]
    assert book.get_sheet_by_name("本周进展").to_python()[3:] == []
    doc = Document(io.BytesIO(client.get(f"/weekly/sheet.docx?week={LAST_WEEK.param}").content))
    assert "甲一智能装备" not in "".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)

    # The running week: its deadline has not come.
    login(client, coordinator)
    assert "报送截止日期（2026年11月27日）未到。" in client.get("/weekly/missed/").text
    # A bad week is said, and the current week shown.
    response = client.get("/weekly/sheet/?week=2026-49", follow=True)
    assert "周次格式应为 2026-W49" in response.text and "2026年第48周" in response.text


def test_xlsx_reads_back(client, today, week_data, coordinator):
    login(client, coordinator)
    response = client.get(f"/weekly/sheet.xlsx?week={LAST_WEEK.param}")
    assert response.status_code == 200
    assert "filename*=utf-8''%E5%91%A8%E8%B0%83%E5%BA%A6_2026-W47.xlsx" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["本周进展", "未报送项目", "本周新增问题", "超期问题", "未按时报送单位"]
    progress = book.get_sheet_by_name("本周进展").to_python()
    assert progress[0][0] == "重点项目周调度情况（2026年第47周）"
    assert progress[2] == ["序号", "项目名称", "责任单位", "本周进展", "下周计划", "现场施工人数"]
    assert progress[3] == [1, "甲一智能装备", "东城镇", "主厂房封顶", "设备基础施工", 50]
    assert [row[1] for row in progress[3:]] == ["甲一智能装备", "甲二物流园", "一般项目不调度"]
    missing = book.get_sheet_by_name("未报送项目").to_python()
    assert missing[1:] == [[1, "乙一城市更新", "西湖街道", "草稿未报送"], [2, "乙二学校", "西湖街道", "未填报"],
                           [3, "丙一标准厂房", "南山园区", "已退回待重报"]]
    new = book.get_sheet_by_name("本周新增问题").to_python()
    assert new[1][1:6] == ["施工许可", "甲二物流园", "市发展和改革局", D(2026, 11, 16), D(2026, 11, 30)]
    overdue = book.get_sheet_by_name("超期问题").to_python()
    assert [row[1] for row in overdue[1:]] == ["拆迁未完成"]
    units = book.get_sheet_by_name("未按时报送单位").to_python()
    assert units[1:] == [[1, "东城镇", 1], [2, "西湖街道", 2]]


def test_docx_in_the_bulletin_layout(client, today, week_data, coordinator):
    login(client, coordinator)
    response = client.get(f"/weekly/sheet.docx?week={LAST_WEEK.param}")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]
    # A4 with GB/T 9704's margins (stored in twips: read back to the millimetre).
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin]
    assert [round(size.mm) for size in sizes] == [210, 297, 37, 35, 28, 26]
    title = doc.paragraphs[0]
    assert title.text == "重点项目周调度情况（2026年第47周）"
    run = title.runs[0]
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体" and run.font.size.pt == 22
    headings = [p for p in doc.paragraphs if p.text.startswith(("一、", "二、", "三、", "四、", "五、"))]
    assert [p.text for p in headings] == ["一、本周项目进展", "二、本周未报送周报的项目", "三、本周新增问题",
                                          "四、超期未办结问题", "五、未按时报送周报的单位"]
    assert all(p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体" for p in headings)
    body = next(p for p in doc.paragraphs if p.text.startswith("本周列入"))
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert "报送截止日期为2026年11月20日" in body.text
    assert len(doc.tables) == 5
    progress = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert progress[1] == ["1", "甲一智能装备", "东城镇", "主厂房封顶", "设备基础施工", "50"]
    assert [[c.text for c in row.cells] for row in doc.tables[4].rows][1:] == [["1", "东城镇", "1"],
                                                                               ["2", "西湖街道", "2"]]
    new = [[c.text for c in row.cells] for row in doc.tables[2].rows]
    assert new[1][4:6] == ["2026年11月16日", "2026年11月30日"]
    footer = doc.sections[0].footer.paragraphs[0]
    assert "PAGE" in footer._element.xml and footer.text.startswith("— ")


def test_the_command_line(tmp_path, week_data, capsys):
    xlsx, docx = tmp_path / "周调度.xlsx", tmp_path / "周调度.docx"
    call_command("weekly_sheet", "--week", "2026-W47", "--today", "2026-11-23", "--xlsx", str(xlsx),
                 "--docx", str(docx))
    out = capsys.readouterr().out
    assert "重点项目周调度情况（2026年第47周）" in out
    assert "列入周调度 6 个，已报送 3 个，未报送 3 个；新增问题 2 个，超期问题 1 个。" in out
    assert "未按时报送单位：东城镇（1）、西湖街道（2）" in out
    assert CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("本周进展").to_python()[3][1] == "甲一智能装备"
    assert Document(str(docx)).paragraphs[0].text == "重点项目周调度情况（2026年第47周）"
    with pytest.raises(CommandError, match="周次格式应为"):
        call_command("weekly_sheet", "--week", "49")
    with pytest.raises(CommandError, match=r"文件名应以 \.xlsx 结尾"):
        call_command("weekly_sheet", "--week", "2026-W47", "--xlsx", str(tmp_path / "a.xls"))


def test_sheet_has_no_investment_figure(week_data):
    # Weekly figures feed nothing the monthly report owns: the sheet carries no investment column at all.
    sheet = queries.weekly_sheet(week=LAST_WEEK, today=TODAY)
    headers = [h for s in exports.sheets(sheet) for h in s.headers]
    assert not any("投资" in h for h in headers)
