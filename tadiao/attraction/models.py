"""招商引资: trips (外出招商), leads with their follow-up log, and the recognition (认定) of signed projects."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Rank(models.TextChoices):
    """The leading cadre's rank (职级), as the provincial tallies group it."""

    BUREAU = "BUREAU", "厅级"
    DIVISION = "DIVISION", "处级"
    SECTION = "SECTION", "科级"
    OTHER = "OTHER", "其他"


class Trip(models.Model):
    """One investment-attraction trip (外出招商) of a unit, led by a cadre."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="trips")
    departure_date = models.DateField("出发日期", db_index=True)
    return_date = models.DateField("返回日期")
    leading_cadre = models.CharField("带队领导", max_length=50)
    rank = models.CharField("职级", max_length=10, choices=Rank.choices)
    destination = models.CharField("目的地", max_length=100)
    firms_visited = models.TextField("拜访企业", blank=True)
    results = models.TextField("取得成果", blank=True)
    next_step = models.TextField("下一步工作", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # A unit's reporter and the office may edit the same trip: saves are conditional on this.
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-departure_date", "-id"]
        verbose_name = "外出招商"
        verbose_name_plural = "外出招商"
        constraints = [
            models.CheckConstraint(
                name="trip_return_not_before_departure",
                condition=Q(return_date__gte=F("departure_date")),
                violation_error_message="返回日期不能早于出发日期。",
            ),
            models.UniqueConstraint(
                fields=["unit", "departure_date", "leading_cadre", "destination"],
                name="trip_unit_day_cadre_destination_unique",
                violation_error_message="该单位已登记同一天由同一领导带队前往该地的外出招商。",
            ),
        ]
        indexes = [models.Index(fields=["unit", "departure_date"], name="trip_unit_departure_idx")]

    def __str__(self) -> str:
        return f"{self.leading_cadre}赴{self.destination}（{self.departure_date:%Y-%m-%d}）"


class Likelihood(models.TextChoices):
    HIGH = "HIGH", "高"
    MEDIUM = "MEDIUM", "中"
    LOW = "LOW", "低"


class Lead(models.Model):
    """An investment-attraction lead (招商线索): a project in talks (在谈) with its investor's intentions.

    The lead is open from `start_date` (talks began) until `closed_date` (lost, or signed). The date of the
    last follow-up is never stored: queries derive it from the follow-up log (Max), so it cannot go stale.
    """

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "在谈"
        LOST = "LOST", "已流失"
        SIGNED = "SIGNED", "已签约"

    project = models.OneToOneField(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="lead"
    )
    investor = models.CharField("投资方", max_length=200)
    intended_investment = models.DecimalField(
        "意向投资额（万元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    industry = models.ForeignKey(
        "projects.Industry", verbose_name="产业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    likelihood = models.CharField("签约可能性", max_length=8, choices=Likelihood.choices, default=Likelihood.MEDIUM)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    start_date = models.DateField("开始接洽日期")
    closed_date = models.DateField("结束日期", null=True, blank=True)
    lost_reason = models.CharField("流失原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["project__unit__display_order", "project_id"]
        verbose_name = "招商线索"
        verbose_name_plural = "招商线索"
        constraints = [
            models.CheckConstraint(
                name="lead_lost_has_reason",
                condition=~Q(status="LOST") | ~Q(lost_reason=""),
                violation_error_message="线索流失须填写原因。",
            ),
            models.CheckConstraint(
                name="lead_closed_iff_not_active",
                condition=(Q(status="ACTIVE") & Q(closed_date__isnull=True))
                | (~Q(status="ACTIVE") & Q(closed_date__isnull=False)),
                violation_error_message="已结束的线索须有结束日期，在谈的线索不能有结束日期。",
            ),
            models.CheckConstraint(
                name="lead_closed_not_before_start",
                condition=Q(closed_date__isnull=True) | Q(closed_date__gte=F("start_date")),
                violation_error_message="结束日期不能早于开始接洽日期。",
            ),
            models.CheckConstraint(
                name="lead_intended_investment_not_negative",
                condition=Q(intended_investment__isnull=True) | Q(intended_investment__gte=0),
                violation_error_message="意向投资额不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}（{self.investor}）"


class FollowUp(models.Model):
    """One entry of a lead's follow-up log (跟进记录): when, what, by whom."""

    lead = models.ForeignKey(Lead, verbose_name="线索", on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField("跟进日期")
    content = models.TextField("跟进情况")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "跟进记录"
        verbose_name_plural = "跟进记录"
        indexes = [models.Index(fields=["lead", "date"], name="followup_lead_date_idx")]

    def __str__(self) -> str:
        return f"{self.lead.project_id} · {self.date:%Y-%m-%d}"


class Recognition(models.Model):
    """The recognition (认定) of a signed project by the higher-level system. No row means pending (待认定)."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "待认定"
        RECOGNISED = "RECOGNISED", "已认定"
        REJECTED = "REJECTED", "不予认定"

    project = models.OneToOneField(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="recognition"
    )
    status = models.CharField("认定状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("原因", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="认定人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("认定时间", null=True)

    class Meta:
        ordering = ["project_id"]
        verbose_name = "签约项目认定"
        verbose_name_plural = "签约项目认定"
        constraints = [
            models.CheckConstraint(
                name="recognition_rejected_has_reason",
                condition=~Q(status="REJECTED") | ~Q(reason=""),
                violation_error_message="不予认定须填写原因。",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="recognition_status_idx")]

    def __str__(self) -> str:
        return f"{self.project}：{self.get_status_display()}"
