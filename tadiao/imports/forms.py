"""The upload form: choose what to import and the file; the gate runs here, before anything is stored."""

from django import forms

from tadiao.imports.models import ImportJob
from tadiao.lib import xlsx


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", widget=forms.RadioSelect, error_messages={
        "required": "请选择导入内容（项目台账、年度计划、月度进展等）后再上传。",
        "invalid_choice": "请从列出的导入内容中选择一项。"})
    file = forms.FileField(label="Excel 文件（.xlsx）",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
                           error_messages={"required": "请选择要上传的 Excel 文件（.xlsx）。",
                                           "empty": "上传的文件是空的。"})

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, ImportJob.Kind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            xlsx.check_upload(upload, name=upload.name, size=upload.size)
        except xlsx.XlsxError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload
