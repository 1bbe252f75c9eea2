"""Forms of monthly reporting: validate and normalise only."""

from decimal import Decimal

from django import forms

from tadiao.lib.forms import DateInput, bootstrap_widgets
from tadiao.org.models import Unit
from tadiao.projects.models import Stage
from tadiao.reporting.models import ReportingSettings
from tadiao.reporting.photos import FORMATS_TEXT
from tadiao.reporting.services import REPORT_FIELDS


class ReportForm(forms.Form):
    investment_completed = forms.DecimalField(
        label="本月完成投资（万元）",
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={
            "min_value": "本月完成投资不能为负数。",
            "invalid": "本月完成投资请填写数字。",
            "max_decimal_places": "本月完成投资最多保留两位小数。",
            "required": "请填写本月完成投资（没有请填 0）。",
        },
    )
    progress_text = forms.CharField(
        label="形象进度",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "请填写形象进度。"},
    )
    workers_on_site = forms.IntegerField(
        label="施工人数", min_value=0, required=False, error_messages={"min_value": "施工人数不能为负数。"}
    )
    stage_reached = forms.ChoiceField(label="达到阶段", choices=[("", "（未变化）"), *Stage.choices], required=False)
    stage_reached_date = forms.DateField(
        label="达到阶段日期",
        required=False,
        widget=DateInput,
        help_text="审核通过后项目按此日期推进；不填按月末（或审核当天）",
        error_messages={"invalid": "达到阶段日期格式不对，请填写如 2026-11-05 或 2026年11月5日。"},
    )
    problems = forms.CharField(
        label="存在问题及诉求", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Shown (and needed) only when the figures trip a plausibility warning; rendered by the template itself.
    confirm_warnings = forms.BooleanField(label="我已核对，数字无误", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)

    def report_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_FIELDS}


class PhotoForm(forms.Form):
    # A plain file: the service checks format and pixels from the header before anything is decoded (Django's
    # ImageField would decode it first, and call a decompression bomb "not a valid image").
    photo = forms.FileField(
        label="现场照片",
        error_messages={"required": "请选择照片。", "empty": f"所选文件是空的，{FORMATS_TEXT}。"},
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label="关账原因", max_length=300, required=False, error_messages={
        "max_length": "关账原因不能超过 300 字。",
    })


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, required=False)
    version = forms.IntegerField(required=False)


class SettingsForm(forms.Form):
    deadline_day = forms.IntegerField(
        label="每月填报截止日",
        min_value=1,
        max_value=28,
        error_messages={"min_value": "截止日应在 1–28 日之间。", "max_value": "截止日应在 1–28 日之间。"},
    )
    time_progress_basis = forms.ChoiceField(label="序时进度口径", choices=ReportingSettings.TimeProgressBasis.choices)
    photo_max_distance_km = forms.DecimalField(
        label="照片距项目超过（公里）即存疑",
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.1"),
        max_value=Decimal("100"),
        error_messages={
            "invalid": "照片最大距离请填写数字（公里）。",
            "min_value": "照片最大距离应在 0.1–100 公里之间。",
            "max_value": "照片最大距离应在 0.1–100 公里之间。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)


class PhotoLocationForm(forms.Form):
    """The units whose stored site photos keep the GPS position and shooting time."""

    units = forms.ModelMultipleChoiceField(
        label="照片保留拍摄位置的单位",
        queryset=Unit.objects.order_by("display_order", "id"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选单位不存在。", "invalid_pk_value": "所选单位不存在。"},
    )
