"""Rate definitions as data (a numerator and a denominator selection of projects) and targets per year."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

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

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = "比率定义"
        verbose_name_plural = "比率定义"

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A target for a rate: e.g. 省重点开工率 85% by 30 June 2026."""

    year = models.PositiveSmallIntegerField("年度")
    rate = models.ForeignKey(RateDefinition, verbose_name="指标", on_delete=models.CASCADE, related_name="targets")
    level = models.CharField("项目级别", max_length=12, choices=Level.choices, blank=True, help_text="留空表示全部级别")
    deadline = models.DateField("时限")
    percent = models.DecimalField("目标值（%）", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["year", "deadline", "rate__display_order", "level"]
        verbose_name = "目标"
        verbose_name_plural = "目标"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "rate", "level", "deadline"],
                name="target_unique",
                violation_error_message="该指标在该时限已有目标。",
            ),
            models.CheckConstraint(
                name="target_percent_0_100",
                condition=Q(percent__gte=Decimal("0"), percent__lte=Decimal("100")),
                violation_error_message="目标值应在 0–100 之间。",
            ),
        ]

    def __str__(self) -> str:
        level = self.get_level_display() if self.level else "全部"
        return f"{self.year}年 {level}{self.rate.name} {self.percent}%（{self.deadline:%m月%d日}前）"
