"""Rate definitions as data (a numerator and a denominator selection of projects) and targets per year."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from tadiao.indicators.selection import describe
from tadiao.lib.numbers import wan, yi
from tadiao.projects.models import Level


class RateDefinition(models.Model):
    """A rate: the projects selected by `denominator`, and among them those also selected by `numerator`.

    A selection is a JSON object of conditions, all of which must hold (see tadiao.indicators.selection).
    An INVESTMENT rate divides the year-to-date reported investment of the denominator set by its annual
    planned investment; its numerator selection is empty.
    """

    class Measure(models.TextChoices):
        COUNT = "COUNT", "项目个数"
        INVESTMENT = "INVESTMENT", "投资额"

    code = models.SlugField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=60)
    measure = models.CharField("口径", max_length=10, choices=Measure.choices, default=Measure.COUNT)
    numerator = models.JSONField("分子条件", default=dict, blank=True)
    denominator = models.JSONField("分母条件", default=dict, blank=True)
    description = models.CharField("说明", max_length=300, blank=True)
    is_builtin = models.BooleanField("内置", default=False)
    display_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = "比率定义"
        verbose_name_plural = "比率定义"

    def __str__(self) -> str:
        return self.name

    def numerator_text(self) -> str:
        """The numerator in words, e.g. "已达到开工阶段的项目" (no query)."""
        if self.measure == self.Measure.INVESTMENT:
            return f"{describe(self.denominator)}的本年累计完成投资"
        return describe(self.numerator)

    def denominator_text(self) -> str:
        if self.measure == self.Measure.INVESTMENT:
            return f"{describe(self.denominator)}的年度计划投资"
        return describe(self.denominator)

    def conditions_text(self) -> str:
        """"分子：已达到开工阶段的项目；分母：全部项目（省重点）"."""
        return f"分子：{self.numerator_text()}；分母：{self.denominator_text()}"


class TargetMeasure(models.TextChoices):
    """What a count or amount target measures (the rate of a RATE target is its `rate`)."""

    SIGNED = "SIGNED", "签约项目"
    APPROVED = "APPROVED", "立项项目"
    STARTED = "STARTED", "新开工项目"
    COMPLETED = "COMPLETED", "竣工项目"
    PRODUCING = "PRODUCING", "投产项目"
    PROJECT_INVESTMENT = "PROJECT_INVESTMENT", "重点项目完成投资"
    INDUSTRIAL_PROJECT_INVESTMENT = "INDUSTRIAL_PROJECT_INVESTMENT", "产业类项目完成投资"
    FUNDS_IN_PLACE = "FUNDS_IN_PLACE", "招商到位资金"
    FIXED_ASSET_INVESTMENT = "FIXED_ASSET_INVESTMENT", "固定资产投资"
    INDUSTRIAL_INVESTMENT = "INDUSTRIAL_INVESTMENT", "工业投资"


COUNT_MEASURES: tuple[str, ...] = (
    TargetMeasure.SIGNED,
    TargetMeasure.APPROVED,
    TargetMeasure.STARTED,
    TargetMeasure.COMPLETED,
    TargetMeasure.PRODUCING,
)


class Target(models.Model):
    """A year's target. RATE: a rate by a deadline, e.g. 省重点开工率 85% by 30 June 2026 (`rate`, `percent`).
    COUNT: a number of projects entering a stage in the year, e.g. 新开工 20 个 (`measure`, `value` in 个).
    AMOUNT: money in the year, e.g. 固定资产投资 840 亿元 (`measure`, `value` in 万元).
    Each for all projects, or a level, and/or one unit or one region (not both)."""

    class Kind(models.TextChoices):
        RATE = "RATE", "比率目标"
        COUNT = "COUNT", "个数目标"
        AMOUNT = "AMOUNT", "金额目标"

    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("目标类型", max_length=6, choices=Kind.choices, default=Kind.RATE)
    rate = models.ForeignKey(
        RateDefinition, verbose_name="指标", on_delete=models.CASCADE, related_name="targets", null=True, blank=True
    )
    measure = models.CharField("计量内容", max_length=32, choices=TargetMeasure.choices, blank=True)
    level = models.CharField("项目级别", max_length=12, choices=Level.choices, blank=True, help_text="留空表示全部级别")
    unit = models.ForeignKey(
        "org.Unit", verbose_name="责任单位", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(
        "org.Region", verbose_name="行政区划", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    deadline = models.DateField("时限")
    percent = models.DecimalField("目标值（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    value = models.DecimalField("目标值（个或万元）", max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["year", "-kind", "deadline", "rate__display_order", "measure", "level", "id"]  # rate, count, amount
        verbose_name = "目标"
        verbose_name_plural = "目标"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "rate", "level", "deadline"],
                condition=Q(kind="RATE", unit__isnull=True, region__isnull=True),
                name="target_unique",
                violation_error_message="该指标在该时限已有目标。",
            ),
            models.UniqueConstraint(
                fields=["year", "rate", "level", "unit", "deadline"],
                condition=Q(kind="RATE", unit__isnull=False),
                name="target_unit_unique",
                violation_error_message="该单位该指标在该时限已有目标。",
            ),
            models.UniqueConstraint(
                fields=["year", "rate", "level", "region", "deadline"],
                condition=Q(kind="RATE", region__isnull=False),
                name="target_region_unique",
                violation_error_message="该区划该指标在该时限已有目标。",
            ),
            models.UniqueConstraint(
                fields=["year", "measure", "level", "deadline"],
                condition=~Q(kind="RATE") & Q(unit__isnull=True, region__isnull=True),
                name="target_quantity_unique",
                violation_error_message="该计量内容在该时限已有目标。",
            ),
            models.UniqueConstraint(
                fields=["year", "measure", "level", "unit", "deadline"],
                condition=~Q(kind="RATE") & Q(unit__isnull=False),
                name="target_quantity_unit_unique",
                violation_error_message="该单位该计量内容在该时限已有目标。",
            ),
            models.UniqueConstraint(
                fields=["year", "measure", "level", "region", "deadline"],
                condition=~Q(kind="RATE") & Q(region__isnull=False),
                name="target_quantity_region_unique",
                violation_error_message="该区划该计量内容在该时限已有目标。",
            ),
            models.CheckConstraint(
                name="target_percent_0_100",
                condition=Q(percent__gte=Decimal("0"), percent__lte=Decimal("100")),
                violation_error_message="目标值应在 0–100 之间。",
            ),
            models.CheckConstraint(
                name="target_kind_fields",
                condition=Q(kind="RATE", rate__isnull=False, percent__isnull=False, measure="")
                | Q(kind__in=["COUNT", "AMOUNT"], rate__isnull=True, value__isnull=False, value__gte=Decimal("0"))
                & ~Q(measure=""),
                violation_error_message="比率目标须有指标和百分比；个数、金额目标须有计量内容和不小于 0 的目标值。",
            ),
            models.CheckConstraint(
                name="target_unit_or_region",
                condition=Q(unit__isnull=True) | Q(region__isnull=True),
                violation_error_message="目标只能针对一个单位或一个区划，不能同时指定。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.scope_text}{self.subject} {self.value_text}（{self.deadline:%m月%d日}前）"

    @property
    def subject(self) -> str:
        """What is targeted: the rate's name, or the measure's ("新开工项目")."""
        if self.kind == self.Kind.RATE:
            return self.rate.name if self.rate is not None else ""
        return str(TargetMeasure(self.measure).label) if self.measure else ""

    @property
    def scope_text(self) -> str:
        """"全部" / "省重点" / "城东街道" / "城东街道 省重点"."""
        parts = [str(p) for p in (self.unit, self.region) if p is not None]
        if self.level:
            parts.append(self.get_level_display())
        return " ".join(parts) or "全部"

    @property
    def unit_label(self) -> str:
        """The unit of the target, actual and gap: 个百分点 for a rate (the gap), 个, or 万元."""
        if self.kind == self.Kind.RATE:
            return "%"
        return "个" if self.kind == self.Kind.COUNT else "万元"

    @property
    def value_text(self) -> str:
        if self.kind == self.Kind.RATE:
            return f"{self.percent}%"
        if self.value is None:
            return ""
        if self.kind == self.Kind.COUNT:
            return f"{self.value:.0f} 个"
        return f"{yi(self.value)} 亿元" if self.value >= Decimal("10000") else f"{wan(self.value)} 万元"


class WarningRule(models.Model):
    """A warning (预警) rule: a measure of each project, yellow and red thresholds, an optional streak, a scope.

    Measures where a higher value is worse light yellow at value ≥ yellow and red at value > red; measures where a
    lower value is worse (the share of 序时进度) light yellow at value < yellow and red at value < red. With a streak
    of N months, red also needs the red condition to have held at the end of each of the last N months.
    """

    class Measure(models.TextChoices):
        DAYS_SIGNED_NOT_APPROVED = "DAYS_SIGNED_NOT_APPROVED", "签约后未立项天数"
        DAYS_APPROVED_NOT_STARTED = "DAYS_APPROVED_NOT_STARTED", "立项后未开工天数"
        DAYS_SIGNED_NOT_STARTED = "DAYS_SIGNED_NOT_STARTED", "签约后未开工天数"
        DAYS_PAST_PLANNED_START = "DAYS_PAST_PLANNED_START", "超过计划开工日期未开工天数"
        DAYS_PAST_PLANNED_STAGE = "DAYS_PAST_PLANNED_STAGE", "超过任一阶段计划日期未完成天数"
        DAYS_PAST_PLANNED_APPROVAL = "DAYS_PAST_PLANNED_APPROVAL", "前期手续超过计划办结日期天数"
        DAYS_COMPLETED_NOT_PRODUCING = "DAYS_COMPLETED_NOT_PRODUCING", "竣工后未投产天数"
        DAYS_BOND_UNSPENT = "DAYS_BOND_UNSPENT", "专项债额度下达后未支出天数"
        DAYS_LEAD_NO_FOLLOW_UP = "DAYS_LEAD_NO_FOLLOW_UP", "招商线索无跟进天数"
        POINTS_BEHIND_TIME_PROGRESS = "POINTS_BEHIND_TIME_PROGRESS", "年度投资完成率低于序时进度（百分点）"
        PERCENT_OF_TIME_PROGRESS = "PERCENT_OF_TIME_PROGRESS", "年度投资完成率占序时进度的比例（%）"

    code = models.SlugField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=60)
    measure = models.CharField("度量", max_length=40, choices=Measure.choices)
    yellow = models.DecimalField("黄灯阈值", max_digits=8, decimal_places=2, null=True, blank=True)
    red = models.DecimalField("红灯阈值", max_digits=8, decimal_places=2, null=True, blank=True)
    streak_months = models.PositiveSmallIntegerField("连续月数（红灯）", null=True, blank=True)
    levels = models.JSONField("适用级别", default=list, blank=True, help_text="留空表示全部级别")
    categories = models.JSONField("适用类别", default=list, blank=True, help_text="留空表示全部类别")
    is_builtin = models.BooleanField("内置", default=False)
    is_active = models.BooleanField("启用", default=True)
    display_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"
        constraints = [
            models.CheckConstraint(
                name="warning_rule_has_a_threshold",
                condition=Q(yellow__isnull=False) | Q(red__isnull=False),
                violation_error_message="黄灯、红灯阈值至少填写一个。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def lower_is_worse(self) -> bool:
        return self.measure == self.Measure.PERCENT_OF_TIME_PROGRESS

    @property
    def unit_label(self) -> str:
        if self.measure.startswith("DAYS_"):
            return "天"
        return "个百分点" if self.measure == self.Measure.POINTS_BEHIND_TIME_PROGRESS else "%"


class Snapshot(models.Model):
    """A closed month's indicators, rankings and warnings, frozen so later edits do not change what was published."""

    period = models.OneToOneField(
        "reporting.Period", verbose_name="月份", on_delete=models.PROTECT, related_name="snapshot"
    )
    as_of = models.DateField("统计日期")
    data = models.JSONField("数据")
    created_at = models.DateTimeField("生成时间")
    created_by = models.ForeignKey(
        "org.User", verbose_name="生成人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-as_of"]
        verbose_name = "指标快照"
        verbose_name_plural = "指标快照"

    def __str__(self) -> str:
        return f"{self.period}快照"


