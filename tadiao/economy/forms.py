"""Forms of 经济指标对标: they validate and normalise; the services decide."""

from decimal import Decimal

from django import forms

from tadiao.economy.models import MAX_YEAR, MIN_GROWTH, MIN_YEAR, Figure, Indicator
from tadiao.economy.queries import parse_period
from tadiao.lib.forms import bootstrap_widgets

GROWTH_MAX = Decimal("99999.99")
CENT = Decimal("0.01")


def _cents(value: Decimal | None) -> Decimal | None:
    """As the database keeps it (two decimals), so that the audit trail reads the same for a form and an import."""
    return None if value is None else value.quantize(CENT)


def growth_field(label: str, *, required: bool) -> forms.DecimalField:
    # Messages of the codes that carry params are %-formatted by Django: their "%" must be doubled.
    escaped = label.replace("%", "%%")
    return forms.DecimalField(
        label=label, required=required, max_digits=7, decimal_places=2, min_value=MIN_GROWTH, max_value=GROWTH_MAX,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": f"请填写{label}。", "invalid": f"{label}应为数字（百分数，如 6.5）。",
            "max_decimal_places": f"{escaped}最多保留两位小数。", "max_digits": f"{escaped}数值过大。",
            "max_whole_digits": f"{escaped}数值过大。", "min_value": f"{escaped}不能低于 {MIN_GROWTH}%%。",
            "max_value": f"{escaped}数值过大。",
        },
    )


class FigureForm(forms.Form):
    """One figure: region, cumulative period (2024-10 = 1—10月), indicator, value, growth, and optionally the
    parent region's growth (上级增速) and the provincial rank."""

    region = forms.ModelChoiceField(label="区划", queryset=None, empty_label="请选择区划",
                                    error_messages={"required": "请选择区划。",
                                                    "invalid_choice": "只能选择您管理范围内的区划。"})
    period = forms.CharField(label="期间（截至年月）", max_length=7,
                             widget=forms.TextInput(attrs={"type": "month", "placeholder": "2024-10"}),
                             help_text="累计期间的截止月份，如 2024-10 表示 1—10月。",
                             error_messages={"required": "请填写期间，如 2024-10。"})
    indicator = forms.ChoiceField(label="指标", choices=[("", "请选择指标"), *Indicator.choices],
                                  error_messages={"required": "请选择指标。", "invalid_choice": "请选择有效的指标。"})
    value = forms.DecimalField(label="本期累计值", max_digits=16, decimal_places=2, min_value=0,
                               help_text="单位见指标：一般公共预算收入为万元，其余为亿元。",
                               error_messages={"required": "请填写本期累计值。", "invalid": "本期累计值应为数字。",
                                               "min_value": "本期累计值不能为负数。",
                                               "max_decimal_places": "本期累计值最多保留两位小数。",
                                               "max_digits": "本期累计值数值过大。",
                                               "max_whole_digits": "本期累计值数值过大。"})
    growth = growth_field("增速（%）", required=True)
    parent_growth = growth_field("上级增速（%）", required=False)
    provincial_rank = forms.IntegerField(label="全省排名", required=False, min_value=1, max_value=32767,
                                         error_messages={"invalid": "全省排名应为正整数。",
                                                         "min_value": "全省排名应为正整数。",
                                                         "max_value": "全省排名数值过大。"})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: f"{r.name}（{r.code}）"
        self.fields["parent_growth"].help_text = "不填时取上级区划本身录入的同期增速；最上一级区划须在此填写。"
        bootstrap_widgets(self)

    def clean_period(self):
        period = parse_period(self.cleaned_data["period"])
        if period is None or not MIN_YEAR <= period[0] <= MAX_YEAR:
            raise forms.ValidationError("期间格式不正确，请填写如 2024-10 的年月。")
        return period

    def figure_data(self) -> dict:
        data = self.cleaned_data
        return {"region": data["region"], "year": data["period"][0], "month": data["period"][1],
                "indicator": data["indicator"], "value": _cents(data["value"]), "growth": _cents(data["growth"]),
                "parent_growth": _cents(data["parent_growth"]), "provincial_rank": data["provincial_rank"]}

    @staticmethod
    def initial_of(figure: Figure) -> dict:
        return {"region": figure.region_id, "period": f"{figure.year}-{figure.month:02d}",
                "indicator": figure.indicator, "value": figure.value, "growth": figure.growth,
                "parent_growth": figure.parent_growth, "provincial_rank": figure.provincial_rank,
                "version": figure.version}


class TargetsForm(forms.Form):
    """The target growth of a year for every region and indicator: one field per cell, blank for none."""

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = list(regions)
        for region in self.regions:
            for code, label in Indicator.choices:
                field = growth_field(f"{region.name}{label}目标增速", required=False)
                field.widget.attrs.update({"class": "form-control form-control-sm text-end", "aria-label":
                                           f"{region.name}{label}目标增速（%）"})
                self.fields[self.name_of(region.pk, code)] = field

    @staticmethod
    def name_of(region_id: int, indicator: str) -> str:
        return f"t_{region_id}_{indicator}"

    def grid(self):
        """[(region, [bound field per indicator])] for the template."""
        return [(region, [self[self.name_of(region.pk, code)] for code in Indicator.values])
                for region in self.regions]

    def targets(self) -> dict[tuple[int, str], Decimal | None]:
        return {(region.pk, code): _cents(self.cleaned_data.get(self.name_of(region.pk, code)))
                for region in self.regions for code in Indicator.values}
