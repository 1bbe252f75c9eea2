"""Forms of 招商引资: they validate and normalise; the services decide."""

from decimal import Decimal

from django import forms

from tadiao.attraction.models import FollowUp, Lead, Recognition, Trip
from tadiao.attraction.services import LEAD_FIELDS, TRIP_FIELDS
from tadiao.lib.forms import DateInput, bootstrap_widgets
from tadiao.projects.models import Industry


def _date_messages(label: str) -> dict[str, str]:
    return {"required": f"请填写{label}。", "invalid": f"{label}格式不正确，请填写如 2026-03-05 的日期。"}


class TripForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Trip
        fields = TRIP_FIELDS
        widgets = {
            "departure_date": DateInput(),
            "return_date": DateInput(),
            "firms_visited": forms.Textarea(attrs={"rows": 2}),
            "results": forms.Textarea(attrs={"rows": 2}),
            "next_step": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "unit": {"required": "请选择单位。", "invalid_choice": "只能选择您管理范围内的单位。"},
            "departure_date": _date_messages("出发日期"),
            "return_date": _date_messages("返回日期"),
            "leading_cadre": {"required": "请填写带队领导。", "max_length": "带队领导最多 50 字。"},
            "rank": {"required": "请选择职级。", "invalid_choice": "请选择有效的职级。"},
            "destination": {"required": "请填写目的地。", "max_length": "目的地最多 100 字。"},
        }

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = "请选择单位"
        self.fields["rank"].choices = [("", "请选择职级"), *Trip._meta.get_field("rank").choices]
        bootstrap_widgets(self)

    def clean(self):
        data = super().clean()
        departure, returned = data.get("departure_date"), data.get("return_date")
        if departure and returned and returned < departure:
            self.add_error("return_date", "返回日期不能早于出发日期。")
        return data

    def validate_unique(self):
        # The service reports a duplicate trip with its own message, in the same transaction as the write.
        pass

    def validate_constraints(self, exclude=None):
        pass

    def trip_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class LeadForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    intended_investment = forms.DecimalField(
        label="意向投资额（万元）",
        required=False,
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={
            "min_value": "意向投资额不能为负数。",
            "max_decimal_places": "意向投资额最多保留两位小数。",
            "invalid": "意向投资额请填写数字。",
        },
    )

    class Meta:
        model = Lead
        fields = LEAD_FIELDS
        widgets = {"start_date": DateInput()}
        error_messages = {
            "investor": {"required": "请填写投资方。", "max_length": "投资方最多 200 字。"},
            "likelihood": {"required": "请选择签约可能性。", "invalid_choice": "请选择有效的签约可能性。"},
            "start_date": _date_messages("开始接洽日期"),
            "industry": {"invalid_choice": "请选择有效的产业。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.all()
        self.fields["industry"].empty_label = "（未指定）"
        bootstrap_widgets(self)

    def validate_constraints(self, exclude=None):
        pass

    def lead_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CloseLeadForm(forms.Form):
    status = forms.ChoiceField(
        label="结束方式",
        choices=[(Lead.Status.LOST, "流失"), (Lead.Status.SIGNED, "已签约")],
        error_messages={"required": "请选择结束方式。", "invalid_choice": "请选择结束方式：流失或签约。"},
    )
    closed_date = forms.DateField(label="结束日期", widget=DateInput(), error_messages=_date_messages("结束日期"))
    reason = forms.CharField(
        label="流失原因", max_length=300, required=False, error_messages={"max_length": "流失原因最多 300 字。"}
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("status") == Lead.Status.LOST and not (data.get("reason") or "").strip():
            self.add_error("reason", "线索流失须填写原因。")
        return data


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["date", "content"]
        widgets = {"date": DateInput(), "content": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"date": _date_messages("跟进日期"), "content": {"required": "请填写跟进情况。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)


class RecognitionForm(forms.Form):
    status = forms.ChoiceField(
        label="认定结果",
        choices=Recognition.Status.choices,
        error_messages={"required": "请选择认定结果。", "invalid_choice": "请选择有效的认定结果。"},
    )
    reason = forms.CharField(
        label="原因", max_length=300, required=False, error_messages={"max_length": "原因最多 300 字。"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("status") == Recognition.Status.REJECTED and not (data.get("reason") or "").strip():
            self.add_error("reason", "不予认定须填写原因。")
        return data
