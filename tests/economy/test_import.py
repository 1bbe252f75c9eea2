"""The sheet 经济指标: validated row by row, written all or nothing, re-import a no-op, audited; through the
service, the upload page (the job run on commit) and the import_economy command."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tadiao.audit.models import AuditEvent
from tadiao.economy import services
from tadiao.economy.models import Figure, Target
from tadiao.economy.sheets import ECONOMY_COLUMNS, ECONOMY_OPTIONAL_COLUMNS, Regions, parse_figure_row
from tadiao.imports.models import ImportJob
from tadiao.imports.services import Row
from tadiao.lib.xlsx import map_columns
from tests.conftest import login
from tests.economy.conftest import GDP, REVENUE, make_town
from tests.imports.helpers import error_column, read_rows, write_workbook

pytestmark = pytest.mark.django_db

HEADER = ["区划代码", "区划名称", "年月", "指标", "本期累计值", "增速（%）", "目标增速（%）", "上级增速（%）",
          "全省排名"]
GOOD = [
    ["330999", "青山市", "2024-10", "GDP", 512.36, 6.2, 6.5, "6.8", 12],
    ["", "白沙镇", "2024年1—10月", "地区生产总值", "45.1", "5.5%", 7, "", ""],
    [330999101000, "", datetime.date(2024, 10, 1), "一般公共预算收入", "18,250.50", -3.25, "5", "", ""],
    ["330999101000", "白沙镇", "2024/9", "规模以上工业增加值", 3, 9.99, "", "", ""],
]


def _rows(*cells_list, header=HEADER):
    positions, _ = map_columns(header, {**ECONOMY_COLUMNS, **ECONOMY_OPTIONAL_COLUMNS})
    return [Row(line=line, values={key: cells[pos] for key, pos in positions.items()})
            for line, cells in enumerate(cells_list, start=2)]


def test_import_creates_figures_and_targets_and_audits(coordinator, county, town_a):
    outcome = services.import_figures(rows=_rows(*GOOD), by=coordinator)
    assert outcome.ok and (outcome.total, outcome.created, outcome.updated, outcome.unchanged) == (4, 4, 0, 0)
    seat = Figure.objects.get(region=county)
    assert (seat.year, seat.month, seat.indicator, seat.value, seat.growth, seat.parent_growth,
            seat.provincial_rank, seat.created_by) == (2024, 10, GDP, Decimal("512.36"), Decimal("6.2"),
                                                       Decimal("6.8"), 12, coordinator)
    revenue = Figure.objects.get(region=town_a, indicator=REVENUE)
    assert (revenue.value, revenue.growth, revenue.parent_growth) == (Decimal("18250.5"), Decimal("-3.25"), None)
    assert Figure.objects.get(region=town_a, indicator="INDUSTRIAL_VALUE_ADDED").month == 9
    assert {(t.region.code, t.indicator, t.growth) for t in Target.objects.select_related("region")} == {
        ("330999", GDP, Decimal("6.5")), ("330999101000", GDP, Decimal("7")),
        ("330999101000", REVENUE, Decimal("5")),
    }
    assert AuditEvent.objects.filter(action="economy.figure.imported").count() == 4
    assert AuditEvent.objects.filter(action="economy.target.set").count() == 3


def test_reimport_changes_nothing_and_a_changed_row_updates(coordinator, county, town_a):
    services.import_figures(rows=_rows(*GOOD), by=coordinator)
    events = AuditEvent.objects.count()
    again = services.import_figures(rows=_rows(*GOOD), by=coordinator)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert AuditEvent.objects.count() == events
    changed = [[*GOOD[0][:5], 6.3, 6.5, "", 11], [*GOOD[1][:6], 7.5, "", ""], GOOD[2], GOOD[3]]
    outcome = services.import_figures(rows=_rows(*changed), by=coordinator)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 2, 2)
    seat = Figure.objects.get(region=county)
    assert (seat.growth, seat.parent_growth, seat.provincial_rank, seat.version) == (Decimal("6.3"), None, 11, 2)
    assert AuditEvent.objects.get(action="economy.figure.updated").changes == {
        "growth": ["6.20", "6.30"], "parent_growth": ["6.80", None], "provincial_rank": [12, 11]}
    assert Target.objects.get(region=town_a, indicator=GDP).growth == Decimal("7.5")


def test_without_the_optional_columns_stored_values_are_kept(coordinator, county, town_a):
    services.import_figures(rows=_rows(*GOOD), by=coordinator)
    header = ["区划代码", "年月", "指标", "本期累计值", "增速（%）"]
    outcome = services.import_figures(rows=_rows(["330999", "2024-10", "GDP", 512.36, 6.2], header=header),
                                      by=coordinator)
    assert (outcome.updated, outcome.unchanged) == (0, 1)
    seat = Figure.objects.get(region=county)
    assert (seat.parent_growth, seat.provincial_rank) == (Decimal("6.8"), 12)
    assert Target.objects.get(region=county).growth == Decimal("6.5")


def test_any_wrong_row_writes_nothing_and_every_error_is_listed(coordinator, county, town_a):
    make_town(county, 909, "白沙镇").save()  # a second 白沙镇 elsewhere: the name alone is ambiguous
    rows = _rows(
        GOOD[0],
        ["", "白沙镇", "2024-13", "GDP2", "-1", "abc", "", "", "0"],
        ["330998", "", "2024-10", "GDP", 1, 1, "", "", ""],
        ["330999", "白沙镇", "2024-10", "工业投资", 1, "-101", "", "", ""],
        GOOD[0],
        ["330999", "", "2024-10", "工业投资", 1, 1.234, 7, "", ""],
        ["330999", "", "2024-10", "固定资产投资", "", "", "", "", ""],
        ["330999", "", "2024-09", "GDP", 1, 1, 6.0, "", ""],
        ["示例：青山市", "", "2024-10", "GDP", 1, 1, "", "", ""],
        ["", "", "2024-10", "GDP", 1, 1, "", "", ""],
    )
    outcome = services.import_figures(rows=rows, by=coordinator)
    assert outcome.errors == {
        3: ["区划名称“白沙镇”有重名（330999101000、330999909000），请填写区划代码。",
            "年月：“2024-13”不是有效的年月（月份应为 1—12）。",
            "指标：“GDP2”不是有效的选项，可填：GDP、一般公共预算收入、规上工业增加值、固定资产投资、工业投资。",
            "本期累计值：不能为负数（-1）。", "增速（%）：“abc”不是有效的数字（百分数，如 6.5）。",
            "全省排名：不能小于 1（0）。"],
        4: ["区划代码“330998”不存在或不在您的管理范围内。"],
        5: ["区划代码“330999”是“青山市”，与区划名称“白沙镇”不一致。", "增速（%）：不能低于 -100%（-101）。"],
        6: ["与第 2 行重复（同一区划、年月和指标）。"],
        7: ["增速（%）：最多保留两位小数（1.234）。"],
        8: ["本期累计值不能为空。", "增速（%）不能为空。"],
        9: ["目标增速（6.00）与第 2 行（6.50）不一致：同一区划同一年度的同一指标只有一个目标增速。"],
        10: ["这是导入模板中的示例行，请改写或删除后再导入。"],
        11: ["区划代码和区划名称不能都为空。"],
    }
    assert not Figure.objects.exists() and not Target.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="economy.").exists()


def test_who_may_import(leader, reporter_a, county, town_a, town_b):
    for user in (leader, reporter_a):
        with pytest.raises(services.EconomyError, match="无权导入"):
            services.import_figures(rows=_rows(GOOD[0]), by=user)
    from tests.factories import UnitFactory, UserFactory
    town_office = UserFactory(username="town", is_coordinator=True, unit=UnitFactory(region=town_b))
    outcome = services.import_figures(rows=_rows(GOOD[1]), by=town_office)
    assert outcome.errors == {2: ["区划“白沙镇”不存在或不在您的管理范围内。"]}
    outcome = services.import_figures(rows=_rows(*GOOD), by=None)  # the command line without --user
    assert outcome.created == 4
    assert set(AuditEvent.objects.values_list("actor_name", flat=True)) == {"命令行导入"}


def test_a_sheet_without_a_region_column_is_refused(coordinator, county):
    header = ["年月", "指标", "本期累计值", "增速（%）"]
    with pytest.raises(services.EconomyError, match="须有“区划代码”或“区划名称”"):
        services.import_figures(rows=_rows(["2024-10", "GDP", 1, 1], header=header), by=coordinator)


def test_parser_is_pure(django_assert_num_queries, county):
    regions = Regions.of([county], None)
    values = dict(zip(["region_code", "region_name", "period", "indicator", "value", "growth"], GOOD[0], strict=False))
    with django_assert_num_queries(0):
        parsed = parse_figure_row(values, regions=regions)
    assert parsed.errors == []
    assert parsed.key() == (county.pk, 2024, 10, GDP) and "parent_growth" not in parsed.values


# --- the upload page and the command ---------------------------------------------------------------------


@pytest.fixture
def good_file(tmp_path, county, town_a):
    return write_workbook(tmp_path / "经济指标.xlsx", sheet="经济指标", title="2024年1—10月主要经济指标",
                          headers=HEADER, rows=GOOD)


@pytest.fixture
def bad_file(tmp_path, county, town_a):
    return write_workbook(tmp_path / "错误.xlsx", sheet="经济指标", headers=HEADER,
                          rows=[GOOD[0], ["330999", "", "2024-10", "GDP", 1, "x", "", "", ""]])


def _upload(client, path):
    return client.post(reverse("imports:new"), {"kind": "ECONOMY",
                                                "file": SimpleUploadedFile(path.name, path.read_bytes())})


def test_upload_page_runs_the_import(client, coordinator, good_file, immediate_tasks,
                                     django_capture_on_commit_callbacks):
    login(client, coordinator)
    assert ">经济指标</label>" in client.get(reverse("imports:new")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, good_file)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:detail", args=[job.pk])
    assert (job.status, job.created_count, job.kind) == ("SUCCEEDED", 4, "ECONOMY")
    assert job.summary == "共 4 行：新增 4 项经济指标，更新 0 项，未变化 0 项。"
    assert Figure.objects.count() == 4
    assert AuditEvent.objects.filter(action="imports.economy.imported").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, good_file)
    assert ImportJob.objects.order_by("-id").first().summary == "共 4 行：新增 0 项经济指标，更新 0 项，未变化 4 项。"


def test_upload_of_a_bad_sheet_gives_the_error_report(client, coordinator, bad_file, immediate_tasks,
                                                      django_capture_on_commit_callbacks):
    login(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, bad_file)
    job = ImportJob.objects.get()
    assert job.status == "FAILED" and "其中 1 行有错误" in job.summary
    report = b"".join(client.get(reverse("imports:errors", args=[job.pk])).streaming_content)
    assert error_column(read_rows(report, sheet="经济指标")) == {
        2: "", 3: "增速（%）：“x”不是有效的数字（百分数，如 6.5）。"}
    assert not Figure.objects.exists()


@pytest.mark.parametrize(("actor", "offered"), [("coordinator", True), ("reporter_a", False), ("sysadmin", False)])
def test_the_sheet_is_offered_to_the_office_only(client, request, actor, offered, county):
    login(client, request.getfixturevalue(actor))
    page = client.get(reverse("imports:new")).content.decode()
    assert (">经济指标</label>" in page) is offered
    template = client.get(reverse("imports:template", args=["economy"]))
    assert template.status_code == (200 if offered else 403)


def test_leader_may_not_upload(client, leader):
    login(client, leader)
    assert client.get(reverse("imports:new")).status_code == 403


def test_template_round_trip(client, coordinator, county, tmp_path, immediate_tasks,
                             django_capture_on_commit_callbacks):
    login(client, coordinator)
    path = tmp_path / "模板.xlsx"
    path.write_bytes(b"".join(client.get(reverse("imports:template", args=["economy"])).streaming_content))
    rows = read_rows(path, sheet="经济指标")
    assert rows[0] == HEADER
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, path)
    job = ImportJob.objects.get()
    assert job.status == "FAILED"  # the example row must be rewritten first
    rows[1][1] = "青山市"
    write_workbook(path, sheet="经济指标", headers=rows[0], rows=rows[1:])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, path)
    assert ImportJob.objects.order_by("-id").first().status == "SUCCEEDED"
    assert Figure.objects.get().region == county


def test_the_command(good_file, bad_file, coordinator, reporter_a, capsys):
    call_command("import_economy", str(good_file), "--user", "coordinator")
    assert "新增 4 项经济指标" in capsys.readouterr().out
    assert Figure.objects.count() == 4
    call_command("import_economy", str(good_file))
    assert "未变化 4 项" in capsys.readouterr().out
    with pytest.raises(CommandError, match="其中 1 行有错误") as failure:
        call_command("import_economy", str(bad_file))
    assert "错误.errors.xlsx" in str(failure.value)
    with pytest.raises(CommandError, match="无权导入经济指标"):
        call_command("import_economy", str(good_file), "--user", "reporter_a")
