"""Personal API tokens: created on the user's own page (shown once, stored hashed), listed with their last use,
revoked by the owner or a system administrator; expiry, read-only, the per-token rate limit, and the session."""

import datetime
import hashlib
import re

from django.utils import timezone

from tadiao.api import services
from tadiao.api.models import ApiToken
from tadiao.audit.models import AuditEvent
from tests.api.conftest import make_token
from tests.conftest import login


def _create(client, **data):
    expiry = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    return client.post("/api-tokens/", {"name": "数据同步", "expires_on": expiry, **data})


def test_created_on_the_users_page_shown_once_stored_hashed(client, reporter_a, project_a):
    login(client, reporter_a)
    page = _create(client)
    secret = re.search(r'id="new-token-secret">([^<]+)<', page.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.user == reporter_a and token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and page["Cache-Control"] == "no-store"
    assert secret not in client.get("/api-tokens/").content.decode()  # shown once
    event = AuditEvent.objects.get(action="api.token.created")
    assert event.object_id == str(token.pk) and secret not in str(event.changes)
    client.logout()
    answer = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and answer.json()["count"] == 1
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_page_refuses_bad_input(client, reporter_a):
    login(client, reporter_a)
    assert "有效期应晚于今天" in _create(client, expires_on=timezone.localdate().isoformat()).content.decode()
    assert "请填写令牌名称" in _create(client, name="").content.decode()
    assert not ApiToken.objects.exists()


def test_revoked_and_expired_tokens_are_refused(client, reporter_a, reporter_b, sysadmin, project_a):
    secret = make_token(reporter_a)
    token = ApiToken.objects.get()
    headers = {"Authorization": f"Bearer {secret}"}
    login(client, reporter_b)
    assert client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404  # not theirs
    login(client, reporter_a)
    client.post(f"/api-tokens/{token.pk}/revoke/")
    client.logout()
    assert client.get("/api/v1/projects", headers=headers).status_code == 401
    assert AuditEvent.objects.filter(action="api.token.revoked", actor=reporter_a).count() == 1

    secret = make_token(reporter_a, name="二")
    ApiToken.objects.filter(name="二").update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert client.get("/api/v1/projects", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_sysadmin_revokes_anyones_token(client, reporter_a, sysadmin, leader):
    make_token(reporter_a)
    token = ApiToken.objects.get()
    login(client, leader)
    assert client.get("/api-tokens/all/").status_code == 403
    login(client, sysadmin)
    page = client.get("/api-tokens/all/").content.decode()
    assert token.name in page and "张填报（东城镇）" in page and token.prefix in page
    assert client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == sysadmin and token.revoked_at is not None


def test_a_disabled_user_s_token_stops_working(client, reporter_a, project_a):
    secret = make_token(reporter_a)
    reporter_a.is_active = False
    reporter_a.save()
    assert client.get("/api/v1/projects", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_read_only_token_cannot_write(api_as, reporter_a, project_a):
    answer = api_as(reporter_a, read_only=True).send("put", f"/projects/{project_a.pk}/reports/2026-11", {})
    assert answer.status_code == 403 and "只读令牌" in answer.json()["detail"]


def test_rate_limit_per_token_with_retry_after(api_as, reporter_a, project_a, settings):
    settings.TADIAO_API_RATE_LIMIT = 3
    first, second = api_as(reporter_a, name="一"), api_as(reporter_a, name="二")
    assert [first.get("/projects").status_code for _ in range(3)] == [200, 200, 200]
    limited = first.get("/projects")
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert "每分钟最多 3 次" in limited.json()["detail"]
    assert second.get("/projects").status_code == 200  # per token


def test_the_counter_restarts_each_minute(reporter_a):
    make_token(reporter_a)
    token = ApiToken.objects.get()
    minute = datetime.datetime(2026, 11, 23, 9, 0, 10, tzinfo=datetime.UTC)
    assert [services.count_request(token=token, now=minute, limit=2) for _ in range(3)] == [0, 0, 50]
    assert services.count_request(token=token, now=minute + datetime.timedelta(seconds=55), limit=2) == 0
    token.refresh_from_db()
    assert token.rate_count == 1


def test_the_session_works_from_the_browser_with_csrf(reporter_a, project_a, period_for_api):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reporter_a)
    assert browser.get("/api/v1/projects").json()["count"] == 1
    body = '{"investment_completed": "1", "progress_text": "x"}'
    url = f"/api/v1/projects/{project_a.pk}/reports/2026-11"
    refused = browser.put(url, body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    browser.get("/api-tokens/")  # a page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    assert browser.put(url, body, content_type="application/json", headers={"X-CSRFToken": token}).status_code == 200
