"""The five lists' membership and figures, against the hand-computed county of conftest.py."""

from decimal import Decimal

import pytest

from tadiao.bulletins import queries
from tests.bulletins.conftest import d
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

NOV, DEC_END = d("2026-11-01"), d("2026-12-31")


def keys(county, rows) -> list[str]:
    by_pk = {p.pk: key for key, p in county.items()}
    return sorted((by_pk[p.pk] for p in rows), key=lambda k: int(k[1:]))


def test_signed_not_started(county, coordinator):
    # p2 started on the as-of day (excluded), p3 the day after (included); p4 is cancelled but stays (domain.md:
    # a cancelled project stays in every list it was in, shown as 终止); p5 was never signed.
    assert keys(county, queries.signed_not_started(coordinator, as_of=TODAY)) == ["p1", "p3", "p4"]
    # One day earlier p2 had not started yet.
    assert keys(county, queries.signed_not_started(coordinator, as_of=d("2026-11-22"))) == ["p1", "p2", "p3", "p4"]
    # Before p3's signing day it is not signed yet.
    assert keys(county, queries.signed_not_started(coordinator, as_of=d("2026-11-19"))) == ["p1", "p2", "p4"]


def test_to_start_window_boundaries(county, coordinator):
    def run(date_from, date_to):
        return keys(county, queries.to_start(coordinator, as_of=TODAY, date_from=date_from, date_to=date_to))

    # p1 on the window's last day, p5 and the cancelled p4 on its first are in; p3 (10-31) is outside.
    assert run(NOV, DEC_END) == ["p1", "p4", "p5"]
    assert run(d("2026-11-02"), DEC_END) == ["p1"]
    assert run(NOV, d("2026-12-30")) == ["p4", "p5"]
    # The whole year: p3 planned 10-31 and had not started by the as-of date (it started on 11-24).
    assert run(d("2026-01-01"), DEC_END) == ["p1", "p3", "p4", "p5"]


def test_under_construction(county, coordinator):
    # p2 started on the as-of day; p6 completed on it (out); p7 suspended stays in; p8 completed; p10 cancelled but
    # stays.
    assert keys(county, queries.under_construction(coordinator, as_of=TODAY)) == ["p2", "p7", "p9", "p10"]
    # One day earlier p6 was not completed yet and p2 not started.
    assert keys(county, queries.under_construction(coordinator, as_of=d("2026-11-22"))) == ["p6", "p7", "p9", "p10"]


def test_to_complete_or_produce_window_boundaries(county, coordinator):
    def run(date_from, date_to):
        return keys(
            county,
            queries.to_complete_or_produce(coordinator, as_of=TODAY, date_from=date_from, date_to=date_to),
        )

    # p6 by its producing date (12-31, completed already), p7 by completion on 11-01, p9 by completion on 12-31;
    # p8 completed before its planned date and plans producing on 2027-01-01; the cancelled p10 (completion 12-01)
    # stays.
    assert run(NOV, DEC_END) == ["p6", "p7", "p9", "p10"]
    assert run(d("2026-11-02"), DEC_END) == ["p6", "p9", "p10"]
    assert run(NOV, d("2026-12-30")) == ["p7", "p10"]
    assert run(NOV, d("2027-01-01")) == ["p6", "p7", "p8", "p9", "p10"]


def test_smart_upgrade_keeps_cancelled(county, coordinator):
    assert keys(county, queries.smart_upgrade(coordinator, as_of=TODAY)) == ["p1", "p4", "p9"]


