"""Which projects are scheduled weekly: a rule (levels, 领导挂钩, tags) plus hand-picked exceptions, stored as data
and read as one queryset; every change audited; two coordinators cannot overwrite each other's rule."""

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.projects.models import Level, Tag
from tadiao.weekly import queries, services
from tadiao.weekly.models import ScopeEntry
from tests.conftest import login
from tests.factories import LeaderFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(unit_a):
    tag, _ = Tag.objects.get_or_create(name="智能化改造")
    made = {
        "provincial": ProjectFactory(name="省重点项目", unit=unit_a, level=Level.PROVINCIAL),
        "city": ProjectFactory(name="市重点项目", unit=unit_a, level=Level.CITY),
        "county_led": ProjectFactory(name="县重点领导挂钩", unit=unit_a, leader=LeaderFactory()),
        "tagged": ProjectFactory(name="智能化改造项目", unit=unit_a),
        "plain": ProjectFactory(name="一般项目", unit=unit_a, level=Level.GENERAL),
        "cancelled": ProjectFactory(name="已终止省重点", unit=unit_a, level=Level.PROVINCIAL, is_cancelled=True),
    }
    made["tagged"].tags.add(tag, Tag.objects.get_or_create(name="专项债")[0])
    return made, tag


def names(queryset) -> set[str]:
    return {p.name for p in queryset}


def test_the_rule_and_its_exceptions(projects, coordinator, django_assert_num_queries, now):
    made, tag = projects
    config = queries.weekly_settings()
    assert names(queries.weekly_projects()) == set()  # nothing is scheduled until the office says so

    config = services.update_settings(levels=[Level.PROVINCIAL, Level.CITY], with_leader=False, tags=[],
                                      deadline_weekday=4, by=coordinator, expected_version=config.version)
    assert names(queries.weekly_projects()) == {"省重点项目", "市重点项目"}  # the cancelled one is left out

    config = services.update_settings(levels=[Level.PROVINCIAL], with_leader=True, tags=[tag], deadline_weekday=3,
                                      by=coordinator, expected_version=config.version)
    assert names(queries.weekly_projects()) == {"省重点项目", "县重点领导挂钩", "智能化改造项目"}

    services.set_exception(project=made["plain"], kind="INCLUDE", note="书记点名", by=coordinator, now=now)
    services.set_exception(project=made["provincial"], kind="EXCLUDE", note="已竣工", by=coordinator, now=now)
    expected = {"县重点领导挂钩", "智能化改造项目", "一般项目"}
    # One SELECT for the whole set once the settings row is read: no loop over projects, no duplicate rows from the
    # tag join (the tagged project carries two tags).
    with django_assert_num_queries(1):
        rows = list(queries.weekly_projects(config=config))
    assert names(rows) == expected and len(rows) == len(expected)

    # An exclusion turned into an inclusion replaces it (a project has one exception at most).
    services.set_exception(project=made["provincial"], kind="INCLUDE", note="", by=coordinator, now=now)
    assert ScopeEntry.objects.filter(project=made["provincial"]).count() == 1
    assert "省重点项目" in names(queries.weekly_projects())
    entry = ScopeEntry.objects.get(project=made["plain"])
    services.remove_exception(entry=entry, by=coordinator)
    assert "一般项目" not in names(queries.weekly_projects())

    events = AuditEvent.objects.filter(action__startswith="weekly.").order_by("id")
    actions = list(events.values_list("action", "changes"))
    assert actions[0] == ("weekly.settings.updated", {"levels": [[], ["PROVINCIAL", "CITY"]]})
    assert actions[1][1] == {
        "levels": [["PROVINCIAL", "CITY"], ["PROVINCIAL"]],
        "with_leader": [False, True],
        "tags": [[], ["智能化改造"]],
        "deadline_weekday": [4, 3],
    }
    assert [a for a, _ in actions[2:]] == ["weekly.scope.set", "weekly.scope.set", "weekly.scope.set",
                                           "weekly.scope.removed"]
    assert actions[3][1] == {"weekly_scope": [None, "EXCLUDE"], "note": "已竣工"}
    assert actions[4][1] == {"weekly_scope": ["EXCLUDE", "INCLUDE"]}
    assert actions[5][1] == {"weekly_scope": ["INCLUDE", None]}


