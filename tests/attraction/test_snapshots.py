"""The three work items frozen in every snapshot (blank list, 零的突破, 连续空白), and the CLI contract's
`attraction`, `blank_units`, `broke_zero_units`, `blank_streaks` — every figure worked out by hand below.

Units in the configured order: 市发展和改革局 (0, the coordinator's), 东城镇 (1), 西湖街道 (2), 南山园区 (3).
- 东城镇: a trip in March → never blank.
- 西湖街道: nothing until a recognised project signed on 1 October → blank at the July, August and September
  snapshots (3 running), breaks zero against September.
- 南山园区: a project signed in February but rejected (不予认定: does not count) → blank in July; a lead begun on
  10 August → breaks zero at the August snapshot.
- 市发展和改革局: never anything → blank every time.
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from tadiao.attraction.models import Recognition
from tadiao.indicators.models import Snapshot
from tadiao.reporting import services as reporting
from tests.attraction.conftest import make_lead, make_signed, make_trip

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def three_months(coordinator, office_unit, unit_a, unit_b, unit_c):
    make_trip(unit_a, D(2026, 3, 10))
    make_signed(unit_c, D(2026, 2, 15), status=Recognition.Status.REJECTED, reason="城建项目不计入")
    make_signed(unit_b, D(2026, 10, 1), investment="5000", status=Recognition.Status.RECOGNISED)
    make_lead(unit_c, start=D(2026, 8, 10))
    for month in (7, 8, 9):
        period = reporting.open_period(month=D(2026, month, 1), by=coordinator)
        reporting.close_period(period=period, by=coordinator, today=D(2026, month + 1, 5), reason="月末后关账")
    return {u.name: u.pk for u in (office_unit, unit_a, unit_b, unit_c)}


def _attraction(month):
    return Snapshot.objects.get(period__month=D(2026, month, 1)).data["attraction"]


def test_snapshots_freeze_blank_list_broke_zero_and_streaks(three_months):
    ids = three_months
    office, dongcheng, xihu, nanshan = ids["市发展和改革局"], ids["东城镇"], ids["西湖街道"], ids["南山园区"]
    july, august, september = _attraction(7), _attraction(8), _attraction(9)
    assert (july["start"], july["end"]) == ("2026-01-01", "2026-07-31")
    assert july["blank_unit_ids"] == [office, xihu, nanshan]  # 南山园区's rejected signing does not count
    assert july["broke_zero_unit_ids"] == []
    assert july["blank_streaks"] == {str(office): 1, str(xihu): 1, str(nanshan): 1}
    assert july["totals"] == {"trips": 1, "leads": 0, "signed": 0, "signed_investment": None}
    assert august["blank_unit_ids"] == [office, xihu]
    assert august["broke_zero_unit_ids"] == [nanshan]
    assert august["blank_streaks"] == {str(office): 2, str(xihu): 2}
    assert september["blank_unit_ids"] == [office, xihu]
    assert september["broke_zero_unit_ids"] == []
    assert september["blank_streaks"] == {str(office): 3, str(xihu): 3}
    by_unit = {row["name"]: row for row in september["units"]}
    assert by_unit["东城镇"] == {"id": dongcheng, "name": "东城镇", "trips": 1, "leads": 0, "signed": 0,
                                "signed_investment": None}
    assert by_unit["南山园区"]["leads"] == 1 and by_unit["南山园区"]["signed"] == 0


def test_frozen_blank_list_does_not_change_with_later_entries(three_months, unit_b):
    make_trip(unit_b, D(2026, 6, 1), destination="深圳")  # entered in October for a June trip
    assert _attraction(9)["blank_unit_ids"] == [three_months["市发展和改革局"], three_months["西湖街道"]]


def _cli(*args):
    out = io.StringIO()
    call_command("indicators", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


TOTALS = ("trips", "leads", "signed", "signed_investment")


def _totals(attraction: dict) -> dict:
    """The four totals of the CLI's `attraction` object (its breakdowns are tested in test_breakdowns.py)."""
    return {key: attraction[key] for key in TOTALS}


def test_cli_attraction_totals_and_blank_units(three_months):
    data = _cli("--as-of", "2026-10-15")
    # Trips: 东城镇's one. Leads: 南山园区's (in talks since 10 August). Signed: 西湖街道's recognised one.
    assert _totals(data["attraction"]) == {"trips": 1, "leads": 1, "signed": 1, "signed_investment": "5000.00"}
    assert data["blank_units"] == ["市发展和改革局"]
    assert "broke_zero_units" not in data and "blank_streaks" not in data


def test_cli_compare_to_names_units_that_broke_zero_and_streaks(three_months):
    data = _cli("--as-of", "2026-10-15", "--compare-to", "2026-09")
    assert data["broke_zero_units"] == ["西湖街道"]
    assert data["blank_streaks"] == {"市发展和改革局": 4}  # July, August, September and now
    # Against August instead: the streak counts the snapshots up to August and now, 西湖街道 still broke zero.
    data = _cli("--as-of", "2026-10-15", "--compare-to", "2026-08")
    assert data["broke_zero_units"] == ["西湖街道"]
    assert data["blank_streaks"] == {"市发展和改革局": 3}


def test_cli_unit_scope(three_months):
    data = _cli("--as-of", "2026-10-15", "--unit", "南山园区")
    assert _totals(data["attraction"]) == {"trips": 0, "leads": 1, "signed": 0, "signed_investment": None}
    assert data["blank_units"] == []
    data = _cli("--as-of", "2026-07-31", "--unit", "南山园区")
    assert data["blank_units"] == ["南山园区"]


def test_work_items_page_names_units_that_broke_zero_and_streaks(three_months, client, coordinator, today):
    client.force_login(coordinator)
    page = client.get("/attraction/work-items/", {"start": "2026-01-01", "end": "2026-10-15"}).content.decode()
    blank = page[page.index('id="blank-units"') : page.index('id="broke-zero"')]
    broke = page[page.index('id="broke-zero"') :]
    assert "市发展和改革局" in blank and "连续4次" in blank and "西湖街道" not in blank
    assert "较2026年9月快照" in broke and "西湖街道" in broke[: broke.index("</div>")]
    # Another period than year-to-date: no comparison with the (year-to-date) snapshots.
    page = client.get("/attraction/work-items/", {"start": "2026-03-01", "end": "2026-10-15"}).content.decode()
    assert "请选择“本年至今”期间查看" in page and "连续4次" not in page


def test_cli_compare_to_with_a_period_not_year_to_date(three_months):
    # From 1 March: 东城镇's trip (3-10), 西湖街道's signing (10-1) and 南山园区's lead (8-10) count: only the office
    # is blank.
    data = _cli("--as-of", "2026-10-15", "--from", "2026-03-01", "--compare-to", "2026-09")
    assert data["blank_units"] == ["市发展和改革局"]
    # Snapshots hold year-to-date blank lists: no 零的突破 / 连续空白 for another period, and the reason why.
    assert data["broke_zero_units"] is None and data["blank_streaks"] is None
    assert data["blank_comparison_note"] == (
        "快照保存的是本年 1 月 1 日起累计的空白单位，统计期间不是从 1 月 1 日开始时不计算零的突破和连续空白。"
    )
