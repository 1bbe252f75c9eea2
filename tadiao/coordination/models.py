"""问题协调与督办: problems (问题/诉求) and supervision items (督办事项) — one tracked-item model, so that both
are assigned, replied to, escalated and closed by the same code — with their replies, history, attachments
and leaders' instructions; meetings; the working-day calendar and the coordinator's settings."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    LAND = "LAND", "用地"
    FUNDS = "FUNDS", "资金"
    ENERGY = "ENERGY", "能耗"
    ENVIRONMENT = "ENVIRONMENT", "环境容量"
    APPROVAL = "APPROVAL", "审批手续"
    UTILITIES = "UTILITIES", "水电气"
    DEMOLITION = "DEMOLITION", "征地拆迁"
    CONSTRUCTION = "CONSTRUCTION", "施工组织"
    LABOUR = "LABOUR", "用工"
    OTHER = "OTHER", "其他"


# The default time limit (限时办结, working days) per category, until the coordinator changes it.
DEFAULT_WORKING_DAYS = {
    Category.LAND: 15,
    Category.FUNDS: 10,
    Category.ENERGY: 15,
    Category.ENVIRONMENT: 15,
    Category.APPROVAL: 10,
    Category.UTILITIES: 5,
    Category.DEMOLITION: 20,
    Category.CONSTRUCTION: 5,
    Category.LABOUR: 5,
    Category.OTHER: 10,
}


class Level(models.IntegerChoices):
    UNIT = 1, "一级：责任单位"
    LEADER = 2, "二级：分管领导"
    HEADQUARTERS = 3, "三级：指挥部/主要领导"
    UPWARD = 4, "四级：上报上级"


class Status(models.TextChoices):
    PENDING = "PENDING", "待受理"
    IN_PROGRESS = "IN_PROGRESS", "办理中"
    RESOLVED = "RESOLVED", "已办结"
    CLOSED = "CLOSED", "已销号"
    RETURNED = "RETURNED", "退回"


OPEN_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.RETURNED)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Problem(models.Model):
    """A problem raised from a project (问题/诉求), or a supervision item decided at a meeting (督办事项).

    `lead_unit` handles it, `helping_units` help; the raising side (`raised_by_unit`) confirms the result
    (销号). The deadline counts working days on the official calendar. `resolved_date` is the day it was last
    resolved (办结), cleared when the raising side reopens it.
    """

    class Kind(models.TextChoices):
        PROBLEM = "PROBLEM", "问题诉求"
        SUPERVISION = "SUPERVISION", "督办事项"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.PROBLEM)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    report = models.ForeignKey(
        "reporting.MonthlyReport",
        verbose_name="来源月报",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    meeting = models.ForeignKey(
        "coordination.Meeting",
        verbose_name="来源会议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_items",
    )
    title = models.CharField("标题", max_length=200)
    category = models.CharField("问题类别", max_length=16, choices=Category.choices, default=Category.OTHER)
    description = models.TextField("问题描述")
    raised_by_unit = models.ForeignKey(
        "org.Unit", verbose_name="提出单位", on_delete=models.PROTECT, related_name="raised_problems"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_date = models.DateField("提出日期", db_index=True)
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_problems"
    )
    helping_units = models.ManyToManyField(
        "org.Unit", verbose_name="配合单位", blank=True, related_name="helped_problems"
    )
    # A unit's reporter may propose another unit to lead; until the office confirms it (受理 or 交办) the raising
    # unit stays the lead of record and the proposed unit is not yet asked to act.
    proposed_lead_unit = models.ForeignKey(
        "org.Unit", verbose_name="建议牵头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField("办结时限", db_index=True)
    # The time limit first given at assignment: 按期办结 is judged against it, not against the later deadlines
    # an escalation or an extension sets.
    first_deadline = models.DateField("初始办结时限")
    level = models.PositiveSmallIntegerField("协调层级", choices=Level.choices, default=Level.UNIT)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    resolved_date = models.DateField("办结日期", null=True, blank=True)
    closed_date = models.DateField("销号日期", null=True, blank=True)
    # Set when an overdue item waits for the coordinator's decision (setting "标记待定" or already at level 4).
    needs_decision = models.BooleanField("超期待决定", default=False)
    # The deadline a due-soon reminder was sent for: one reminder per deadline, however often the job runs.
    reminded_for = models.DateField("已临期提醒的时限", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # The handling unit, the raising unit and the office act on the same row: writes are conditional on this.
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-raised_date", "-id"]
        verbose_name = "问题诉求"
        verbose_name_plural = "问题诉求"
        constraints = [
            models.CheckConstraint(
                name="problem_has_project_unless_supervision",
                condition=Q(kind="SUPERVISION") | Q(project__isnull=False),
                violation_error_message="问题诉求须关联项目。",
            ),
            models.CheckConstraint(
                name="problem_level_1_to_4",
                condition=Q(level__gte=1, level__lte=4),
                violation_error_message="协调层级应为 1–4。",
            ),
            models.CheckConstraint(
                name="problem_returned_has_reason",
                condition=~Q(status="RETURNED") | ~Q(return_reason=""),
                violation_error_message="退回须填写原因。",
            ),
            models.CheckConstraint(
                name="problem_done_has_resolved_date",
                condition=~Q(status__in=["RESOLVED", "CLOSED"]) | Q(resolved_date__isnull=False),
                violation_error_message="已办结的问题须有办结日期。",
            ),
            models.CheckConstraint(
                name="problem_closed_has_date",
                condition=~Q(status="CLOSED") | Q(closed_date__isnull=False),
                violation_error_message="已销号的问题须有销号日期。",
            ),
            models.CheckConstraint(
                name="problem_deadline_not_before_raised",
                condition=Q(deadline__gte=models.F("raised_date")),
                violation_error_message="办结时限不能早于提出日期。",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_unit", "status"], name="problem_lead_status_idx"),
            models.Index(fields=["kind", "status", "deadline"], name="problem_kind_status_dl_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        """Open and past the time limit first given: a later deadline (escalation, extension) does not make it on
        time again (the same rule as queries.overdue_on)."""
        return self.is_open and self.first_deadline < today


class ProblemEvent(models.Model):
    """One transition in a problem's history (流转记录): status and level before and after, by whom, why."""

    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("操作说明", max_length=30)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    from_level = models.PositiveSmallIntegerField("原层级", null=True)
    to_level = models.PositiveSmallIntegerField("新层级", null=True)
    note = models.TextField("说明", blank=True)
    date = models.DateField("日期")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        indexes = [models.Index(fields=["problem", "action", "date"], name="problemevent_action_date_idx")]

    def __str__(self) -> str:
        return f"{self.problem_id} · {self.label}"


