"""周调度 (weekly scheduling): which projects the office schedules weekly (a rule plus exceptions, stored as data),
the weekly deadline, and each scheduled project's weekly report with the coordination problems it raised.

Weekly figures feed nothing the monthly report owns: a weekly report carries no investment figure at all.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

WEEKDAY_LABELS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


class WeeklySettings(models.Model):
    """The office's weekly-scheduling settings (one row): the rule that selects the scheduled projects and the
    weekly deadline. A project is scheduled when it matches any rule flag or is on the include list, is not on
    the exclude list, and is not cancelled."""

    levels = models.JSONField("按项目级别", default=list, blank=True, help_text="projects.Level 代码的列表")
    with_leader = models.BooleanField("领导挂钩项目", default=False)
    tags = models.ManyToManyField("projects.Tag", verbose_name="按标签", blank=True, related_name="+")
    deadline_weekday = models.PositiveSmallIntegerField(
        "每周报送截止", default=4, help_text="0 = 星期一 … 6 = 星期日；遇节假日提前到此前最近的工作日"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Two coordinators may change the rule at once: saves are conditional on this (no lost update).
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "周调度设置"
        verbose_name_plural = "周调度设置"
        constraints = [
            models.CheckConstraint(
                name="weekly_deadline_weekday_0_6",
                condition=Q(deadline_weekday__gte=0, deadline_weekday__lte=6),
                violation_error_message="截止日应为星期一至星期日之一。",
            ),
        ]

    def __str__(self) -> str:
        return f"周调度设置（每周{WEEKDAY_LABELS[self.deadline_weekday]}截止）"


class ScopeEntry(models.Model):
    """An exception to the rule: a project hand-picked into (INCLUDE) or out of (EXCLUDE) weekly scheduling."""

    class Kind(models.TextChoices):
        INCLUDE = "INCLUDE", "手动列入"
        EXCLUDE = "EXCLUDE", "手动排除"

    project = models.OneToOneField(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="weekly_scope_entry"
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    added_at = models.DateTimeField("设置时间")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "project__unit__display_order", "project_id"]
        verbose_name = "周调度例外项目"
        verbose_name_plural = "周调度例外项目"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.project}"


class WeeklyReport(models.Model):
    """A scheduled project's report for one week (Monday to Sunday): progress, next week's plan, workers on site.
    Problems entered with it become coordination problems (WeeklyProblem links them)."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "草稿"
        SUBMITTED = "SUBMITTED", "已报送"
        RETURNED = "RETURNED", "已退回"

    project = models.ForeignKey(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="weekly_reports"
    )
    week_start = models.DateField("周一日期", db_index=True)
    progress_text = models.TextField("本周进展")
    next_week_plan = models.TextField("下周计划", blank=True)
    workers_on_site = models.PositiveIntegerField("现场施工人数", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    # The day of the first submission: a report first sent after the deadline stays late even when returned and
    # sent again; one sent on time stays on time.
    first_submitted_date = models.DateField("首次报送日期", null=True, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="退回人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # The unit's reporter and the office may save the same report: saves are conditional on this.
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-week_start", "project_id"]
        verbose_name = "周调度报告"
        verbose_name_plural = "周调度报告"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "week_start"],
                name="weekly_report_project_week_unique",
                violation_error_message="该项目本周已有周报。",
            ),
            models.CheckConstraint(
                name="weekly_report_returned_has_reason",
                condition=~Q(status="RETURNED") | ~Q(return_reason=""),
                violation_error_message="退回须填写原因。",
            ),
            models.CheckConstraint(
                name="weekly_report_submitted_has_date",
                condition=Q(status="DRAFT") | Q(first_submitted_date__isnull=False),
                violation_error_message="已报送的周报须有报送日期。",
            ),
        ]
        indexes = [models.Index(fields=["week_start", "status"], name="weekly_report_week_status_idx")]

    def __str__(self) -> str:
        year, week, _ = self.week_start.isocalendar()
        return f"{self.project} · {year}年第{week}周"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class WeeklyProblem(models.Model):
    """A coordination problem raised from a weekly report (the monthly report's problems point at their report
    from coordination; weekly is above coordination, so the link lives here)."""

    report = models.ForeignKey(
        WeeklyReport, verbose_name="周报", on_delete=models.CASCADE, related_name="problem_links"
    )
    problem = models.OneToOneField(
        "coordination.Problem", verbose_name="问题", on_delete=models.CASCADE, related_name="weekly_link"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "周报提出的问题"
        verbose_name_plural = "周报提出的问题"

    def __str__(self) -> str:
        return str(self.problem_id)
