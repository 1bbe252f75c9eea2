"""Forms of notifications: they validate and normalise; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from tadiao.lib.forms import bootstrap_widgets
from tadiao.notifications.models import Channel, Message
from tadiao.notifications.webhooks import EVENTS

_url = URLValidator(schemes=["http", "https"])


class ChannelForm(forms.Form):
    type = forms.ChoiceField(label="渠道类型", choices=Channel.Type.choices)
    name = forms.CharField(label="名称", max_length=100, error_messages={"required": "请填写渠道名称。"})
    webhook_url = forms.CharField(
        label="Webhook 地址", max_length=500, required=False,
        help_text="在钉钉群或企业微信群添加机器人后复制的完整地址（含 access_token 或 key）",
    )
    secret = forms.CharField(
        label="加签 / 签名密钥", max_length=200, required=False, widget=forms.PasswordInput(render_value=False),
        help_text="钉钉机器人“安全设置”选择“加签”时显示的 SEC 开头的密钥；Webhook 订阅用它计算 X-Tadiao-Signature"
        "（必填）；编辑时留空表示不修改",
    )
    email_recipients = forms.CharField(
        label="收件人邮箱", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="每行一个，或以逗号分隔"
    )
    kinds = forms.MultipleChoiceField(
        label="推送的消息类型", choices=Message.Kind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="不选表示推送全部类型",
    )
    events = forms.MultipleChoiceField(
        label="订阅的事件（Webhook）", choices=list(EVENTS.items()), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="仅 Webhook 订阅：发生所选事件时向该地址 POST 签名的 JSON",
    )
    units = forms.ModelMultipleChoiceField(
        label="推送的单位", queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="不选表示推送全部单位的消息",
    )
    enabled = forms.BooleanField(label="启用", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        bootstrap_widgets(self)

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"].strip()
        if url:
            try:
                _url(url)
            except ValidationError as exc:
                raise ValidationError("Webhook 地址格式不正确，应以 http:// 或 https:// 开头。") from exc
        return url

    def clean_secret(self) -> str:
        return self.cleaned_data["secret"].strip()

    def clean_email_recipients(self) -> str:
        addresses = Channel(email_recipients=self.cleaned_data["email_recipients"]).recipient_list
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError as exc:
                raise ValidationError(f"邮箱地址不正确：{address}") from exc
        return "\n".join(addresses)

    def clean(self):
        data = super().clean()
        if data.get("type") == Channel.Type.EMAIL:
            if not data.get("email_recipients"):
                self.add_error("email_recipients", "邮件渠道须填写收件人邮箱。")
        elif data.get("type") and not data.get("webhook_url") and "webhook_url" not in self.errors:
            self.add_error("webhook_url", "机器人渠道须填写 Webhook 地址。")
        if data.get("type") == Channel.Type.WEBHOOK and not data.get("events"):
            self.add_error("events", "Webhook 订阅须至少选择一个事件。")
        return data

    def channel_data(self) -> dict:
        names = ("type", "name", "webhook_url", "secret", "email_recipients", "enabled")
        data = {k: self.cleaned_data[k] for k in names}
        data["kinds"] = list(self.cleaned_data["kinds"])
        data["units"] = list(self.cleaned_data["units"])
        data["events"] = list(self.cleaned_data["events"]) if data["type"] == Channel.Type.WEBHOOK else []
        if data["type"] == Channel.Type.WEBHOOK:
            data["kinds"], data["units"] = [], []  # a subscription receives its events, whatever the unit
        elif data["type"] != Channel.Type.DINGTALK:
            data["secret"] = ""
        return data
