"""Forms of the monthly bulletin: they validate and normalise; the services decide."""

from django import forms

from tadiao.bulletins.models import BulletinSettings
from tadiao.lib.forms import DateInput, bootstrap_widgets
from tadiao.reporting.models import Period

SECTION_PREFIX = "section_"


class CreateForm(forms.Form):
    period = forms.ModelChoiceField(
        label="通报月份", queryset=Period.objects.none(), empty_label=None,
        error_messages={"required": "请选择已关账的月份。", "invalid_choice": "该月份未关账或没有指标快照。"},
    )

    compare_to = forms.ModelChoiceField(
        label="与哪个月比较", queryset=Period.objects.none(), required=False, empty_label="上期（该月之前最近一期）",
        error_messages={"invalid_choice": "所选比较月份未关账或没有指标快照。"},
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        self.fields["compare_to"].queryset = periods
        bootstrap_widgets(self)

    def clean(self):
        cleaned = super().clean()
        period, compare_to = cleaned.get("period"), cleaned.get("compare_to")
        if period and compare_to and compare_to.month >= period.month:
            raise forms.ValidationError("比较的月份应早于通报月份。")
        return cleaned


class EditForm(forms.Form):
    """Title, date and one textarea per drafted section (named section_<key>)."""

    title = forms.CharField(label="标题", max_length=200, error_messages={"required": "请填写通报标题。"})
    issued_date = forms.DateField(label="成文日期", widget=DateInput(),
                                  error_messages={"required": "请填写成文日期。", "invalid": "成文日期格式不正确。"})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sections: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        for section in sections:
            self.fields[SECTION_PREFIX + section["key"]] = forms.CharField(
                label=section["heading"], required=False, max_length=20000,
                widget=forms.Textarea(attrs={"rows": max(4, min(16, section["text"].count("\n") + 3))}),
                initial=section["text"],
            )
        bootstrap_widgets(self)

    def texts(self) -> dict[str, str]:
        return {s["key"]: self.cleaned_data.get(SECTION_PREFIX + s["key"], "") for s in self.sections}

    def section_fields(self):
        return [self[SECTION_PREFIX + s["key"]] for s in self.sections]


class SettingsForm(forms.ModelForm):
    template_file = forms.FileField(label="上传自定义模板（.docx）", required=False)
    remove_template = forms.BooleanField(label="删除自定义模板，恢复使用默认模板", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BulletinSettings
        fields = ["number_prefix", "issuer_mark", "issuer", "recipients", "region_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)

    def clean_template_file(self):
        upload = self.cleaned_data.get("template_file")
        if upload and not upload.name.lower().endswith(".docx"):
            raise forms.ValidationError("模板应为 .docx 文件（Word 2007 及以上格式）。")
        return upload


class SequenceForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写年度。", "invalid": "年度应为四位数字。"})
    next_number = forms.IntegerField(label="下一个流水号", min_value=1,
                                     error_messages={"required": "请填写流水号。", "invalid": "流水号应为正整数。",
                                                     "min_value": "流水号应为正整数。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)
