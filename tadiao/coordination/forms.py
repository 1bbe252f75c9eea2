"""Forms of 问题协调与督办: they validate and normalise input, nothing more."""

from django import forms

from tadiao.coordination.models import Category, CoordinationSettings, Meeting
from tadiao.lib.forms import DateInput
from tadiao.org.models import Leader, Unit

DATE = DateInput(attrs={"class": "form-control form-control-sm"})
TEXT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class ProblemForm(forms.Form):
    title = forms.CharField(
        label="标题", max_length=200, widget=forms.TextInput(attrs=TEXT), error_messages={"required": "请填写标题。"}
    )
    category = forms.ChoiceField(label="问题类别", choices=Category.choices, widget=forms.Select(attrs=SELECT))
    description = forms.CharField(
        label="问题描述",
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
        error_messages={"required": "请填写问题描述。"},
    )
    lead_unit = forms.ModelChoiceField(
        label="牵头单位",
        queryset=Unit.objects.none(),
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": "请选择牵头单位。", "invalid_choice": "所选牵头单位不存在。"},
    )
    helping_units = forms.ModelMultipleChoiceField(
        label="配合单位",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 5}),
        error_messages={"invalid_choice": "所选配合单位不存在。"},
    )
    deadline = forms.DateField(
        label="办结时限（不填按类别默认工作日计算）",
        required=False,
        widget=DATE,
        error_messages={"invalid": "请输入有效的日期，如 2026-11-30。"},
    )

    def __init__(self, *args, units=None, proposing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units
            self.fields["helping_units"].queryset = units
        if proposing:  # a unit's reporter proposes; the office confirms when it accepts or assigns (受理/交办)
            self.fields["lead_unit"].label = "牵头单位（可建议其他单位，由重点项目办确认）"
            self.fields["lead_unit"].empty_label = None

    def problem_data(self) -> dict:
        return dict(self.cleaned_data)


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label="牵头单位",
        queryset=Unit.objects.none(),
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": "请选择牵头单位。", "invalid_choice": "所选牵头单位不存在。"},
    )
    helping_units = forms.ModelMultipleChoiceField(
        label="配合单位",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 4}),
    )
    deadline = forms.DateField(
        label="办结时限", required=False, widget=DATE, error_messages={"invalid": "请输入有效的日期，如 2026-11-30。"}
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units
            self.fields["helping_units"].queryset = units


class ActionForm(forms.Form):
    """A transition: the version the user saw, an optional text (reason, result, note) and a date."""

    text = forms.CharField(label="说明", required=False, max_length=2000)
    deadline = forms.DateField(
        label="新的办结时限",
        required=False,
        widget=DATE,
        error_messages={"invalid": "请输入有效的日期，如 2026-11-30。"},
    )
    version = forms.IntegerField(required=False)


class ReplyForm(forms.Form):
    content = forms.CharField(
        label="回复内容",
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        error_messages={"required": "请填写回复内容。"},
    )


class InstructionForm(forms.Form):
    content = forms.CharField(
        label="批示内容",
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        error_messages={"required": "请填写批示内容。"},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件", error_messages={"required": "请选择文件。", "empty": "所选文件是空的。"})


class MeetingForm(forms.Form):
    date = forms.DateField(
        label="会议日期", widget=DATE, error_messages={"required": "请填写会议日期。", "invalid": "请输入有效的日期。"}
    )
    kind = forms.ChoiceField(label="会议类型", choices=Meeting.Kind.choices, widget=forms.Select(attrs=SELECT))
    title = forms.CharField(
        label="会议名称",
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": "请填写会议名称。"},
    )
    chair = forms.ModelChoiceField(
        label="主持领导",
        queryset=Leader.objects.filter(is_active=True),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    location = forms.CharField(label="地点", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))
    attendees = forms.CharField(label="参会人员", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    attendee_units = forms.ModelMultipleChoiceField(
        label="参会单位",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 5}),
    )
    minutes = forms.CharField(label="会议纪要", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 6}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["attendee_units"].queryset = units


class AgendaForm(forms.Form):
    text = forms.CharField(label="议题", max_length=300, error_messages={"required": "请填写议题。"})


class DecisionForm(forms.Form):
    title = forms.CharField(
        label="督办事项",
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": "请填写督办事项。"},
    )
    description = forms.CharField(
        label="具体要求",
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
        error_messages={"required": "请填写具体要求。"},
    )
    lead_unit = forms.ModelChoiceField(
        label="责任单位",
        queryset=Unit.objects.none(),
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": "请选择责任单位。", "invalid_choice": "所选责任单位不存在。"},
    )
    deadline = forms.DateField(
        label="办结时限", required=False, widget=DATE, error_messages={"invalid": "请输入有效的日期。"}
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units


class AdjustmentForm(forms.Form):
    date = forms.DateField(
        label="日期", widget=DATE, error_messages={"required": "请填写日期。", "invalid": "请输入有效的日期。"}
    )
    is_workday = forms.TypedChoiceField(
        label="安排",
        choices=[("0", "放假"), ("1", "上班（调休）")],
        coerce=lambda v: v == "1",
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(label="说明", max_length=50, required=False, widget=forms.TextInput(attrs=TEXT))


class SettingsForm(forms.Form):
    overdue_action = forms.ChoiceField(
        label="超期处理", choices=CoordinationSettings.OverdueAction.choices, widget=forms.Select(attrs=SELECT)
    )
    due_soon_days = forms.IntegerField(
        label="临期提醒（工作日）",
        min_value=0,
        max_value=30,
        error_messages={"min_value": "应为 0–30。", "max_value": "应为 0–30。"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in Category:
            self.fields[f"days_{c.value}"] = forms.IntegerField(
                label=f"{c.label}（工作日）",
                min_value=1,
                max_value=250,
                error_messages={"min_value": "应为 1–250。", "max_value": "应为 1–250。", "required": "请填写。"},
            )

    def category_days(self) -> dict[str, int]:
        return {c.value: self.cleaned_data[f"days_{c.value}"] for c in Category}
