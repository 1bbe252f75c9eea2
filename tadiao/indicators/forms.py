"""Forms of the indicator configuration: validate and normalise only."""

import json

from django import forms

from tadiao.indicators.models import RateDefinition
from tadiao.indicators.selection import SelectionError, validate
from tadiao.lib.forms import DateInput
from tadiao.projects.models import Level


class SelectionField(forms.CharField):
    """A selection typed as JSON, e.g. {"reached": "STARTED", "levels": ["PROVINCIAL"]}."""

    def to_python(self, value):
        text = (value or "").strip() or "{}"
        try:
            selection = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有误。") from exc
        try:
            validate(selection)
        except SelectionError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return selection


class RateDefinitionForm(forms.Form):
    code = forms.SlugField(
        label="代码",
        max_length=60,
        help_text="英文字母、数字、下划线，例如 smart_start_rate",
        error_messages={"invalid": "代码只能包含英文字母、数字、下划线和连字符。"},
    )
    name = forms.CharField(label="名称", max_length=60)
    measure = forms.ChoiceField(label="口径", choices=RateDefinition.Measure.choices)
    denominator = SelectionField(label="分母条件（JSON）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    numerator = SelectionField(
        label="分子条件（JSON，在分母基础上）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(label="说明", max_length=300, required=False)


class TargetForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    rate = forms.ModelChoiceField(label="指标", queryset=RateDefinition.objects.filter(is_active=True))
    level = forms.ChoiceField(label="项目级别", choices=[("", "全部级别"), *Level.choices], required=False)
    deadline = forms.DateField(label="时限", widget=DateInput())
    percent = forms.DecimalField(
        label="目标值（%）",
        min_value=0,
        max_value=100,
        decimal_places=2,
        error_messages={"max_value": "目标值应在 0–100 之间。", "min_value": "目标值应在 0–100 之间。"},
    )


class WarningRuleForm(forms.Form):
    yellow = forms.DecimalField(label="黄灯阈值", required=False, max_digits=8, decimal_places=2, min_value=0)
    red = forms.DecimalField(label="红灯阈值", required=False, max_digits=8, decimal_places=2, min_value=0)
    streak_months = forms.IntegerField(label="连续月数", required=False, min_value=1, max_value=12)
    levels = forms.MultipleChoiceField(label="适用级别", choices=Level.choices, required=False)
    is_active = forms.BooleanField(label="启用", required=False)
