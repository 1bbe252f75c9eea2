"""In-app messages (消息中心), the robots and mailboxes they are also sent to (通知渠道), and the outbox that
carries them there: one row per channel and notification, written in the transaction of the change."""

from django.conf import settings
from django.db import models
from django.db.models import Q

# The events a Webhook subscription may receive, with their Chinese labels (notifications.webhooks emits them).
WEBHOOK_EVENTS: dict[str, str] = {
    "report.submitted": "月报报送",
    "report.approved": "月报审核通过",
    "stage.advanced": "项目阶段推进",
    "problem.escalated": "问题升级协调",
    "bulletin.published": "月通报生成",
}


class Message(models.Model):
    """One in-app message to one user; unread while `read_at` is empty."""

    class Kind(models.TextChoices):
        ASSIGNED = "ASSIGNED", "交办"
        REPLIED = "REPLIED", "回复"
        RETURNED = "RETURNED", "退回"
        DUE_SOON = "DUE_SOON", "即将到期"
        OVERDUE = "OVERDUE", "逾期"
        ESCALATED = "ESCALATED", "升级"
        INSTRUCTION = "INSTRUCTION", "批示"
        SUPERVISION = "SUPERVISION", "督办"
        REPORT_RETURNED = "REPORT_RETURNED", "月报退回"
        REPORT_APPROVED = "REPORT_APPROVED", "月报审核通过"
        REPORT_REOPENED = "REPORT_REOPENED", "填报重新开账"
        OTHER = "OTHER", "其他"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    # A path inside this site ("/coordination/problems/12/"), never an outside address.
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("发送时间", db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        indexes = [
            models.Index(fields=["user", "-created_at"], name="message_user_created_idx"),
            # The header's unread count on every page: (user, read_at IS NULL).
            models.Index(fields=["user", "read_at"], name="message_user_read_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.Model):
    """A DingTalk custom robot, a WeCom group robot or a list of mailboxes that receives notifications.

    `kinds` empty = every kind; no `units` = notifications of every unit.
    """

    class Type(models.TextChoices):
        DINGTALK = "DINGTALK", "钉钉机器人"
        WECOM = "WECOM", "企业微信机器人"
        EMAIL = "EMAIL", "电子邮件"
        # An outside system's address: signed JSON events (notifications.webhooks), not notifications.
        WEBHOOK = "WEBHOOK", "Webhook 订阅"

    type = models.CharField("渠道类型", max_length=10, choices=Type.choices)
    name = models.CharField("名称", max_length=100, unique=True)
    webhook_url = models.CharField("Webhook 地址", max_length=500, blank=True)
    # DingTalk's 加签 secret ("SEC…"); stored as entered because the signature needs it in clear.
    secret = models.CharField("加签密钥", max_length=200, blank=True)
    email_recipients = models.TextField("收件人邮箱", blank=True, help_text="每行一个，或以逗号分隔")
    kinds = models.JSONField("推送的消息类型", default=list, blank=True)
    # Webhook subscriptions only: the event names it receives (notifications.webhooks.EVENTS).
    events = models.JSONField("订阅的事件", default=list, blank=True)
    units = models.ManyToManyField("org.Unit", verbose_name="推送的单位", blank=True, related_name="+")
    enabled = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # The office and the system administrator may edit the same channel: saves are conditional on this.
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "通知渠道"
        verbose_name_plural = "通知渠道"
        constraints = [
            models.CheckConstraint(
                name="channel_robot_has_webhook",
                condition=Q(type="EMAIL") | ~Q(webhook_url=""),
                violation_error_message="机器人渠道须填写 Webhook 地址。",
            ),
            models.CheckConstraint(
                name="channel_email_has_recipients",
                condition=~Q(type="EMAIL") | ~Q(email_recipients=""),
                violation_error_message="邮件渠道须填写收件人邮箱。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_robot(self) -> bool:
        return self.type in (self.Type.DINGTALK, self.Type.WECOM)

    @property
    def kind_labels(self) -> str:
        return "、".join(Message.Kind(k).label for k in self.kinds if k in Message.Kind.values) or "全部"

    @property
    def event_labels(self) -> str:
        return "、".join(WEBHOOK_EVENTS.get(e, e) for e in self.events) or "—"

    @property
    def recipient_list(self) -> list[str]:
        return [a.strip() for a in self.email_recipients.replace(",", "\n").replace("，", "\n").split() if a.strip()]


class Outbox(models.Model):
    """One notification waiting to reach one channel (or sent there, or given up on: a permanent
    error, or still failing after settings.NOTIFICATION_GIVE_UP_AFTER days)."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "待发送"
        SENT = "SENT", "已发送"
        FAILED = "FAILED", "发送失败"

    channel = models.ForeignKey(Channel, verbose_name="渠道", on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField("类型", max_length=20, choices=Message.Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    # Webhook rows only: the event name and the exact JSON body that is signed and POSTed on every attempt.
    event = models.CharField("事件", max_length=40, blank=True)
    payload = models.TextField("事件内容", blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    # Due time of the next attempt; while an attempt runs it is pushed ahead (a lease), so a second
    # deliverer does not send the same row twice.
    next_attempt_at = models.DateTimeField("下次尝试时间")
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                name="outbox_sent_has_time",
                condition=~Q(status="SENT") | Q(sent_at__isnull=False),
                violation_error_message="已发送的消息须有发送时间。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.channel_id}"


class DeliveryAttempt(models.Model):
    """One try to hand an outbox row to its channel. The rate limit counts these (per channel, last 60 s)."""

    outbox = models.ForeignKey(Outbox, verbose_name="待发消息", on_delete=models.CASCADE, related_name="tries")
    channel = models.ForeignKey(Channel, verbose_name="渠道", on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField("尝试时间")
    ok = models.BooleanField("成功", null=True)  # null while the request is on its way
    error = models.CharField("错误", max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        indexes = [models.Index(fields=["channel", "at"], name="attempt_channel_at_idx")]

    def __str__(self) -> str:
        return f"{self.outbox_id} @ {self.at:%Y-%m-%d %H:%M:%S}"
