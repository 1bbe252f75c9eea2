"""Quarterly assessment pages with the standard actors: scores and working from a snapshot, the export read back,
the scheme edited by the coordinator only (audited, versioned), the CLI, and flat query counts."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tadiao.audit.models import AuditEvent
from tadiao.indicators.assessment_forms import initial_items
from tadiao.indicators.models import AssessmentItem, AssessmentScheme, Snapshot
from tadiao.reporting.models import Period
from tests.conftest import login
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def rate(numerator, denominator, percent):
    return {"numerator": numerator, "denominator": denominator, "percent": percent}


def make_snapshot(month: datetime.date, data: dict) -> Snapshot:
    period = Period.objects.create(month=month, deadline=month.replace(day=25), status=Period.Status.CLOSED)
    return Snapshot.objects.create(period=period, as_of=month, data=data, created_at=timezone.now())


@pytest.fixture
def scheme() -> AssessmentScheme:
    """The shipped provincial scheme, with one unit named for 约谈."""
    scheme = AssessmentScheme.objects.get(name="“三个一批”项目建设考评（省定方案）")
    scheme.bottom_n = 1
    scheme.save(update_fields=["bottom_n"])
    return scheme


@pytest.fixture
def september(unit_a, unit_b, scheme):
    """东城镇 and 西湖街道 in the September 2026 snapshot (no 问题协调 section yet)."""
    return make_snapshot(
        D(2026, 9, 1),
        {
            "indicators": {},
            "rankings": {},
            "units": [
                {
                    "id": unit_a.pk,
                    "name": "东城镇",
                    "red": 2,
                    "yellow": 0,
                    "rates": {
                        "start_rate": rate(10, 17, "58.82"),
                        "campaign_signed_performing": rate(1, 2, "50.00"),
                        "campaign_started_producing": rate(1, 4, "25.00"),
                        "campaign_producing_capacity": rate(0, 0, None),
                    },
                },
                {
                    "id": unit_b.pk,
                    "name": "西湖街道",
                    "red": 0,
                    "yellow": 0,
                    "rates": {
                        "start_rate": rate(3, 4, "75.00"),
                        "campaign_signed_performing": rate(2, 2, "100.00"),
                        "campaign_started_producing": rate(2, 2, "100.00"),
                        "campaign_producing_capacity": rate(1, 1, "100.00"),
                    },
                },
            ],
            "attraction": {
                "units": [
                    {"id": unit_a.pk, "name": "东城镇", "trips": 2, "leads": 3, "signed": 1, "signed_investment": "0"},
                    {
                        "id": unit_b.pk,
                        "name": "西湖街道",
                        "trips": 1,
                        "leads": 0,
                        "signed": 2,
                        "signed_investment": "0",
                    },
                ],
                "blank_unit_ids": [],
                "broke_zero_unit_ids": [unit_a.pk],
                "blank_streaks": {},
            },
        },
    )


URL = "/indicators/assessment/?year=2026&quarter=3"


def test_page_scores_ranks_and_names_bottom_unit(client, coordinator, september):
    login(client, coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    result = response.context["result"]
    # 西湖街道: 谋划储备 0 (no lead) + 签约落地 30 + 开工投产 30 + 投产达效 20 (100% ≥ 80%) + 服务保障 10 = 90.
    # 东城镇: 10 + (7.50 + 7.50) + (20 × 58.82 ÷ 75 = 15.69, 10 × 25 ÷ 50 = 5.00) + 0 + 10 = 55.69;
    # then +2 零的突破 and −2 for two red warnings.
    assert [(s.rank, s.name, s.total, s.interview) for s in result.scores] == [
        (1, "西湖街道", Decimal("90.00"), False),
        (2, "东城镇", Decimal("55.69"), True),
    ]
    body = response.content.decode()
    assert "约谈单位（末位 1 名）" in body and "东城镇（第 2 名，55.69 分）" in body
    assert "依据 <strong>2026年9月</strong>" in body
    assert "总分高者在前；总分相同时基础分高者在前" in body
    assert "开工率对照目标 75.00%" in body  # each item's rule in words
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_unit_working_panel_and_page(client, coordinator, september, unit_a):
    login(client, coordinator)
    url = f"/indicators/assessment/units/{unit_a.pk}/?year=2026&quarter=3"
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body
    assert "（1）20 分：开工率 58.82%（10/17），目标 75.00%，得分 20 × 58.82 ÷ 75.00 = 15.69" in body
    assert "问题按期办结率：快照中无问题协调数据，按满分计 10.00 分" in body
    assert "基础分 55.69 + 加分 2.00 − 扣分 2.00 = 总分 55.69" in body
    assert "问题协调数据，不扣分" in body
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.content.decode()


def test_export_read_back(client, leader, september):
    login(client, leader)
    response = client.get("/indicators/assessment/export.xlsx?year=2026&quarter=3")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name("季度考评").to_python()
    assert rows[0][0] == "2026年第三季度考评结果（“三个一批”项目建设考评（省定方案））"
    header = rows[2]
    assert header[:3] == ["名次", "单位", "谋划储备（10分）"] and header[-5:] == [
        "基础分",
        "加分",
        "扣分",
        "总分",
        "约谈",
    ]
    assert [r[:2] + r[-2:] for r in rows[3:]] == [[1, "西湖街道", 90, ""], [2, "东城镇", 55.69, "是"]]
    working = book.get_sheet_by_name("计分过程").to_python()
    assert working[0] == ["单位", "考评项目", "得分", "计分过程"]
    assert ["东城镇", "红灯预警", -2, "红灯预警项目 2 个，每个扣 1 分，扣 2.00 分"] in working


def test_reporter_sees_only_own_unit(client, reporter_a, september, unit_a, unit_b):
    login(client, reporter_a)
    response = client.get(URL)
    assert response.status_code == 200
    assert [(s.rank, s.name) for s in response.context["result"].scores] == [(2, "东城镇")]
    body = response.content.decode()
    assert "西湖街道" not in body and "约谈单位" not in body
    assert client.get(f"/indicators/assessment/units/{unit_a.pk}/?year=2026&quarter=3").status_code == 200
    assert client.get(f"/indicators/assessment/units/{unit_b.pk}/?year=2026&quarter=3").status_code == 404
    rows = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(client.get("/indicators/assessment/export.xlsx?year=2026&quarter=3").content)
        )
        .get_sheet_by_name("季度考评")
        .to_python()
    )
    assert [r[1] for r in rows[3:]] == ["东城镇"]
    assert client.get("/indicators/assessment/settings/").status_code == 403


@pytest.mark.parametrize(
    "url", ["/indicators/assessment/", "/indicators/assessment/export.xlsx", "/indicators/assessment/settings/"]
)
@pytest.mark.parametrize("actor", ["sysadmin", "auditor"])
def test_administrators_get_403(client, request, url, actor):
    login(client, request.getfixturevalue(actor))
    assert client.get(url).status_code == 403


def test_no_snapshot_and_provisional_quarter(client, coordinator, scheme, unit_a):
    login(client, coordinator)
    body = client.get(URL).content.decode()
    assert "2026年第三季度尚无已关账月份的指标快照" in body
    response = client.get("/indicators/assessment/export.xlsx?year=2026&quarter=3")
    assert response.status_code == 302
    make_snapshot(D(2026, 8, 1), {"units": [{"id": unit_a.pk, "name": "东城镇", "red": 0, "yellow": 0, "rates": {}}]})
    body = client.get(URL).content.decode()
    assert "季末月份尚未关账，暂按2026年8月快照计算，结果为预览。" in body
    assert "谋划储备" in body and "在谈招商线索：快照中无招商引资数据" not in body  # working is behind the click


def _post_data(scheme, items=None, **fields) -> dict:
    items = initial_items(scheme) if items is None else items
    data = {
        "version": scheme.version,
        "name": scheme.name,
        "year": scheme.year or "",
        "bottom_n": scheme.bottom_n,
        "unit_kinds": scheme.unit_kinds,
        "description": scheme.description,
        "is_active": "on" if scheme.is_active else "",
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": len(items),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    for n, item in enumerate(items):
        for key, value in item.items():
            if key == "rule":
                value = json.dumps(value, ensure_ascii=False)
            data[f"items-{n}-{key}"] = "" if value is None else value
    return data


def test_coordinator_edits_scheme_audited(client, coordinator, scheme):
    login(client, coordinator)
    url = f"/indicators/assessment/settings/?scheme={scheme.pk}"
    assert client.get(url).status_code == 200
    items = initial_items(scheme)
    by_name = {i["name"]: i for i in items}
    by_name["谋划储备"]["weight"] = Decimal("15")
    by_name["服务保障"]["weight"] = Decimal("5")
    by_name["谋划储备"]["rule"] = {"method": "ratio", "measure": "attraction:leads", "target": 5}
    items.append(
        {
            "id": None,
            "name": "招商排名",
            "kind": "BONUS",
            "weight": "3",
            "display_order": 90,
            "rule": {"method": "per_count", "measure": "attraction:signed", "points": "1"},
        }
    )
    response = client.post(url, _post_data(scheme, items, bottom_n=2, unit_kinds=["TOWNSHIP", "STREET"]))
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.bottom_n, scheme.version) == (2, 2)
    saved = {i.name: i for i in scheme.items.all()}
    assert saved["谋划储备"].weight == Decimal("15")
    assert saved["谋划储备"].rule == {
        "method": "ratio",
        "measure": "attraction:leads",
        "target": "5",
        "no_data": "zero",
    }
    assert saved["招商排名"].kind == AssessmentItem.Kind.BONUS
    event = AuditEvent.objects.get(action="indicators.assessment_scheme.saved")
    assert event.changes["bottom_n"] == [1, 2]
    assert event.changes["unit_kinds"] == [["TOWNSHIP", "STREET", "PARK"], ["TOWNSHIP", "STREET"]]
    old_items, new_items = event.changes["items"]
    assert len(old_items) == 8 and len(new_items) == 9

    # A stale form (another coordinator saved in between) is refused, not silently applied.
    stale = _post_data(scheme, initial_items(scheme), version=1, bottom_n=5)
    response = client.post(url, stale)
    assert response.status_code == 400
    assert "该方案已被他人修改" in response.content.decode()
    scheme.refresh_from_db()
    assert scheme.bottom_n == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"谋划储备": {"weight": "20"}}, "基础分各项分值之和应为 100 分，现为 110 分"),
        (
            {"开工投产": {"rule": {"method": "ratio", "measure": "rate:nope", "target": 5}}},
            "“开工投产”：考核数据“rate:nope”不存在",
        ),
        (
            {"红灯预警": {"rule": {"method": "ratio", "measure": "warnings:red", "target": 5}}},
            "“红灯预警”：扣分项只能用以下计分方法",
        ),
        ({"谋划储备": {"rule": "{not json"}}, "不是有效的 JSON"),
    ],
)
def test_invalid_scheme_edits_are_refused_in_chinese(client, coordinator, scheme, change, message):
    login(client, coordinator)
    items = initial_items(scheme)
    for item in items:
        item.update(change.get(item["name"], {}))
    data = _post_data(scheme, items)
    if any(isinstance(c.get("rule"), str) for c in change.values()):
        n = next(i for i, item in enumerate(items) if item["name"] in change)
        data[f"items-{n}-rule"] = "{not json"
    response = client.post(f"/indicators/assessment/settings/?scheme={scheme.pk}", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action="indicators.assessment_scheme.saved").exists()
    assert AssessmentItem.objects.get(scheme=scheme, name="谋划储备").weight == Decimal("10")


def test_delete_item_and_copy_scheme(client, coordinator, scheme):
    login(client, coordinator)
    items = initial_items(scheme)
    data = _post_data(scheme, items)
    n = next(i for i, item in enumerate(items) if item["name"] == "问题逾期")
    data[f"items-{n}-DELETE"] = "on"
    assert client.post(f"/indicators/assessment/settings/?scheme={scheme.pk}", data).status_code == 302
    assert not scheme.items.filter(name="问题逾期").exists()
    response = client.post(
        f"/indicators/assessment/settings/{scheme.pk}/copy/", {"name": "2027年考评方案", "year": 2027}
    )
    assert response.status_code == 302
    copy = AssessmentScheme.objects.get(name="2027年考评方案")
    assert (copy.year, copy.is_active, copy.items.count()) == (2027, False, 7)
    assert AuditEvent.objects.filter(action="indicators.assessment_scheme.copied", object_id=str(copy.pk)).exists()
    # Two active schemes for one year are refused.
    other = AssessmentScheme.objects.create(name="另一方案", year=2027)
    response = client.post(f"/indicators/assessment/settings/?scheme={copy.pk}", _post_data(copy, is_active="on"))
    assert response.status_code == 400 and "2027年已有启用的考评方案“另一方案”" in response.content.decode()
    assert other.is_active


def test_only_coordinator_writes(client, leader, reporter_a, scheme):
    for actor in (leader, reporter_a):
        login(client, actor)
        url = f"/indicators/assessment/settings/?scheme={scheme.pk}"
        assert client.post(url, _post_data(scheme)).status_code == 403
        assert client.post(f"/indicators/assessment/settings/{scheme.pk}/copy/", {"name": "x"}).status_code == 403
    login(client, leader)
    body = client.get(f"/indicators/assessment/settings/?scheme={scheme.pk}").content.decode()
    assert "服务保障" in body and "保存方案" not in body


def test_cli(september):
    out = io.StringIO()
    call_command("assessment", "--quarter", "2026Q3", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["snapshot_month"] == "2026-09" and data["provisional"] is False
    assert [(u["rank"], u["name"], u["total"]) for u in data["units"]] == [
        (1, "西湖街道", "90.00"),
        (2, "东城镇", "55.69"),
    ]
    assert data["interview"] == ["东城镇"]
    east = data["units"][1]["items"]
    assert east[0] == {
        "name": "谋划储备",
        "score": "10.00",
        "working": ["在谈招商线索 3 个，目标 3 个，已达到目标，得满分 10.00"],
    }
    text = io.StringIO()
    call_command("assessment", "--quarter", "2026Q3", stdout=text)
    assert "2. 东城镇 总分 55.69（约谈）" in text.getvalue() and "末位 1 名约谈：东城镇" in text.getvalue()
    with pytest.raises(CommandError, match="2026年第二季度尚无已关账月份的指标快照"):
        call_command("assessment", "--quarter", "2026Q2")
    with pytest.raises(CommandError, match="季度应写作"):
        call_command("assessment", "--quarter", "Q3")


def _units_snapshot(n: int, month: datetime.date) -> None:
    units = [UnitFactory(display_order=i) for i in range(n)]
    data = {
        "units": [
            {
                "id": u.pk,
                "name": u.name,
                "red": i % 3,
                "yellow": 0,
                "rates": {"start_rate": rate(i, 10, f"{i * 10}.00"), "campaign_signed_performing": rate(1, 2, "50.00")},
            }
            for i, u in enumerate(units)
        ],
        "attraction": {
            "units": [
                {"id": u.pk, "name": u.name, "trips": 1, "leads": i, "signed": 1, "signed_investment": "0"}
                for i, u in enumerate(units)
            ],
            "blank_unit_ids": [],
            "broke_zero_unit_ids": [units[0].pk],
            "blank_streaks": {},
        },
        "problems": {"by_unit": [{"unit_id": u.pk, "resolved": 2, "resolved_on_time": 1, "overdue": 1} for u in units]},
    }
    Snapshot.objects.filter(period__month=month).delete()
    Period.objects.filter(month=month).delete()
    make_snapshot(month, data)


def test_query_count_flat_at_n_and_2n(client, coordinator, scheme):
    login(client, coordinator)
    counts = []
    for n in (5, 10):
        _units_snapshot(n, D(2026, 9, 1))
        for url in (URL, "/indicators/assessment/export.xlsx?year=2026&quarter=3"):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
    # Export (7): session, user, the year's scheme, its items, the quarter's snapshot, rate names, units' order.
    # Page (9): the same, plus the user's unit (header) and the active schemes (the scheme chooser).
    assert counts == [9, 7, 9, 7]


def test_scores_a_real_frozen_snapshot(coordinator, unit_a, scheme):
    """Closing September freezes the snapshot the third quarter is scored from (whatever sections it has)."""
    from tadiao.indicators import assessment
    from tadiao.projects.models import Stage
    from tadiao.reporting import services as reporting
    from tests.factories import ProjectFactory

    ProjectFactory(unit=unit_a, stage=Stage.STARTED, started_date=D(2026, 4, 1))
    ProjectFactory(unit=unit_a, stage=Stage.SIGNED, signed_date=D(2026, 3, 1))
    september = reporting.open_period(month=D(2026, 9, 1), by=coordinator)
    reporting.close_period(period=september, by=coordinator, today=D(2026, 10, 5), reason="月末后关账")
    result = assessment.compute(year=2026, quarter=3)
    assert result.snapshot.as_of == D(2026, 9, 30) and not result.provisional
    # The coordinating office (a 部门) is in the snapshot's 招商引资 section but not among the units scored.
    [east] = result.scores
    start = next(i for i in east.items if i.name == "开工投产")
    assert start.working[0] == "（1）20 分：开工率 50.00%（1/2），目标 75.00%，得分 20 × 50.00 ÷ 75.00 = 13.33"
