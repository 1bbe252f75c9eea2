"""Forms of the project registry: they validate and normalise; the services decide."""

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from tadiao.lib.forms import DateInput, bootstrap_widgets
from tadiao.org.models import Leader, Unit
from tadiao.projects.models import (
    STAGE_DATE_FIELD,
    ApprovalKind,
    BondBatch,
    FundingSource,
    Project,
    ProjectApproval,
    Stage,
    Tag,
    stage_rank,
)
from tadiao.projects.services import EDITABLE_FIELDS


def _money_field(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={
            "min_value": f"{label}不能为负数。",
            "max_decimal_places": f"{label}最多保留两位小数。",
            "invalid": f"{label}请填写数字。",
        },
    )


class ProjectForm(forms.ModelForm):
    tags = forms.ModelMultipleChoiceField(
        label="标签", queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    total_investment = _money_field("总投资（万元）")

    class Meta:
        model = Project
        fields = EDITABLE_FIELDS
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "statistics_month": DateInput(),
            **{f"planned_{field}": DateInput() for field in STAGE_DATE_FIELD.values()},
        }
        error_messages = {
            "name": {"required": "请填写项目名称。"},
            "unit": {"required": "请选择责任单位。"},
        }

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "tags" not in self.initial:
            # `tags` is declared here rather than in Meta.fields (the service sets them), so the ModelForm does not
            # fill it from the instance: without this an edit page shows no tag ticked and saving it clears them.
            self.initial["tags"] = [tag.pk for tag in self.instance.tags.all()]
        unit_field = cast(forms.ModelChoiceField, self.fields["unit"])
        unit_field.queryset = units
        unit_field.empty_label = "请选择责任单位"
        cast(forms.ModelChoiceField, self.fields["supervising_department"]).queryset = Unit.objects.filter(
            kind=Unit.Kind.DEPARTMENT, is_active=True)
        cast(forms.ModelChoiceField, self.fields["leader"]).queryset = Leader.objects.filter(is_active=True)
        bootstrap_widgets(self)
        self.fields["code"].widget.attrs.setdefault("placeholder", "2024-330182-04-01-123456")

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_statistics_month(self) -> datetime.date | None:
        month = self.cleaned_data.get("statistics_month")
        return month.replace(day=1) if month else None

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data, never None
        if cleaned.get("in_statistics") and not cleaned.get("statistics_month"):
            self.add_error("statistics_month", "入库纳统的项目请填写纳统月份。")
        lat, lng = cleaned.get("latitude"), cleaned.get("longitude")
        if lat is not None and not -90 <= lat <= 90:
            self.add_error("latitude", "纬度应在 -90 到 90 之间。")
        if lng is not None and not -180 <= lng <= 180:
            self.add_error("longitude", "经度应在 -180 到 180 之间。")
        return cleaned

    def project_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class NewProjectForm(ProjectForm):
    """Creating a project also says which stage it has reached and when each passed stage happened."""

    stage = forms.ChoiceField(label="当前阶段", choices=Stage.choices, initial=Stage.RESERVE)

    def __init__(self, *args: Any, coordinator: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].widget.attrs["class"] = "form-select form-select-sm"
        if coordinator:
            self.fields["reason"] = forms.CharField(label=SKIP_REASON_LABEL, max_length=150, required=False)
            self.fields["reason"].widget.attrs["class"] = "form-control form-control-sm"
        for stage, field in STAGE_DATE_FIELD.items():
            self.fields[f"actual_{field}"] = forms.DateField(
                label=f"{Stage(stage).label}日期（实际）",
                required=False,
                widget=DateInput(attrs={"class": "form-control form-control-sm"}),
            )

    def actual_dates(self) -> dict:
        return {stage: self.cleaned_data.get(f"actual_{field}") for stage, field in STAGE_DATE_FIELD.items()}

    def actual_date_fields(self) -> list[forms.BoundField]:
        return [self[f"actual_{field}"] for field in STAGE_DATE_FIELD.values()]


