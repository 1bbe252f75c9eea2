"""The audit log becomes a hash chain, and the purge permit goes.

1. The old triggers and the purge permit (the `audit_purge_permit` table on SQLite, the `tadiao.audit_purge`
   setting on PostgreSQL) are removed: any statement could take the permit and empty the log.
2. `seq`, `prev_hash` and `hash` are added, and the existing events are numbered in the order they were
   written (by id) and hashed, each linked to the one before (tadiao.audit.chain, canonical form version 1).
3. The triggers come back without any permit: UPDATE, DELETE (and TRUNCATE) always fail.
"""

from django.db import migrations, models

from tadiao.audit import chain

OLD_SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS audit_purge_permit (id INTEGER PRIMARY KEY)",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改 (audit log is append-only)'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN (SELECT count(*) FROM audit_purge_permit) = 0
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能删除 (audit log is append-only)'); END""",
]
OLD_POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'UPDATE' AND current_setting('tadiao.audit_purge', true) = 'on' THEN
           RETURN NULL;
         END IF;
         RAISE EXCEPTION USING MESSAGE = '审计日志只能追加，不能修改或删除 (audit log is append-only): ' || TG_OP;
       END $$""",
    """CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TABLE IF EXISTS audit_purge_permit",
]
POSTGRES_DROP = [
    "DROP FUNCTION IF EXISTS audit_chain_head()",
    "DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
]
NEW_SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改 (audit log is append-only)'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能删除 (audit log is append-only)'); END""",
]
NEW_POSTGRES = [
    # The appender's locked read of the chain head (tadiao.audit.chain): a VOLATILE function takes a new snapshot
    # for each statement, so the SELECT after the lock sees the event the previous lock holder committed.
    """CREATE FUNCTION audit_chain_head(OUT head_seq bigint, OUT head_hash varchar) LANGUAGE plpgsql VOLATILE AS $$
       BEGIN
         PERFORM pg_advisory_xact_lock(%d);
         SELECT seq, hash INTO head_seq, head_hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1;
       END $$""" % chain.POSTGRES_LOCK_KEY,
    """CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION USING MESSAGE = '审计日志只能追加，不能修改或删除 (audit log is append-only): ' || TG_OP;
       END $$""",
    """CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, POSTGRES_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP)


def old_triggers(apps, schema_editor):
    _run(schema_editor, OLD_POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql"
         else OLD_SQLITE_FORWARD)


def new_triggers(apps, schema_editor):
    _run(schema_editor, NEW_POSTGRES if schema_editor.connection.vendor == "postgresql" else NEW_SQLITE)


def hash_existing_events(apps, schema_editor):
    """Numbers and hashes the events already there, oldest (lowest id) first, in batches."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    prev, seq, batch = chain.GENESIS_HASH, 0, []
    for event in AuditEvent.objects.using(db).order_by("id").iterator(chunk_size=2000):
        seq += 1
        event.seq, event.prev_hash = seq, prev
        values = {name: getattr(event, name) for name in chain.HASHED_FIELDS}
        event.hash = prev = chain.event_hash(values)
        batch.append(event)
        if len(batch) == 1000:
            AuditEvent.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(drop_triggers, old_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="前一条哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.RunPython(hash_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="链序号"),
        ),
        migrations.RunPython(new_triggers, drop_triggers),
    ]
