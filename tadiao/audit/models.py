"""The append-only audit log: who did what, when, from where, and what changed from → to.

Every event is a link of a hash chain (see tadiao.audit.chain): `hash` is SHA-256 over the event's canonical
JSON including `prev_hash`, the hash of the event before it, and `seq` numbers the links without gaps.
"""

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    """`create` and `bulk_create` append to the hash chain: they number and hash the events under the chain's
    lock, in the caller's transaction. A plain `save()` of a new event carries no `seq`: the database refuses it."""

    def create(self, **kwargs):
        from tadiao.audit import chain

        self._for_write = True
        event = self.model(**kwargs)
        chain.append([event], using=self.db)
        return event

    def bulk_create(self, objs, batch_size=None, **kwargs):
        from tadiao.audit import chain

        self._for_write = True
        objs = list(objs)
        if kwargs:
            raise TypeError(f"audit events are only appended; bulk_create takes no {sorted(kwargs)}")
        if objs:
            chain.append(objs, using=self.db, batch_size=batch_size)
        return objs


class AuditEvent(models.Model):
    """One business write, login or refused action. Database triggers refuse UPDATE and DELETE; the hash
    chain shows a change made with the triggers out of the way."""

    class Result(models.TextChoices):
        SUCCESS = "SUCCESS", "成功"
        FAILURE = "FAILURE", "失败"

    at = models.DateTimeField("时间", db_index=True)
    # No database constraint: deleting a user must not need to touch (UPDATE) their audit rows.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象 ID", max_length=40, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更（原值 → 新值）", default=dict, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.SUCCESS)
    message = models.CharField("说明", max_length=500, blank=True)
    # The chain: position (1, 2, 3 … without gaps), the previous event's hash, and this event's hash.
    seq = models.BigIntegerField("链序号", unique=True, editable=False)
    prev_hash = models.CharField("前一条哈希", max_length=64, editable=False)
    hash = models.CharField("哈希", max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
