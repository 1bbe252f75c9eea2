"""The demo county for the read-only tests: loaded once per module, as of that module's TODAY."""

import pytest
from django.db import transaction

from tadiao.demo import services


@pytest.fixture(scope="module")
def _demo_for_module(request, django_db_setup, django_db_blocker):
    """Loaded once for the read-only tests of a module, inside a transaction rolled back at its end (each test's own
    transaction nests in it as a savepoint)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield services.load_demo(today=request.module.TODAY)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_for_module, db):
    return _demo_for_module
