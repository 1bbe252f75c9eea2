"""The project registry: projects, their lifecycle, approvals checklist, annual plans, funding and tags."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

PROJECT_CODE_RE = r"^[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{6}$"
INDUSTRY_CODE_RE = r"^[A-T]([0-9]{2}([0-9]{1,2})?)?$"
HUNDRED_MILLION = Decimal("10000")  # 1 亿元 = 10 000 万元
BILLION = Decimal("100000")  # 10 亿元

project_code_validator = RegexValidator(
    PROJECT_CODE_RE,
    "项目代码格式应为 NNNN-NNNNNN-NN-NN-NNNNNN（24 位，含 4 个连字符），例如 2024-330182-04-01-123456。",
)
industry_code_validator = RegexValidator(
    INDUSTRY_CODE_RE, "国民经济行业代码（GB/T 4754）应为门类字母加 2–4 位数字，例如 C3562。"
)


class Stage(models.TextChoices):
    """Lifecycle stages in order; not every project passes every stage."""

    RESERVE = "RESERVE", "谋划储备"
    NEGOTIATING = "NEGOTIATING", "在谈"
    SIGNED = "SIGNED", "签约"
    APPROVED = "APPROVED", "立项"
    STARTED = "STARTED", "开工"
    COMPLETED = "COMPLETED", "竣工"
    PRODUCING = "PRODUCING", "投产"
    AT_CAPACITY = "AT_CAPACITY", "达产"


STAGE_ORDER: list[str] = list(Stage.values)
# Each stage's actual and planned date columns on Project.
STAGE_DATE_FIELD: dict[str, str] = {
    Stage.RESERVE: "reserve_date",
    Stage.NEGOTIATING: "negotiating_date",
    Stage.SIGNED: "signed_date",
    Stage.APPROVED: "approved_date",
    Stage.STARTED: "started_date",
    Stage.COMPLETED: "completed_date",
    Stage.PRODUCING: "producing_date",
    Stage.AT_CAPACITY: "at_capacity_date",
}
STAGE_PLANNED_FIELD = {stage: f"planned_{field}" for stage, field in STAGE_DATE_FIELD.items()}


def stage_rank(stage: str) -> int:
    return STAGE_ORDER.index(stage)


class Level(models.TextChoices):
    NATIONAL = "NATIONAL", "国家重点"
    PROVINCIAL = "PROVINCIAL", "省重点"
    CITY = "CITY", "市重点"
    COUNTY = "COUNTY", "县区重点"
    GENERAL = "GENERAL", "一般"


class Category(models.TextChoices):
    INDUSTRY = "INDUSTRY", "产业"
    INFRASTRUCTURE = "INFRASTRUCTURE", "基础设施"
    SOCIAL = "SOCIAL", "社会民生"
    URBAN = "URBAN", "城建"
    HEADQUARTERS = "HEADQUARTERS", "总部经济"
    AGRICULTURE = "AGRICULTURE", "农业"
    SERVICE = "SERVICE", "服务业"
    ECOLOGY = "ECOLOGY", "生态环保"


class Nature(models.TextChoices):
    NEW = "NEW", "新建"
    EXPANSION = "EXPANSION", "扩建"
    RENOVATION = "RENOVATION", "改建"
    CONTINUING = "CONTINUING", "续建"


class Industry(models.Model):
    """A leading-industry tag (主导产业), configurable per deployment."""

    name = models.CharField("产业名称", max_length=50, unique=True)
    display_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = "主导产业"
        verbose_name_plural = "主导产业"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free project tag (智能化改造, 专项债 …). 亿元以上 / 10亿元以上 are derived, not stored."""

    name = models.CharField("标签", max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "标签"
        verbose_name_plural = "标签"

    def __str__(self) -> str:
        return self.name


DERIVED_TAGS = {"亿元以上": HUNDRED_MILLION, "10亿元以上": BILLION}


class ApprovalKind(models.Model):
    """One item of the pre-construction approvals checklist (前期手续), configurable."""

    name = models.CharField("手续名称", max_length=50, unique=True)
    display_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    # Checked when a project moves to 开工: a reporter may not start a project before these are 已办结 or 容缺受理.
    required_before_start = models.BooleanField("开工前须办结", default=False)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = "前期手续事项"
        verbose_name_plural = "前期手续事项"

    def __str__(self) -> str:
        return self.name


def _money(verbose: str, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=16, decimal_places=2, **kwargs)


def status_label(*, is_cancelled: bool, is_suspended: bool) -> str:
    """项目状态 from the two flags (a value row of the ledger export has no instance to ask)."""
    if is_cancelled:
        return "终止"
    if is_suspended:
        return "停工"
    return "正常"


class Project(models.Model):
    """A key project (重点项目) with its stage, flags and the planned/actual date of every stage."""

    code = models.CharField("项目代码", max_length=24, blank=True, validators=[project_code_validator])
    name = models.CharField("项目名称", max_length=200)
    investor = models.CharField("项目单位（投资企业）", max_length=200, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="projects")
    supervising_department = models.ForeignKey(
        "org.Unit",
        verbose_name="主管部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_projects",
    )
    leader = models.ForeignKey(
        "org.Leader", verbose_name="联系领导", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    level = models.CharField("项目级别", max_length=12, choices=Level.choices, default=Level.COUNTY)
    category = models.CharField("项目类别", max_length=16, choices=Category.choices, default=Category.INDUSTRY)
    industry = models.ForeignKey(
        Industry, verbose_name="主导产业", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    industry_code = models.CharField("国民经济行业代码", max_length=5, blank=True, validators=[industry_code_validator])
    nature = models.CharField("建设性质", max_length=12, choices=Nature.choices, default=Nature.NEW)
    total_investment = _money("总投资（万元）", default=Decimal("0"))
    funding_source = models.CharField("资金来源", max_length=100, blank=True)
    investor_origin = models.CharField("投资方来源地", max_length=50, blank=True)
    land_area = models.DecimalField("用地（亩）", max_digits=12, decimal_places=2, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    content = models.TextField("建设内容", blank=True)
    in_statistics = models.BooleanField("入库纳统", default=False)
    statistics_month = models.DateField("纳统月份", null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="projects")

    stage = models.CharField("当前阶段", max_length=12, choices=Stage.choices, default=Stage.RESERVE, db_index=True)
    is_suspended = models.BooleanField("停工", default=False)
    suspended_reason = models.CharField("停工原因", max_length=200, blank=True)
    is_cancelled = models.BooleanField("终止", default=False)
    cancelled_reason = models.CharField("终止原因", max_length=200, blank=True)

    reserve_date = models.DateField("入库储备日期", null=True, blank=True)
    negotiating_date = models.DateField("在谈日期", null=True, blank=True)
    signed_date = models.DateField("签约日期", null=True, blank=True, db_index=True)
    approved_date = models.DateField("立项（备案）日期", null=True, blank=True, db_index=True)
    started_date = models.DateField("开工日期", null=True, blank=True, db_index=True)
    completed_date = models.DateField("竣工日期", null=True, blank=True, db_index=True)
    producing_date = models.DateField("投产日期", null=True, blank=True)
    at_capacity_date = models.DateField("达产日期", null=True, blank=True)
    planned_reserve_date = models.DateField("计划入库日期", null=True, blank=True)
    planned_negotiating_date = models.DateField("计划在谈日期", null=True, blank=True)
    planned_signed_date = models.DateField("计划签约日期", null=True, blank=True)
    planned_approved_date = models.DateField("计划立项日期", null=True, blank=True)
    planned_started_date = models.DateField("计划开工日期", null=True, blank=True)
    planned_completed_date = models.DateField("计划竣工日期", null=True, blank=True)
    planned_producing_date = models.DateField("计划投产日期", null=True, blank=True)
    planned_at_capacity_date = models.DateField("计划达产日期", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Two officials may edit the same project: saves are conditional on this (no lost update).
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["unit__display_order", "id"]
        verbose_name = "项目"
        verbose_name_plural = "项目"
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="project_code_unique",
                violation_error_message="该项目代码已被其他项目使用。",
            ),
            models.UniqueConstraint(
                fields=["name", "unit"],
                name="project_name_unit_unique",
                violation_error_message="该责任单位下已有同名项目。",
            ),
            models.CheckConstraint(
                name="project_total_investment_not_negative",
                violation_error_message="总投资不能为负数。",
                condition=Q(total_investment__gte=0),
            ),
            models.CheckConstraint(
                name="project_land_not_negative",
                violation_error_message="用地面积不能为负数。",
                condition=Q(land_area__isnull=True) | Q(land_area__gte=0),
            ),
            models.CheckConstraint(
                name="project_code_shape",
                violation_error_message="项目代码格式不正确。",
                condition=Q(code="") | Q(code__regex=PROJECT_CODE_RE),
            ),
            models.CheckConstraint(
                name="project_started_not_before_signed",
                violation_error_message="开工日期不能早于签约日期。",
                condition=Q(started_date__isnull=True)
                | Q(signed_date__isnull=True)
                | Q(started_date__gte=F("signed_date")),
            ),
            models.CheckConstraint(
                name="project_completed_not_before_started",
                violation_error_message="竣工日期不能早于开工日期。",
                condition=Q(completed_date__isnull=True)
                | Q(started_date__isnull=True)
                | Q(completed_date__gte=F("started_date")),
            ),
        ]
        indexes = [models.Index(fields=["unit", "stage"], name="project_unit_stage_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def derived_tags(self) -> list[str]:
        return [name for name, floor in DERIVED_TAGS.items() if self.total_investment >= floor]

    @property
    def status_label(self) -> str:
        return status_label(is_cancelled=self.is_cancelled, is_suspended=self.is_suspended)

    def stage_date(self, stage: str) -> datetime.date | None:
        return getattr(self, STAGE_DATE_FIELD[stage])

    def planned_stage_date(self, stage: str) -> datetime.date | None:
        return getattr(self, STAGE_PLANNED_FIELD[stage])


class StageTransition(models.Model):
    """One recorded change of a project's stage or flags: who, when, which date was entered and why."""

    class Kind(models.TextChoices):
        ADVANCE = "ADVANCE", "推进"
        ROLLBACK = "ROLLBACK", "回退"
        SUSPEND = "SUSPEND", "停工"
        RESUME = "RESUME", "复工"
        CANCEL = "CANCEL", "终止"
        RESTORE = "RESTORE", "恢复建设"
        IMPORT = "IMPORT", "导入"

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="transitions")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    from_stage = models.CharField("原阶段", max_length=12, choices=Stage.choices)
    to_stage = models.CharField("新阶段", max_length=12, choices=Stage.choices)
    actual_date = models.DateField("实际日期", null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("记录时间")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "阶段变更"
        verbose_name_plural = "阶段变更"

    def __str__(self) -> str:
        return (
            f"{self.project}: {self.get_kind_display()} {self.get_from_stage_display()}→{self.get_to_stage_display()}"
        )


class ProjectApproval(models.Model):
    """The state of one approvals-checklist item for one project."""

    class Status(models.TextChoices):
        NOT_STARTED = "NOT_STARTED", "未办"
        IN_PROGRESS = "IN_PROGRESS", "办理中"
        DONE = "DONE", "已办结"
        ACCEPTED_WITH_GAPS = "WITH_GAPS", "容缺受理"

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="approvals")
    kind = models.ForeignKey(ApprovalKind, verbose_name="手续", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    department = models.CharField("办理部门", max_length=100, blank=True)
    planned_date = models.DateField("计划办结日期", null=True, blank=True)
    applied_date = models.DateField("申报日期", null=True, blank=True)
    completed_date = models.DateField("办结日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["kind__display_order", "kind_id"]
        verbose_name = "前期手续"
        verbose_name_plural = "前期手续"
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="approval_project_kind_unique"),
            models.CheckConstraint(
                name="approval_completed_not_before_applied",
                condition=Q(completed_date__isnull=True)
                | Q(applied_date__isnull=True)
                | Q(completed_date__gte=F("applied_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.kind}"

    @property
    def days_taken(self) -> int | None:
        if self.applied_date and self.completed_date:
            return (self.completed_date - self.applied_date).days
        return None


class AnnualPlan(models.Model):
    """A project's plan for one year: planned investment (万元) and the stage dates planned that year."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="annual_plans")
    year = models.PositiveSmallIntegerField("年度")
    planned_investment = _money("年度计划投资（万元）")
    planned_start_date = models.DateField("年度计划开工日期", null=True, blank=True)
    planned_completion_date = models.DateField("年度计划竣工日期", null=True, blank=True)
    goal = models.CharField("年度建设目标", max_length=300, blank=True)

    class Meta:
        ordering = ["project_id", "year"]
        verbose_name = "年度计划"
        verbose_name_plural = "年度计划"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="annual_plan_project_year_unique",
                violation_error_message="该项目该年度的计划已存在。",
            ),
            models.CheckConstraint(name="annual_plan_investment_not_negative", condition=Q(planned_investment__gte=0)),
            models.CheckConstraint(name="annual_plan_year_sane", condition=Q(year__gte=2000, year__lte=2100)),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年"


class FundingSource(models.TextChoices):
    CENTRAL_BUDGET = "CENTRAL_BUDGET", "中央预算内"
    SPECIAL_BOND = "SPECIAL_BOND", "专项债"
    LOCAL_FISCAL = "LOCAL_FISCAL", "地方财政"
    BANK_LOAN = "BANK_LOAN", "银行贷款"
    SELF_RAISED = "SELF_RAISED", "企业自筹"


class ProjectFunding(models.Model):
    """Funding of a project from one source: planned, in place and spent (万元)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="fundings")
    source = models.CharField("资金来源", max_length=16, choices=FundingSource.choices)
    planned = _money("计划（万元）", default=Decimal("0"))
    in_place = _money("到位（万元）", default=Decimal("0"))
    spent = _money("已支出（万元）", default=Decimal("0"))

    class Meta:
        ordering = ["project_id", "source"]
        verbose_name = "资金来源"
        verbose_name_plural = "资金来源"
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="funding_project_source_unique"),
            models.CheckConstraint(
                name="funding_amounts_not_negative", condition=Q(planned__gte=0, in_place__gte=0, spent__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_source_display()}"


class Batch(models.Model):
    """A numbered period (第N期) of the "三个一批" campaign (签约一批、开工一批、投产一批)."""

    number = models.PositiveIntegerField("期数", unique=True)
    date = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = "三个一批期次"
        verbose_name_plural = "三个一批期次"

    def __str__(self) -> str:
        return f"第{self.number}期"


class BatchEntry(models.Model):
    """A project entered into a batch as one of the three kinds; a project can be in several batches."""

    class Kind(models.TextChoices):
        SIGN = "SIGN", "签约一批"
        START = "START", "开工一批"
        PRODUCE = "PRODUCE", "投产一批"

    batch = models.ForeignKey(Batch, verbose_name="期次", on_delete=models.PROTECT, related_name="entries")
    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="batch_entries")
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)

    class Meta:
        ordering = ["batch__number", "kind", "project_id"]
        verbose_name = "三个一批项目"
        verbose_name_plural = "三个一批项目"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "project", "kind"],
                name="batch_entry_unique",
                violation_error_message="该项目已列入本期同一类别。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch}{self.get_kind_display()}：{self.project}"


class BondBatch(models.Model):
    """A batch of special-purpose bonds (专项债), e.g. 2023年提前批."""

    name = models.CharField("批次名称", max_length=50, unique=True)
    year = models.PositiveSmallIntegerField("年度")

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = "专项债批次"
        verbose_name_plural = "专项债批次"

    def __str__(self) -> str:
        return self.name


class BondApplication(models.Model):
    """A project's special-bond application in one batch: requested, quota issued (下达额度), spent, in 万元."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="bond_applications"
    )
    batch = models.ForeignKey(BondBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="applications")
    requested = _money("申报金额（万元）", default=Decimal("0"))
    issued = _money("下达额度（万元）", default=Decimal("0"))
    issued_date = models.DateField("下达日期", null=True, blank=True)
    spent = _money("已支出（万元）", default=Decimal("0"))
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["batch", "project_id"]
        verbose_name = "专项债项目"
        verbose_name_plural = "专项债项目"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "batch"],
                name="bond_application_unique",
                violation_error_message="该项目在本批次已有专项债记录。",
            ),
            models.CheckConstraint(
                name="bond_amounts_not_negative",
                condition=Q(requested__gte=0, issued__gte=0, spent__gte=0),
                violation_error_message="金额不能为负数。",
            ),
            models.CheckConstraint(
                name="bond_spent_within_issued",
                condition=Q(spent__lte=F("issued")),
                violation_error_message="已支出不能超过下达额度。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.batch}"