class EditProjectForm(ProjectForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


SKIP_REASON_LABEL = "跳过阶段或前期手续未办结的原因（调度员）"


class AdvanceStageForm(forms.Form):
    stage = forms.ChoiceField(label="推进到", choices=Stage.choices)
    actual_date = forms.DateField(label="实际日期", widget=DateInput(attrs={"class": "form-control form-control-sm"}))
    reason = forms.CharField(
        label=SKIP_REASON_LABEL,
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, project: Project | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].widget.attrs["class"] = "form-select form-select-sm"
        if project is not None:
            later = [(v, label) for v, label in Stage.choices if stage_rank(v) > stage_rank(project.stage)]
            cast(forms.ChoiceField, self.fields["stage"]).choices = later
            self.fields["version"].initial = project.version


class FlagForm(forms.Form):
    """Suspend / resume / cancel / restore / roll back: a coordinator's action, with a reason."""

    action = forms.ChoiceField(
        choices=[
            ("suspend", "停工"),
            ("resume", "复工"),
            ("cancel", "终止"),
            ("restore", "恢复建设"),
            ("rollback", "回退阶段"),
        ]
    )
    stage = forms.ChoiceField(label="回退到", choices=Stage.choices, required=False)
    reason = forms.CharField(label="原因", max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApprovalForm(forms.Form):
    kind = forms.ModelChoiceField(queryset=ApprovalKind.objects.all(), widget=forms.HiddenInput)
    status = forms.ChoiceField(label="状态", choices=ProjectApproval.Status.choices)
    department = forms.CharField(label="办理部门", max_length=100, required=False)
    planned_date = forms.DateField(label="计划办结日期", required=False, widget=DateInput())
    applied_date = forms.DateField(label="申报日期", required=False, widget=DateInput())
    completed_date = forms.DateField(label="办结日期", required=False, widget=DateInput())
    note = forms.CharField(label="备注", max_length=200, required=False)


class AnnualPlanForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, error_messages={"min_value": "年度应在 2000–2100 之间。"}
    )
    planned_investment = _money_field("年度计划投资（万元）")
    planned_start_date = forms.DateField(label="年度计划开工日期", required=False, widget=DateInput())
    planned_completion_date = forms.DateField(label="年度计划竣工日期", required=False, widget=DateInput())
    goal = forms.CharField(label="年度建设目标", max_length=300, required=False)


class FundingForm(forms.Form):
    source = forms.ChoiceField(label="资金来源", choices=FundingSource.choices)
    planned = _money_field("计划")
    in_place = _money_field("到位")
    spent = _money_field("已支出")

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data, never None
        if all(k in cleaned for k in ("planned", "in_place", "spent")) and cleaned["spent"] > cleaned["in_place"]:
            self.add_error("spent", "已支出不能超过到位资金。")
        return cleaned


class BatchForm(forms.Form):
    number = forms.IntegerField(label="期数", min_value=1, error_messages={"min_value": "期数应为正整数。"})
    date = forms.DateField(label="日期", widget=DateInput(attrs={"class": "form-control form-control-sm"}))
    note = forms.CharField(label="说明", max_length=200, required=False)


class CompactForm(forms.Form):
    """Small inline forms: Bootstrap's compact inputs on every field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)


class BondBatchForm(CompactForm):
    name = forms.CharField(label="批次名称", max_length=50)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class BondApplicationForm(CompactForm):
    project = forms.CharField(label="项目代码或项目名称", max_length=200)
    batch = forms.ModelChoiceField(label="批次", queryset=BondBatch.objects.all())
    requested = _money_field("申报金额（万元）")
    issued = _money_field("下达额度（万元）")
    issued_date = forms.DateField(label="下达日期", required=False, widget=DateInput())
    spent = _money_field("已支出（万元）")