def test_a_cancelled_project_cannot_be_included(projects, coordinator, now):
    made, _ = projects
    with pytest.raises(services.WeeklyError, match="已终止"):
        services.set_exception(project=made["cancelled"], kind="INCLUDE", note="", by=coordinator, now=now)


def test_two_coordinators_cannot_overwrite_each_other(coordinator, db):
    seen = queries.weekly_settings().version
    services.update_settings(levels=[Level.CITY], with_leader=False, tags=[], deadline_weekday=4, by=coordinator,
                             expected_version=seen)
    with pytest.raises(services.WeeklyError, match="已被他人修改"):
        services.update_settings(levels=[Level.PROVINCIAL], with_leader=True, tags=[], deadline_weekday=2,
                                 by=coordinator, expected_version=seen)
    config = queries.weekly_settings()
    assert (config.levels, config.with_leader, config.deadline_weekday) == ([Level.CITY], False, 4)


def test_settings_page_three_actors(client, coordinator, leader, reporter_a, projects):
    made, tag = projects
    login(client, reporter_a)
    assert client.get("/weekly/settings/").status_code == 403
    assert client.post("/weekly/settings/exceptions/", {"project": made["plain"].pk, "kind": "INCLUDE"}).status_code \
        == 403
    login(client, leader)
    page = client.get("/weekly/settings/")
    assert page.status_code == 200 and "周调度范围设置" in page.text
    assert client.post("/weekly/settings/", {"levels": ["CITY"], "deadline_weekday": "4", "version": "1"}).status_code \
        == 403
    assert client.post("/weekly/settings/exceptions/", {"project": made["plain"].pk, "kind": "INCLUDE"}).status_code \
        == 403

    login(client, coordinator)
    version = queries.weekly_settings().version
    response = client.post("/weekly/settings/", {"levels": ["CITY"], "tags": [tag.pk], "deadline_weekday": "2",
                                                 "version": str(version)}, follow=True)
    assert "周调度范围已保存。" in response.text
    assert names(queries.weekly_projects()) == {"市重点项目", "智能化改造项目"}
    assert 'id="scheduled-count">2<' in response.text
    # The deadline weekday now Wednesday: 2026-W48 is due on Wednesday 25 November.
    assert 'id="week-deadline">2026年11月25日<' in client.get("/weekly/?week=2026-W48").text
    # A stale version is refused with the conflict message, nothing saved.
    response = client.post("/weekly/settings/", {"levels": ["PROVINCIAL"], "deadline_weekday": "4",
                                                 "version": str(version)})
    assert "已被他人修改" in response.text
    assert queries.weekly_settings().levels == ["CITY"]
    # A bad weekday is said in Chinese.
    response = client.post("/weekly/settings/", {"deadline_weekday": "9", "version": str(version + 1)})
    assert "截止日应为星期一至星期日之一。" in response.text

    response = client.post("/weekly/settings/exceptions/", {"project": made["plain"].pk, "kind": "INCLUDE",
                                                            "note": "书记点名"}, follow=True)
    assert "手动列入：一般项目" in response.text and "书记点名" in response.text
    entry = ScopeEntry.objects.get()
    response = client.post(f"/weekly/settings/exceptions/{entry.pk}/remove/", follow=True)
    assert "已取消例外：一般项目" in response.text
    assert not ScopeEntry.objects.exists()
    response = client.post("/weekly/settings/exceptions/", {"project": "999999", "kind": "INCLUDE"}, follow=True)
    assert "所选项目不存在或不在您的范围内。" in response.text
