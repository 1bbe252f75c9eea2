"""The coordination app in packages (issue 13, point 4): every name a module of `services` or `queries` defines is
reached through the package, as callers have always written it (`services.raise_problem`, `queries.visible_problems`);
and the reads the views used to build themselves are plain functions a test calls without a request (point 3)."""

import datetime
import importlib
import inspect
import pkgutil

import pytest

from tadiao.coordination import queries, services
from tadiao.coordination.models import AgendaItem, CoordinationSettings, Meeting
from tests.conftest import TODAY, login
from tests.coordination.conftest import make_problem

pytestmark = pytest.mark.django_db
D = datetime.date


def _defined_names(package):
    """(module, name, object) of each public function or class a module of the package defines itself."""
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if obj.__module__ == module.__name__:
                yield info.name, name, obj


@pytest.mark.parametrize("package", [services, queries], ids=["services", "queries"])
def test_every_public_name_of_a_module_is_reached_through_its_package(package):
    found = list(_defined_names(package))
    assert len(found) > 10
    assert sorted(f"{m}.{n}" for m, n, obj in found if getattr(package, n, None) is not obj) == []
    assert sorted(n for _, n, _ in found if n not in package.__all__) == []


def test_picked_agenda_keeps_the_items_the_office_ticked(coordinator, project_a, dept):
    make_problem(project_a, dept, title="甲用地", deadline=D(2026, 11, 18))
    make_problem(project_a, dept, title="乙用电", deadline=D(2026, 11, 19))
    proposed = queries.proposed_agenda(coordinator, as_of=TODAY)
    assert [i["kind"] for i in proposed[:2]] == ["问题", "问题"]
    assert queries.picked_agenda(coordinator, as_of=TODAY, picks=["1"]) == [proposed[1]]
    assert queries.picked_agenda(coordinator, as_of=TODAY, picks=["0", "1"]) == proposed[:2]
    assert queries.picked_agenda(coordinator, as_of=TODAY, picks=[]) == proposed  # nothing ticked: all of them


def test_adopting_only_the_ticked_agenda_items(client, today, coordinator, project_a, dept):
    make_problem(project_a, dept, title="甲用地", deadline=D(2026, 11, 18))
    make_problem(project_a, dept, title="乙用电", deadline=D(2026, 11, 19))
    meeting = Meeting.objects.create(date=TODAY, kind="WEEKLY", title="第47周例会", created_by=coordinator)
    second = queries.proposed_agenda(coordinator, as_of=TODAY)[1]["text"]
    login(client, coordinator)
    r = client.post(f"/coordination/meetings/{meeting.pk}/agenda/", {"adopt": "1", "pick": ["1"]})
    assert r.status_code == 302
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("text", flat=True)) == [second]


def test_settings_values_are_what_the_settings_form_shows(coordinator):
    config = services.update_settings(
        overdue_action=CoordinationSettings.OverdueAction.FLAG, due_soon_days=5, category_days={"LAND": 20},
        by=coordinator, expected_version=queries.coordination_settings().version,
    )
    values = queries.settings_values()
    assert (values["overdue_action"], values["due_soon_days"], values["version"]) == ("FLAG", 5, config.version)
    assert values["days_LAND"] == 20 and set(values) >= {f"days_{c}" for c in queries.category_days()}
    assert queries.category_deadlines()[0] == ("用地", 20) and len(queries.category_deadlines()) == 10
