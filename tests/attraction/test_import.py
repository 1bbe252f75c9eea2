"""import_trips: the sheet 外出招商 validated row by row, written all or nothing, re-import a no-op."""

import datetime

import pytest

from tadiao.attraction import services
from tadiao.attraction.models import Rank, Trip
from tadiao.attraction.sheets import TRIP_COLUMNS, TRIP_OPTIONAL_COLUMNS, parse_trip_row
from tadiao.audit.models import AuditEvent
from tadiao.imports.services import Row
from tadiao.lib.xlsx import map_columns
from tests.attraction.conftest import D

pytestmark = pytest.mark.django_db

HEADER = ["单位", "出发日期", "返回日期", "带队领导", "职级", "目的地", "拜访企业", "取得成果"]


def _rows(*cells_list, header=HEADER):
    positions, missing = map_columns(header, {**TRIP_COLUMNS, **TRIP_OPTIONAL_COLUMNS})
    assert missing == [] or missing == ["下一步工作"]
    return [
        Row(line=line, values={key: cells[pos] for key, pos in positions.items()})
        for line, cells in enumerate(cells_list, start=2)
    ]


GOOD = [
    ["东城镇", "2026-03-05", "2026/3/7", "张镇长", "正处级", "深圳", "甲公司、乙公司", "达成意向 1 个"],
    ["西湖街道", datetime.date(2026, 4, 1), datetime.datetime(2026, 4, 3), "李主任", "科级", "杭州", "", ""],
]


def test_import_creates_trips_and_audits(coordinator, unit_a, unit_b):
    outcome = services.import_trips(rows=_rows(*GOOD), by=coordinator)
    assert outcome.ok and (outcome.total, outcome.created, outcome.updated, outcome.unchanged) == (2, 2, 0, 0)
    shenzhen = Trip.objects.get(destination="深圳")
    assert (shenzhen.unit, shenzhen.departure_date, shenzhen.return_date, shenzhen.rank) == (
        unit_a, D(2026, 3, 5), D(2026, 3, 7), Rank.DIVISION
    )
    assert shenzhen.created_by == coordinator
    assert AuditEvent.objects.filter(action="attraction.trip.imported").count() == 2


def test_reimport_changes_nothing_and_a_changed_row_updates(coordinator, unit_a, unit_b):
    services.import_trips(rows=_rows(*GOOD), by=coordinator)
    again = services.import_trips(rows=_rows(*GOOD), by=coordinator)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = [[*GOOD[0][:7], "签约 1 个"], GOOD[1]]
    outcome = services.import_trips(rows=_rows(*changed), by=coordinator)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)
    trip = Trip.objects.get(destination="深圳")
    assert (trip.results, trip.version) == ("签约 1 个", 2)
    assert AuditEvent.objects.get(action="attraction.trip.updated").changes["results"] == ["达成意向 1 个", "签约 1 个"]


def test_without_the_next_step_column_it_is_kept(coordinator, unit_a):
    trip = Trip.objects.create(unit=unit_a, departure_date=D(2026, 3, 5), return_date=D(2026, 3, 7),
                               leading_cadre="张镇长", rank=Rank.DIVISION, destination="深圳", next_step="回访")
    services.import_trips(rows=_rows(GOOD[0]), by=coordinator)
    trip.refresh_from_db()
    assert trip.next_step == "回访"
    header = [*HEADER, "下一步工作"]
    services.import_trips(rows=_rows([*GOOD[0], "邀请来访"], header=header), by=coordinator)
    trip.refresh_from_db()
    assert trip.next_step == "邀请来访"


def test_any_wrong_row_writes_nothing_and_every_error_is_listed(coordinator, unit_a, unit_b):
    rows = _rows(
        GOOD[0],
        ["不存在镇", "2026-02-30", "2026-01-01", "", "局级", "", "", ""],
        ["西湖街道", "2026-05-10", "2026-05-08", "王主任", "其它", "苏州", "", ""],
        GOOD[0],  # the same trip twice
        ["示例：东城镇", "2026-01-01", "2026-01-02", "x", "处级", "y", "", ""],
    )
    outcome = services.import_trips(rows=rows, by=coordinator)
    assert not outcome.ok
    assert outcome.errors == {
        3: [
            "单位“不存在镇”不存在或不在您的管理范围内。",
            "出发日期：“2026-02-30”不是有效的日期（月份或日期超出范围）。",
            "带队领导不能为空。",
            "职级：“局级”不是有效的选项，可填：厅级、处级、科级、其他。",
            "目的地不能为空。",
        ],
        4: ["返回日期（2026-05-08）不能早于出发日期（2026-05-10）。"],
        5: ["与第 2 行重复（同一单位、出发日期、带队领导和目的地）。"],
        6: ["这是导入模板中的示例行，请改写或删除后再导入。"],
    }
    assert not Trip.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="attraction.").exists()


def test_a_reporter_imports_only_its_own_unit(reporter_a, unit_a, unit_b):
    outcome = services.import_trips(rows=_rows(*GOOD), by=reporter_a)
    assert outcome.errors == {3: ["单位“西湖街道”不存在或不在您的管理范围内。"]}
    assert not Trip.objects.exists()
    assert services.import_trips(rows=_rows(GOOD[0]), by=reporter_a).created == 1


def test_a_leader_may_not_import(leader, unit_a):
    with pytest.raises(services.AttractionError, match="无权导入"):
        services.import_trips(rows=_rows(GOOD[0]), by=leader)


def test_the_command_line_imports_everything(unit_a, unit_b):
    outcome = services.import_trips(rows=_rows(*GOOD), by=None)
    assert outcome.created == 2
    assert set(AuditEvent.objects.values_list("actor_name", flat=True)) == {"命令行导入"}


def test_parser_is_pure(django_assert_num_queries, unit_a):
    from tadiao.lib.xlsx import fold

    units = {fold(unit_a.name): unit_a}
    values = dict(zip(TRIP_COLUMNS, GOOD[0], strict=True))
    with django_assert_num_queries(0):
        parsed = parse_trip_row(values, units=units, writable=None)
    assert parsed.errors == []
    assert parsed.values["rank"] == Rank.DIVISION and parsed.values["departure_date"] == D(2026, 3, 5)
