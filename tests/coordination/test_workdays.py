"""The working-day arithmetic (pure) and the calendar shipped by the data migration."""

import datetime

import pytest

from tadiao.coordination import queries
from tadiao.coordination.models import CategoryDeadline, WorkdayAdjustment
from tadiao.coordination.workdays import add_working_days, is_working_day, working_days_between
from tests.conftest import login

D = datetime.date
NATIONAL_DAY_2026 = {
    **{D(2026, 10, d): False for d in range(1, 8)},
    D(2026, 9, 20): True,
    D(2026, 10, 10): True,
}


def test_plain_weekends():
    # Friday 2026-11-20 + 1 working day → Monday 23rd; + 5 → Friday 27th; + 0 → itself.
    assert add_working_days(D(2026, 11, 20), 1, {}) == D(2026, 11, 23)
    assert add_working_days(D(2026, 11, 20), 5, {}) == D(2026, 11, 27)
    assert add_working_days(D(2026, 11, 21), 0, {}) == D(2026, 11, 21)
    assert not is_working_day(D(2026, 11, 22), {})  # Sunday
    with pytest.raises(ValueError):
        add_working_days(D(2026, 11, 20), -1, {})


def test_national_day_and_its_working_weekend_days():
    # Raised Friday 2026-09-18: 1 → Sunday 20th (调休上班); 2 → Monday 21st.
    assert add_working_days(D(2026, 9, 18), 1, NATIONAL_DAY_2026) == D(2026, 9, 20)
    assert add_working_days(D(2026, 9, 18), 2, NATIONAL_DAY_2026) == D(2026, 9, 21)
    # Raised Wednesday 30 September: 1–7 October off, Thursday 8 and Friday 9 work, Saturday 10 works (调休).
    assert add_working_days(D(2026, 9, 30), 1, NATIONAL_DAY_2026) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3, NATIONAL_DAY_2026) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 4, NATIONAL_DAY_2026) == D(2026, 10, 12)
    # Without the calendar the same 4 days end on Tuesday 6 October.
    assert add_working_days(D(2026, 9, 30), 4, {}) == D(2026, 10, 6)


def test_working_days_between_is_the_inverse():
    for days in range(0, 12):
        end = add_working_days(D(2026, 9, 28), days, NATIONAL_DAY_2026)
        assert working_days_between(D(2026, 9, 28), end, NATIONAL_DAY_2026) == days
    assert working_days_between(D(2026, 11, 23), D(2026, 11, 20), {}) == 0


@pytest.mark.django_db
def test_migration_seeds_the_official_schedules():
    rows = dict(WorkdayAdjustment.objects.values_list("date", "is_workday"))
    # 2025 春节 28 Jan – 4 Feb off, 26 Jan (Sunday) and 8 Feb (Saturday) work; 国庆 1–8 Oct off, 28 Sep / 11 Oct work.
    assert all(rows[D(2025, 1, 28) + datetime.timedelta(days=i)] is False for i in range(8))
    assert rows[D(2025, 1, 26)] is True and rows[D(2025, 2, 8)] is True
    assert rows[D(2025, 10, 8)] is False and rows[D(2025, 9, 28)] is True and rows[D(2025, 10, 11)] is True
    assert rows[D(2025, 4, 27)] is True  # 劳动节调休
    # 2026 春节 15–23 Feb off, 14 and 28 Feb work; 元旦 1–3 Jan off, 4 Jan works.
    assert all(rows[D(2026, 2, 15) + datetime.timedelta(days=i)] is False for i in range(9))
    assert rows[D(2026, 2, 14)] is True and rows[D(2026, 2, 28)] is True and rows[D(2026, 1, 4)] is True
    assert rows[D(2026, 5, 9)] is True and rows[D(2026, 6, 19)] is False and rows[D(2026, 9, 25)] is False
    working_weekend_days = sorted(d for d, w in rows.items() if w)
    # 2025: 26/1, 8/2, 27/4, 28/9, 11/10; 2026: 4/1, 14/2, 28/2, 9/5, 20/9, 10/10
    assert len(working_weekend_days) == 5 + 6
    assert all(d.weekday() >= 5 for d in working_weekend_days)
    assert CategoryDeadline.objects.get(category="LAND").working_days == 15


@pytest.mark.django_db
def test_deadline_uses_the_database_calendar():
    # Spring Festival 2026: raised Friday 13 Feb with 2 working days → Saturday 14 (works), then 24 Feb.
    assert queries.deadline_after(D(2026, 2, 13), 2) == D(2026, 2, 24)
    WorkdayAdjustment.objects.filter(date=D(2026, 2, 14)).delete()
    assert queries.deadline_after(D(2026, 2, 13), 2) == D(2026, 2, 25)


@pytest.mark.django_db
def test_coordinator_edits_the_calendar(client, coordinator, reporter_a, leader):
    login(client, coordinator)
    r = client.post("/coordination/calendar/", {"date": "2027-01-01", "is_workday": "0", "note": "元旦"})
    assert r.status_code == 302
    assert WorkdayAdjustment.objects.get(date=D(2027, 1, 1)).note == "元旦"
    assert queries.adjustments_between(D(2027, 1, 1), D(2027, 1, 1)) == {D(2027, 1, 1): False}
    assert client.post("/coordination/calendar/delete/", {"date": "2027-01-01"}).status_code == 302
    assert not WorkdayAdjustment.objects.filter(date=D(2027, 1, 1)).exists()
    from tadiao.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action__startswith="coordination.calendar").count() == 2
    for user in (reporter_a, leader):
        login(client, user)
        assert client.get("/coordination/calendar/?year=2026").status_code == 200
        assert client.post("/coordination/calendar/", {"date": "2027-01-02", "is_workday": "0"}).status_code == 403


@pytest.mark.django_db
def test_coordinator_sets_category_days_and_overdue_action(client, coordinator, leader):
    login(client, coordinator)
    data = {"overdue_action": "FLAG", "due_soon_days": "3", "version": "1",
            **{f"days_{c}": "10" for c in queries.category_days()}}
    data["days_LAND"] = "20"
    assert client.post("/coordination/settings/", data).status_code == 302
    assert queries.category_days()["LAND"] == 20
    assert queries.coordination_settings().overdue_action == "FLAG"
    r = client.post("/coordination/settings/", data)  # the stale version
    assert "已被他人处理或修改" in r.content.decode()
    login(client, leader)
    assert client.get("/coordination/settings/").status_code == 403
