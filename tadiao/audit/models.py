"""The append-only audit log: who did what, when, from where, and what changed from → to."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One business write, login or refused action. Database triggers refuse UPDATE and DELETE."""

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

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