class Reply(models.Model):
    """A reply (办理情况/反馈) by the handling side or the raising side, with author and time."""

    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="replies")
    unit = models.ForeignKey("org.Unit", verbose_name="单位", null=True, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回复人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.TextField("内容")
    at = models.DateTimeField("回复时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "办理回复"
        verbose_name_plural = "办理回复"

    def __str__(self) -> str:
        return f"{self.problem_id} · {self.author}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"problem_files/{instance.problem_id}/{instance.uploaded_at:%Y%m%d%H%M%S%f}.{suffix}"


class Attachment(models.Model):
    """A file attached to a problem, kept under MEDIA_ROOT (outside the web root), served by an access-checked
    view."""

    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.original_name


class Instruction(models.Model):
    """A leader's instruction (领导批示) on a problem or on a project."""

    problem = models.ForeignKey(
        Problem, verbose_name="问题", null=True, blank=True, on_delete=models.CASCADE, related_name="instructions"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="项目",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="instructions",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批示领导", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.TextField("批示内容")
    at = models.DateTimeField("批示时间", auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        constraints = [
            models.CheckConstraint(
                name="instruction_on_problem_xor_project",
                condition=(Q(problem__isnull=False) & Q(project__isnull=True))
                | (Q(problem__isnull=True) & Q(project__isnull=False)),
                violation_error_message="批示须针对一个问题或一个项目。",
            ),
        ]

    def __str__(self) -> str:
        return self.content[:30]


class Meeting(models.Model):
    """A meeting (周例会/月例会/调度会): its agenda and minutes; its decisions are supervision items."""

    class Kind(models.TextChoices):
        WEEKLY = "WEEKLY", "周例会"
        MONTHLY = "MONTHLY", "月例会"
        DISPATCH = "DISPATCH", "调度会"

    date = models.DateField("会议日期", db_index=True)
    kind = models.CharField("会议类型", max_length=10, choices=Kind.choices)
    title = models.CharField("会议名称", max_length=200)
    chair = models.ForeignKey(
        "org.Leader", verbose_name="主持领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField("地点", max_length=100, blank=True)
    attendees = models.TextField("参会人员", blank=True)
    attendee_units = models.ManyToManyField("org.Unit", verbose_name="参会单位", blank=True, related_name="+")
    minutes = models.TextField("会议纪要", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "会议"
        verbose_name_plural = "会议"

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """One agenda item (议题), possibly about a problem, a project or a unit."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField("序号")
    text = models.CharField("议题", max_length=300)
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "议题"
        verbose_name_plural = "议题"

    def __str__(self) -> str:
        return self.text


class WorkdayAdjustment(models.Model):
    """An exception to "Monday–Friday are working days": a holiday (is_workday False) or a 调休 working
    weekend day (True). Seeded with the State Council's schedules; the coordinator edits it."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否上班")
    note = models.CharField("说明", max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'}"


class CategoryDeadline(models.Model):
    """The default time limit of a category in working days, set by the coordinator."""

    category = models.CharField("问题类别", max_length=16, choices=Category.choices, unique=True)
    working_days = models.PositiveSmallIntegerField("办结时限（工作日）")

    class Meta:
        ordering = ["category"]
        verbose_name = "办结时限"
        verbose_name_plural = "办结时限"
        constraints = [
            models.CheckConstraint(
                name="category_deadline_1_to_250",
                condition=Q(working_days__gte=1, working_days__lte=250),
                violation_error_message="办结时限应为 1–250 个工作日。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.working_days}个工作日"


class CoordinationSettings(models.Model):
    """The coordinator's settings (one row): what happens to an overdue item, and how soon is "due soon"."""

    class OverdueAction(models.TextChoices):
        ESCALATE = "ESCALATE", "自动升级一级"
        FLAG = "FLAG", "标记超期，由调度员决定"

    overdue_action = models.CharField(
        "超期处理", max_length=10, choices=OverdueAction.choices, default=OverdueAction.ESCALATE
    )
    due_soon_days = models.PositiveSmallIntegerField("临期提醒（工作日）", default=2)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "问题协调设置"
        verbose_name_plural = "问题协调设置"
        constraints = [models.CheckConstraint(name="coordination_settings_singleton", condition=Q(pk=1))]

    def __str__(self) -> str:
        return "问题协调设置"
