"""The audit table is append-only in the database itself: UPDATE and DELETE fail on SQLite and PostgreSQL,
through the ORM and through raw SQL alike."""

import pytest
from django.db import DatabaseError, connection, transaction

from tadiao.audit import services as audit
from tadiao.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(sysadmin, unit_a):
    return audit.record(actor=sysadmin, action="org.unit.updated", obj=unit_a, changes={"name": ["甲", "乙"]})


def refused(operation) -> str:
    """Runs `operation` in a savepoint (so PostgreSQL's transaction survives) and returns the error text."""
    with pytest.raises(DatabaseError) as exc, transaction.atomic():
        operation()
    return str(exc.value)


def test_queryset_update_fails(event):
    message = refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="org.unit.created"))
    assert "append-only" in message
    event.refresh_from_db()
    assert event.action == "org.unit.updated"


def test_queryset_delete_fails(event):
    assert "append-only" in refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_instance_save_and_delete_fail(event):
    event.message = "篡改"
    refused(lambda: event.save())
    refused(lambda: event.delete())
    event.refresh_from_db()
    assert event.message == ""


def test_raw_sql_update_and_delete_fail(event):
    def raw(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
        return run

    refused(raw("UPDATE audit_auditevent SET actor_name = 'x' WHERE id = %s"))
    refused(raw("DELETE FROM audit_auditevent WHERE id = %s"))
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "系统管理员"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_fails_on_postgresql(event):
    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")

    refused(truncate)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserting_still_works(event):
    audit.record(actor=None, action="auth.login_failed", actor_name="someone", result=AuditEvent.Result.FAILURE)
    assert AuditEvent.objects.count() == 2
