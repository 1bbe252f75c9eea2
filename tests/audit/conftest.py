"""Fixtures of the audit tests: a logged-in audit administrator."""

import pytest

from tests.conftest import login


@pytest.fixture
def audit_client(client, auditor):
    return login(client, auditor)
