"""The standard actors of every view test: the owning unit's reporter (may write), a reader (leader: may read,
403 on write), another unit's reporter (404); plus the coordinator, the system and the audit administrator."""

import datetime

import pytest
from django.test import TransactionTestCase

from tadiao.audit.maintenance import triggers_suspended
from tadiao.org.models import Region, Unit
from tests.factories import ProjectFactory, RegionFactory, UnitFactory, UserFactory

PASSWORD = "tadiao-test-pw"
TODAY = datetime.date(2026, 11, 23)

# Transactional tests (live server, browser) empty the database afterwards; the audit table's triggers refuse
# that, so this teardown drops them for the flush and creates them again (DDL, as the table's owner: there is
# no permit an ordinary statement could take).
_original_teardown = TransactionTestCase._fixture_teardown


def _teardown_with_audit_purge(self):
    with triggers_suspended():
        _original_teardown(self)


TransactionTestCase._fixture_teardown = _teardown_with_audit_purge


@pytest.fixture
def region(db) -> Region:
    return RegionFactory()


@pytest.fixture
def unit_a(region) -> Unit:
    return UnitFactory(name="东城镇", region=region, display_order=1)


@pytest.fixture
def unit_b(region) -> Unit:
    return UnitFactory(name="西湖街道", kind=Unit.Kind.STREET, region=region, display_order=2)


@pytest.fixture
def office_unit(region) -> Unit:
    return UnitFactory(name="市发展和改革局", kind=Unit.Kind.DEPARTMENT, region=region, display_order=0)


@pytest.fixture
def reporter_a(unit_a):
    return UserFactory(username="reporter_a", full_name="张填报", unit=unit_a, is_reporter=True)


@pytest.fixture
def reporter_b(unit_b):
    return UserFactory(username="reporter_b", full_name="李填报", unit=unit_b, is_reporter=True)


@pytest.fixture
def coordinator(office_unit):
    return UserFactory(username="coordinator", full_name="王调度", unit=office_unit, is_coordinator=True)


@pytest.fixture
def leader(office_unit):
    return UserFactory(username="leader", full_name="赵市长", unit=office_unit, is_leader=True)


@pytest.fixture
def sysadmin(office_unit):
    return UserFactory(username="sysadmin", full_name="系统管理员", unit=office_unit, is_sysadmin=True)


@pytest.fixture
def auditor(office_unit):
    return UserFactory(username="auditor", full_name="审计管理员", unit=office_unit, is_auditor=True)


@pytest.fixture
def project_a(unit_a):
    return ProjectFactory(name="东城镇智能装备产业园", unit=unit_a)


@pytest.fixture
def project_b(unit_b):
    return ProjectFactory(name="西湖街道城市更新", unit=unit_b)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploads and generated files of a test go to its own temporary folder; passwords hash fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
