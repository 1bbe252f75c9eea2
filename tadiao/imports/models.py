"""Import jobs: one uploaded workbook, its progress while the worker validates it, and the outcome."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


def upload_path(job: "ImportJob", filename: str) -> str:
    # The stored name never comes from the user: the original name is kept in `original_name` only.
    return f"imports/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """One Excel import (项目台账, 年度计划, 月度进展 or 单位), run by the task worker or by a management command."""

    class Kind(models.TextChoices):
        LEDGER = "LEDGER", "项目台账"
        PLANS = "PLANS", "年度计划"
        PROGRESS = "PROGRESS", "月度进展"
        UNITS = "UNITS", "单位"
        TRIPS = "TRIPS", "外出招商"
        ECONOMY = "ECONOMY", "经济指标"
        LEADS = "LEADS", "招商线索"
        APPROVALS = "APPROVALS", "审批事项"

    class Status(models.TextChoices):
        QUEUED = "QUEUED", "排队中"
        RUNNING = "RUNNING", "处理中"
        SUCCEEDED = "SUCCEEDED", "成功"
        FAILED = "FAILED", "失败"

    kind = models.CharField("导入类型", max_length=10, choices=Kind.choices)
    file = models.FileField("上传文件", upload_to=upload_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField("已处理行数", default=0)
    progress_total = models.PositiveIntegerField("总行数", default=0)
    summary = models.TextField("结果说明", blank=True)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("未变化", default=0)
    error_row_count = models.PositiveIntegerField("有错误的行数", default=0)
    error_file = models.FileField("错误报告", upload_to="imports/errors/", max_length=255, blank=True)
    # Null for a command-line import run by the operator without --user.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="import_jobs")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The lease of a running job (lib.leases): the worker process that took it and its last sign of life,
    # renewed with every progress write. A job whose worker died is failed by the recovery, never left running.
    worker = models.CharField("处理进程", max_length=100, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_creator_idx")]
        constraints = [
            models.CheckConstraint(name="importjob_progress_within_total",
                                   condition=Q(progress_done__lte=F("progress_total"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """Progress as a whole percentage for the progress bar."""
        if self.is_finished:  # a failed job's bar is full and red
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
