"""Logins, failed logins and lockouts go into the audit log. These come from Django's and axes' signals,
the one place where a signal is the right hook: the login view is Django's, not ours."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tadiao.audit.middleware import client_ip
from tadiao.audit.models import AuditEvent
from tadiao.audit.services import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(actor=user, action="auth.login", obj=user, ip=client_ip(request) if request else None)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    ip = client_ip(request) if request else None
    if getattr(request, "tadiao_logout_reason", None) == "idle":
        minutes = settings.IDLE_SECONDS // 60
        record(actor=user, action="auth.idle_logout", obj=user, ip=ip,
               message=f"超过 {minutes} 分钟未操作，自动退出登录")
    else:
        record(actor=user, action="auth.logout", obj=user, ip=ip)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(actor=None, actor_name=username, action="auth.login_failed", result=AuditEvent.Result.FAILURE,
           message=f"登录失败：{username}", ip=client_ip(request) if request else None)


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record(actor=None, actor_name=username or "", action="auth.locked_out", result=AuditEvent.Result.FAILURE,
           message=f"连续登录失败，账号 {username} 在 {ip_address} 被锁定", ip=ip_address)
