"""Regional economic indicators (经济指标对标): the cumulative figures of each region and the year's target growth.

A figure is cumulative over months 1—N of a year (1—10月 is year 2024, month 10): the value so far this year and its
growth on the same months of last year, in percent.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Indicator(models.TextChoices):
    """The five indicators, in the order every table lists them."""

    GDP = "GDP", "GDP"
    BUDGET_REVENUE = "BUDGET_REVENUE", "一般公共预算收入"
    INDUSTRIAL_VALUE_ADDED = "INDUSTRIAL_VALUE_ADDED", "规上工业增加值"
    FIXED_ASSET_INVESTMENT = "FIXED_ASSET_INVESTMENT", "固定资产投资"
    INDUSTRIAL_INVESTMENT = "INDUSTRIAL_INVESTMENT", "工业投资"


# The unit of each indicator's value: statistical releases give GDP and the like in 亿元, fiscal revenue in 万元
# (a town's revenue in 亿元 would read 0.85).
INDICATOR_UNITS: dict[str, str] = {
    Indicator.GDP: "亿元",
    Indicator.BUDGET_REVENUE: "万元",
    Indicator.INDUSTRIAL_VALUE_ADDED: "亿元",
    Indicator.FIXED_ASSET_INVESTMENT: "亿元",
    Indicator.INDUSTRIAL_INVESTMENT: "亿元",
}
INDICATOR_ORDER: dict[str, int] = {code: index for index, code in enumerate(Indicator.values)}

MIN_YEAR, MAX_YEAR = 2000, 2100
# A growth rate cannot fall below −100% (the value cannot become negative).
MIN_GROWTH = -100


def _growth_field(label: str, **kwargs) -> models.DecimalField:
    # Percent with up to two decimals (6.5, −3.25); five digits before the point covers any real growth.
    return models.DecimalField(label, max_digits=7, decimal_places=2, **kwargs)


class Figure(models.Model):
    """One indicator of one region for one cumulative period (1—N月): value, growth and provincial rank.

    **The parent region's growth** (上级增速, e.g. the county's growth that a town is compared with) is, in this
    order: `parent_growth` when it is entered on the row itself (the entry form's and the sheet's 上级增速), else
    the growth entered for the parent region (`region.parent`) for the same period and indicator. Entering the
    county as a region of its own serves every town below it; `parent_growth` serves the top region of the
    deployment, whose parent (the city) is not kept in the system, and any figure whose parent's release differs.
    """

    region = models.ForeignKey("org.Region", verbose_name="行政区划", on_delete=models.PROTECT,
                               related_name="economic_figures")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("截至月份")
    indicator = models.CharField("指标", max_length=24, choices=Indicator.choices)
    value = models.DecimalField("本期累计值", max_digits=16, decimal_places=2)
    growth = _growth_field("增速（%）")
    parent_growth = _growth_field("上级增速（%）", null=True, blank=True)
    provincial_rank = models.PositiveSmallIntegerField("全省排名", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Two officials of the office may correct the same figure: saves are conditional on this.
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["region__code", "-year", "-month", "indicator"]
        verbose_name = "经济指标"
        verbose_name_plural = "经济指标"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "month", "indicator"],
                name="figure_region_period_indicator_unique",
                violation_error_message="该区划该期间的这项指标已经录入。",
            ),
            models.CheckConstraint(
                name="figure_month_1_to_12", condition=Q(month__gte=1, month__lte=12),
                violation_error_message="月份应为 1—12。",
            ),
            models.CheckConstraint(
                name="figure_year_in_range", condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                violation_error_message=f"年度应在 {MIN_YEAR}—{MAX_YEAR} 之间。",
            ),
            models.CheckConstraint(
                name="figure_value_not_negative", condition=Q(value__gte=0),
                violation_error_message="本期累计值不能为负数。",
            ),
            models.CheckConstraint(
                name="figure_growth_not_below_minus_100", condition=Q(growth__gte=MIN_GROWTH),
                violation_error_message="增速不能低于 -100%。",
            ),
            models.CheckConstraint(
                name="figure_parent_growth_not_below_minus_100",
                condition=Q(parent_growth__isnull=True) | Q(parent_growth__gte=MIN_GROWTH),
                violation_error_message="上级增速不能低于 -100%。",
            ),
            models.CheckConstraint(
                name="figure_rank_positive", condition=Q(provincial_rank__isnull=True) | Q(provincial_rank__gte=1),
                violation_error_message="全省排名应为正整数。",
            ),
        ]
        indexes = [models.Index(fields=["year", "month", "indicator"], name="figure_period_idx")]

    def __str__(self) -> str:
        return f"{self.region}{period_label(self.year, self.month)}{self.get_indicator_display()}"

    @property
    def unit(self) -> str:
        return INDICATOR_UNITS[self.indicator]


class Target(models.Model):
    """The target growth (目标增速, %) of one indicator of a region for a year, set by the office."""

    region = models.ForeignKey("org.Region", verbose_name="行政区划", on_delete=models.PROTECT,
                               related_name="economic_targets")
    year = models.PositiveSmallIntegerField("年度")
    indicator = models.CharField("指标", max_length=24, choices=Indicator.choices)
    growth = _growth_field("目标增速（%）")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        ordering = ["region__code", "-year", "indicator"]
        verbose_name = "目标增速"
        verbose_name_plural = "目标增速"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "indicator"], name="target_region_year_indicator_unique",
                violation_error_message="该区划该年度的这项指标已设置目标。",
            ),
            models.CheckConstraint(
                name="target_year_in_range", condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                violation_error_message=f"年度应在 {MIN_YEAR}—{MAX_YEAR} 之间。",
            ),
            models.CheckConstraint(
                name="target_growth_not_below_minus_100", condition=Q(growth__gte=MIN_GROWTH),
                violation_error_message="目标增速不能低于 -100%。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region}{self.year}年{self.get_indicator_display()}目标增速"


def period_label(year: int, month: int) -> str:
    """2024年1—10月; January alone is 2024年1月."""
    return f"{year}年1月" if month == 1 else f"{year}年1—{month}月"
