"""Calling /api/v1/ as a user: with a personal token (Authorization: Bearer), the way a script does."""

import datetime
import json

import pytest
from django.utils import timezone

from tadiao.api import services


def make_token(user, *, name: str = "同步脚本", read_only: bool = False) -> str:
    today = timezone.localdate()
    _, secret = services.create_token(
        user=user, name=name, expires_on=today + datetime.timedelta(days=30), read_only=read_only,
        now=timezone.now(), today=today,
    )
    return secret


class ApiClient:
    def __init__(self, client, secret: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: dict):
        call = getattr(self.client, method)
        return call(f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=self.headers)


@pytest.fixture
def api_as(client):
    """api_as(user) → a client whose requests carry a new token of that user."""
    return lambda user, **kwargs: ApiClient(client, make_token(user, **kwargs))


@pytest.fixture
def period_for_api(coordinator):
    from tadiao.reporting import services as reporting

    return reporting.open_period(month=datetime.date(2026, 11, 1), by=coordinator)
