"""Personal API tokens: created by a user on their own page, shown once, stored hashed (SHA-256 of the secret)."""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A user's personal token for the open API (/api/v1/): the request acts as that user, through the same access
    gates as the pages. A read-only token may only read; an expired or revoked token is refused.

    The per-minute request counter (`rate_window`, `rate_count`) lives on the row, updated with one conditional
    UPDATE per request, so the limit holds across every gunicorn worker."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=50)
    prefix = models.CharField("令牌前缀", max_length=12, help_text="令牌开头几位，用于辨认（完整令牌只显示一次）")
    token_hash = models.CharField("令牌哈希", max_length=64, unique=True)
    read_only = models.BooleanField("只读", default=False)
    created_at = models.DateTimeField("创建时间")
    expires_on = models.DateField("有效期至", help_text="当天结束后失效")
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="吊销人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    rate_window = models.BigIntegerField("限流窗口（分钟序号）", default=0)
    rate_count = models.PositiveIntegerField("窗口内请求数", default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def is_active_on(self, day) -> bool:
        return self.revoked_at is None and day <= self.expires_on

    def state_on(self, day) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        return "有效" if day <= self.expires_on else "已过期"
