"""Every organisation page and export: the system administrator only; every other role gets 403."""

import pytest

from tests.conftest import login
from tests.factories import LeaderFactory

pytestmark = pytest.mark.django_db

GET_URLS = [
    "/org/regions/", "/org/regions/new/", "/org/regions/{region}/",
    "/org/units/", "/org/units/new/", "/org/units/{unit}/", "/org/units/export.xlsx",
    "/org/leaders/", "/org/leaders/new/", "/org/leaders/{leader}/",
    "/org/users/", "/org/users/new/", "/org/users/{user}/",
]
POST_URLS = [
    "/org/regions/new/", "/org/regions/{region}/", "/org/units/new/", "/org/units/{unit}/",
    "/org/leaders/new/", "/org/leaders/{leader}/", "/org/users/new/", "/org/users/{user}/",
    "/org/users/{user}/reset-password/", "/org/users/{user}/toggle-active/",
]
OTHERS = ["reporter_a", "leader", "coordinator", "auditor"]


@pytest.fixture
def ids(region, unit_a, reporter_b):
    return {"region": region.pk, "unit": unit_a.pk, "leader": LeaderFactory().pk, "user": reporter_b.pk}


@pytest.mark.parametrize("actor", OTHERS)
@pytest.mark.parametrize("url", GET_URLS)
def test_others_get_403(client, request, ids, actor, url):
    login(client, request.getfixturevalue(actor))
    assert client.get(url.format(**ids)).status_code == 403


@pytest.mark.parametrize("actor", OTHERS)
@pytest.mark.parametrize("url", POST_URLS)
def test_others_get_403_on_posts(client, request, ids, reporter_b, actor, url):
    login(client, request.getfixturevalue(actor))
    assert client.post(url.format(**ids), {"active": "0", "name": "x"}).status_code == 403
    reporter_b.refresh_from_db()
    assert reporter_b.is_active


@pytest.mark.parametrize("url", GET_URLS)
def test_sysadmin_opens_every_page(sys_client, ids, url):
    response = sys_client.get(url.format(**ids))
    assert response.status_code == 200


def test_anonymous_is_sent_to_login(client, ids):
    response = client.get("/org/users/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_password_and_toggle_need_post(sys_client, ids):
    assert sys_client.get("/org/users/{user}/reset-password/".format(**ids)).status_code == 405
    assert sys_client.get("/org/users/{user}/toggle-active/".format(**ids)).status_code == 405


def test_navigation_shows_org_pages_but_not_the_audit_log_to_sysadmin(sys_client):
    body = sys_client.get("/org/units/").content.decode()
    assert "/org/regions/" in body and "/org/users/" in body and 'href="/audit/"' not in body
