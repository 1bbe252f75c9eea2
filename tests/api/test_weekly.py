"""/api/v1/weekly-reports: weekly's gate — the office and leaders read the region's, a reporter its own unit's."""

import pytest

from tests.factories import ProjectFactory
from tests.weekly.conftest import LAST_WEEK, THIS_WEEK, make_report


def test_list_and_detail_three_actors(api_as, reporter_a, reporter_b, leader, project_a, project_b):
    mine, theirs = make_report(project_a), make_report(project_b)
    earlier = make_report(project_a, LAST_WEEK)
    assert [r["id"] for r in api_as(reporter_a).get("/weekly-reports").json()["results"]] == [mine.pk, earlier.pk]
    answer = api_as(leader).get("/weekly-reports", week="2026-W48").json()
    assert [r["id"] for r in answer["results"]] == [mine.pk, theirs.pk]
    assert answer["results"][0]["week"] == "2026-W48" and answer["results"][0]["status_label"] == "草稿"
    assert api_as(leader, name="二").get("/weekly-reports", week="2026-W99").status_code == 422
    assert api_as(reporter_a, name="二").get(f"/weekly-reports/{mine.pk}").status_code == 200
    assert api_as(leader, name="三").get(f"/weekly-reports/{mine.pk}").status_code == 200
    assert api_as(reporter_b).get(f"/weekly-reports/{mine.pk}").status_code == 404


@pytest.mark.parametrize("n", [3, 6])
def test_list_query_count_is_flat(api_as, coordinator, unit_a, n, django_assert_num_queries):
    for _ in range(n):
        make_report(ProjectFactory(unit=unit_a), THIS_WEEK)
    client = api_as(coordinator)
    # the token and its user's unit, the rate-limit UPDATE, the scope region, the count, the page (project and unit
    # joined)
    with django_assert_num_queries(5):
        assert client.get("/weekly-reports").json()["count"] == n
