"""The purge permit: lets the whole database be emptied (test teardown), and nothing else."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def audit_purge_permitted():
    """Within this block DELETE/TRUNCATE of the audit table pass the triggers; UPDATE never does."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET tadiao.audit_purge = 'on'")
        else:
            cursor.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET tadiao.audit_purge")
            else:
                cursor.execute("DELETE FROM audit_purge_permit")