class AssessmentScheme(models.Model):
    """A quarterly assessment (季考评) scheme: scored items with weights, and how many of the bottom units are named
    for 约谈. The scheme used for a year is the active one for that year, else the active one with no year (通用).

    Scoring itself lives in tadiao.indicators.assessment; `version` guards against two coordinators' lost updates.
    """

    name = models.CharField("方案名称", max_length=60)
    year = models.PositiveSmallIntegerField("适用年度", null=True, blank=True, help_text="留空表示各年度通用")
    bottom_n = models.PositiveSmallIntegerField("约谈名额（末位 N 名）", default=3)
    unit_kinds = models.JSONField("参加考评的单位类型", default=list, blank=True, help_text="留空表示全部类型")
    description = models.CharField("说明", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-is_active", "-year", "id"]
        verbose_name = "考评方案"
        verbose_name_plural = "考评方案"

    def __str__(self) -> str:
        return f"{self.name}（{self.year}年）" if self.year else self.name


class AssessmentItem(models.Model):
    """One scored item of a scheme. BASE items are the 基础分 (their weights sum to 100); a BONUS item adds at most
    its weight, a DEDUCTION item subtracts at most its weight. `rule` says which measure of the snapshot the item
    reads and how it scores (validated by tadiao.indicators.assessment.validate_rule)."""

    class Kind(models.TextChoices):
        BASE = "BASE", "基础分"
        BONUS = "BONUS", "加分项"
        DEDUCTION = "DEDUCTION", "扣分项"

    scheme = models.ForeignKey(AssessmentScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="items")
    name = models.CharField("考评项目", max_length=30)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.BASE)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2)
    rule = models.JSONField("计分规则", default=dict)
    display_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = "考评项目"
        verbose_name_plural = "考评项目"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "name"],
                name="assessment_item_unique_name",
                violation_error_message="考评项目名称重复。",
            ),
            models.CheckConstraint(
                name="assessment_item_weight_positive",
                condition=Q(weight__gt=Decimal("0")),
                violation_error_message="分值应大于 0。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}分）"
