"""Forms of 周调度: validate and normalise only."""

from django import forms

from tadiao.coordination.models import Category
from tadiao.lib.forms import bootstrap_widgets
from tadiao.org.models import Unit
from tadiao.projects.models import Level, Project, Tag
from tadiao.weekly.models import WEEKDAY_LABELS, ScopeEntry
from tadiao.weekly.services import REPORT_FIELDS

PROBLEM_FIELDS = {
    "problem_title": "title",
    "problem_category": "category",
    "problem_description": "description",
    "problem_lead_unit": "lead_unit",
}


class ReportForm(forms.Form):
    """The weekly report, with one optional new problem (it becomes a coordination problem when saved)."""

    progress_text = forms.CharField(
        label="本周进展",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "请填写本周进展。", "max_length": "本周进展不能超过 2000 字。"},
    )
    next_week_plan = forms.CharField(
        label="下周计划",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        error_messages={"max_length": "下周计划不能超过 2000 字。"},
    )
    workers_on_site = forms.IntegerField(
        label="现场施工人数",
        min_value=0,
        max_value=100000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "现场施工人数不能为负数。",
            "max_value": "现场施工人数过大，请核对。",
            "invalid": "现场施工人数请填写整数。",
        },
    )
    problem_title = forms.CharField(label="问题标题", max_length=200, required=False)
    problem_category = forms.ChoiceField(
        label="问题类别", choices=Category.choices, initial=Category.OTHER, required=False,
        error_messages={"invalid_choice": "未知的问题类别。"},
    )
    problem_description = forms.CharField(
        label="问题描述及诉求", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
    problem_lead_unit = forms.ModelChoiceField(
        label="牵头单位",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="（请选择牵头单位）",
        error_messages={"invalid_choice": "所选牵头单位不存在。"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["problem_lead_unit"].queryset = units
        bootstrap_widgets(self, small=False)

    def clean(self):
        data = super().clean()
        if (data.get("problem_title") or "").strip():
            if not (data.get("problem_description") or "").strip():
                self.add_error("problem_description", "提出问题时请填写问题描述及诉求。")
            if data.get("problem_lead_unit") is None:
                self.add_error("problem_lead_unit", "提出问题时请选择牵头单位。")
        elif (data.get("problem_description") or "").strip():
            self.add_error("problem_title", "请填写问题标题（没有问题请清空问题描述）。")
        return data

    def report_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_FIELDS}

    def problem_data(self) -> dict | None:
        if not (self.cleaned_data.get("problem_title") or "").strip():
            return None
        data = {target: self.cleaned_data[name] for name, target in PROBLEM_FIELDS.items()}
        data["title"] = data["title"].strip()
        data["description"] = data["description"].strip()
        data["category"] = data["category"] or Category.OTHER
        return data


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=300, required=False)
    version = forms.IntegerField(required=False)


class SettingsForm(forms.Form):
    levels = forms.MultipleChoiceField(
        label="按项目级别", choices=Level.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    with_leader = forms.BooleanField(label="领导挂钩联系的项目", required=False)
    tags = forms.ModelMultipleChoiceField(
        label="按标签",
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选标签不存在。"},
    )
    deadline_weekday = forms.TypedChoiceField(
        label="每周报送截止日",
        coerce=int,
        choices=list(enumerate(WEEKDAY_LABELS)),
        error_messages={"invalid_choice": "截止日应为星期一至星期日之一。"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)


class ExceptionForm(forms.Form):
    project = forms.ModelChoiceField(
        label="项目",
        queryset=Project.objects.none(),
        empty_label="（请选择项目）",
        error_messages={"required": "请选择项目。", "invalid_choice": "所选项目不存在或不在您的范围内。"},
    )
    kind = forms.ChoiceField(label="类型", choices=ScopeEntry.Kind.choices)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects
        bootstrap_widgets(self)