def test_figures(county, coordinator):
    rows = {p.pk: p for p in queries.smart_upgrade(coordinator, as_of=TODAY)}
    p1, p4, p9 = (rows[county[k].pk] for k in ("p1", "p4", "p9"))
    assert (p1.year_planned, p1.ytd_completed, p1.latest_progress) == (
        Decimal("8000.00"),
        Decimal("300.75"),
        "桩基施工准备",
    )
    assert (p4.year_planned, p4.ytd_completed, p4.latest_progress) == (None, Decimal("0"), "")
    assert (p9.year_planned, p9.ytd_completed, p9.latest_progress) == (
        Decimal("3000.00"),
        Decimal("1000.30"),
        "主体封顶",
    )
    rows = {p.pk: p for p in queries.under_construction(coordinator, as_of=TODAY)}
    p2 = rows[county["p2"].pk]
    assert (p2.year_planned, p2.ytd_completed, p2.latest_progress) == (
        Decimal("5000.00"),
        Decimal("1200.00"),
        "主体开工",
    )


def test_figures_follow_the_as_of_year(county, coordinator):
    # In January 2027 nothing is reported for 2027 and p9 has no 2027 plan; its latest progress is December's.
    p9 = queries.smart_upgrade(coordinator, as_of=d("2027-01-15")).get(pk=county["p9"].pk)
    assert (p9.year_planned, p9.ytd_completed, p9.latest_progress) == (None, Decimal("0"), "年底冲刺")
    # At the end of June: January + June, and June's progress.
    p9 = queries.smart_upgrade(coordinator, as_of=d("2026-06-30")).get(pk=county["p9"].pk)
    assert (p9.ytd_completed, p9.latest_progress) == (Decimal("1000.30"), "主体封顶")
    p9 = queries.smart_upgrade(coordinator, as_of=d("2026-05-31")).get(pk=county["p9"].pk)
    assert (p9.ytd_completed, p9.latest_progress) == (Decimal("400.10"), "基础施工")


def test_reporters_see_only_their_unit(county, reporter_a, reporter_b):
    assert keys(county, queries.signed_not_started(reporter_a, as_of=TODAY)) == ["p1", "p3", "p4"]
    assert keys(county, queries.signed_not_started(reporter_b, as_of=TODAY)) == []
    assert keys(county, queries.under_construction(reporter_a, as_of=TODAY)) == ["p7", "p10"]
    assert keys(county, queries.under_construction(reporter_b, as_of=TODAY)) == ["p2", "p9"]
    assert keys(county, queries.smart_upgrade(reporter_b, as_of=TODAY)) == ["p9"]


def test_counts_in_one_query(county, coordinator, reporter_a, django_assert_num_queries):
    coordinator.unit.region  # noqa: B018 — load the scope first, so that only the counting query is counted
    with django_assert_num_queries(1):
        counts = queries.list_counts(coordinator, as_of=TODAY, date_from=NOV, date_to=DEC_END)
    # p1 p3 p4 | p1 p4 p5 | p2 p7 p9 p10 | p6 p7 p9 p10 | p1 p4 p9 (the cancelled p4 and p10 counted where they are)
    assert counts == {
        "signed-not-started": 3,
        "to-start": 3,
        "under-construction": 4,
        "to-complete": 4,
        "smart-upgrade": 3,
    }
    # Unit A only: p1 p3 p4 | p1 p4 p5 | p7 p10 | p6 p7 p10 | p1 p4
    assert queries.list_counts(reporter_a, as_of=TODAY, date_from=NOV, date_to=DEC_END) == {
        "signed-not-started": 3,
        "to-start": 3,
        "under-construction": 2,
        "to-complete": 3,
        "smart-upgrade": 2,
    }


def test_filters_parse_and_fall_back(county):
    filters = queries.ListFilters.from_query(
        {"as_of": "2026-13-01", "from": "2026-12-01", "to": "2026-11-01"}, today=TODAY
    )
    assert filters.as_of == TODAY
    assert (filters.date_from, filters.date_to) == (d("2026-01-01"), DEC_END)
    assert filters.invalid == ["截至日期", "时间窗口（起始晚于截止）"]
    filters = queries.ListFilters.from_query({"unit": "x", "level": "NOPE", "sort": "nope"}, today=TODAY)
    assert (filters.unit, filters.level, filters.sort, filters.invalid) == (None, "", "default", ["责任单位"])
