"""The form of a new personal API token: validate and normalise only (the rules are in services.create_token)."""

from typing import Any

from django import forms

from tadiao.lib.forms import DateInput, bootstrap_widgets


class TokenForm(forms.Form):
    name = forms.CharField(
        label="名称", max_length=50, help_text="用途，例如“统计局数据同步”",
        error_messages={"required": "请填写令牌名称。", "max_length": "名称不能超过 50 字。"},
    )
    expires_on = forms.DateField(
        label="有效期至", widget=DateInput, help_text="当天结束后失效，最长一年",
        error_messages={"required": "请填写有效期。", "invalid": "有效期格式不对，请填写如 2027-06-30。"},
    )
    read_only = forms.BooleanField(label="只读（只能查询，不能填报、回复）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)
