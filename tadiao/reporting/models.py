"""Monthly reporting: a period per month with a deadline, one report per project and month, site photos."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tadiao.projects.models import Stage

# The reports that count in every figure (indicators, ledger export, bulletin): submitted or approved, as the office
# counts them; drafts and returned reports do not.
REPORTED_STATUSES = ("SUBMITTED", "APPROVED")


class ReportingSettings(models.Model):
    """Deployment-wide reporting settings (one row)."""

    class TimeProgressBasis(models.TextChoices):
        MONTHS = "MONTHS", "按月（已过月数 / 12）"
        DAYS = "DAYS", "按日（已过天数 / 全年天数）"

    deadline_day = models.PositiveSmallIntegerField("每月填报截止日", default=25)
    time_progress_basis = models.CharField(
        "序时进度口径", max_length=8, choices=TimeProgressBasis.choices, default=TimeProgressBasis.MONTHS
    )
    # A site photo taken farther than this from the project's location is marked 存疑 for the reviewer.
    photo_max_distance_km = models.DecimalField(
        "照片拍摄位置距项目最大距离（公里）", max_digits=6, decimal_places=2, default=2, db_default=2
    )

    class Meta:
        verbose_name = "填报设置"
        verbose_name_plural = "填报设置"
        constraints = [
            models.CheckConstraint(
                name="reporting_deadline_day_1_28",
                condition=Q(deadline_day__gte=1, deadline_day__lte=28),
                violation_error_message="截止日应在每月 1–28 日之间。",
            ),
        ]

    def __str__(self) -> str:
        return f"每月{self.deadline_day}日截止"


class Period(models.Model):
    """One reporting month (月度), open for reports until closed by the coordinator."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "填报中"
        CLOSED = "CLOSED", "已关账"

    month = models.DateField("月份", unique=True, help_text="该月 1 日")
    deadline = models.DateField("填报截止日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField("关账时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关账人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Why the month was closed with reports outstanding or before its deadline (also in the audit event).
    close_reason = models.CharField("关账说明", max_length=300, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-month"]
        verbose_name = "填报月份"
        verbose_name_plural = "填报月份"
        constraints = [
            models.CheckConstraint(name="period_month_is_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class MonthlyReport(models.Model):
    """A project's report for one month (月度进展)."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "草稿"
        SUBMITTED = "SUBMITTED", "已报送"
        APPROVED = "APPROVED", "审核通过"
        RETURNED = "RETURNED", "已退回"

    project = models.ForeignKey(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="monthly_reports"
    )
    period = models.ForeignKey(Period, verbose_name="月份", on_delete=models.PROTECT, related_name="reports")
    investment_completed = models.DecimalField("本月完成投资（万元）", max_digits=16, decimal_places=2, default=0)
    progress_text = models.TextField("形象进度", blank=True)
    workers_on_site = models.PositiveIntegerField("施工人数", null=True, blank=True)
    stage_reached = models.CharField("达到阶段", max_length=12, choices=Stage.choices, blank=True)
    # The actual date of the stage reached, as the unit reports it; when empty, approving the report advances the
    # project with the month's last day (or the approval day, when that is earlier).
    stage_reached_date = models.DateField("达到阶段日期", null=True, blank=True)
    problems = models.TextField("存在问题及诉求", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    # The plausibility warnings the reporter confirmed when saving (one a line; empty: none applied), shown to
    # the reviewer and audited with the save. A database default too: bulk loaders insert rows with raw SQL.
    confirmed_warnings = models.TextField("填报员已确认的异常提示", blank=True, default="", db_default="")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Two people may save the same report: saves are conditional on this (a clear conflict, no lost edit).
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["period", "project_id"]
        verbose_name = "月度进展"
        verbose_name_plural = "月度进展"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="report_project_period_unique",
                violation_error_message="该项目本月已有填报记录。",
            ),
            models.CheckConstraint(
                name="report_investment_not_negative",
                condition=Q(investment_completed__gte=0),
                violation_error_message="本月完成投资不能为负数。",
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="report_period_status_idx")]

    def __str__(self) -> str:
        return f"{self.project} · {self.period}"


def photo_path(instance: "ReportPhoto", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()
    stamp = f"{instance.uploaded_at:%Y%m%d%H%M%S%f}"
    return f"report_photos/{instance.report.period.month:%Y%m}/{instance.report_id}/{stamp}.{suffix}"


class ReportPhoto(models.Model):
    """A time-stamped site photo, stored outside the web root and served through an access-checked view."""

    report = models.ForeignKey(MonthlyReport, verbose_name="月度进展", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to=photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField("缩略图", upload_to="report_photos/thumbs/", blank=True)
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    original_name = models.CharField("原文件名", max_length=200)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    # Site evidence read from the photo's EXIF on upload, before the stored copy is re-encoded without it:
    # DateTimeOriginal (camera local time, read as Asia/Shanghai unless the photo gives its offset) and the GPS
    # position in decimal degrees (WGS-84, the datum of GPS; CGCS2000 differs by centimetres).
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    latitude = models.DecimalField("拍摄位置纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("拍摄位置经度", max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"

    def __str__(self) -> str:
        return self.original_name


class UnitPhotoSetting(models.Model):
    """A unit's choice about its site photos. By default the stored copy keeps no EXIF at all; a unit that keeps
    the location keeps the GPS position and the shooting time in the stored file (nothing else)."""

    unit = models.OneToOneField(
        "org.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="photo_setting"
    )
    keep_photo_location = models.BooleanField("照片保留拍摄位置", default=False)

    class Meta:
        verbose_name = "单位照片设置"
        verbose_name_plural = "单位照片设置"

    def __str__(self) -> str:
        return f"{self.unit}：{'保留' if self.keep_photo_location else '不保留'}照片拍摄位置"
