"""The acting user of a setup command (`tadiao create_region --as admin …`): who the command acts as, checked
as the page checks the logged-in user, and recorded as the actor of the service's audit event.

Argument errors are ours, in Chinese: argparse's own ("the following arguments are required") are English, so
the commands declare no argparse-required options and no `choices`, and check them here instead.
"""

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tadiao.org.models import User

SYSADMIN_ONLY = "仅系统管理员可以管理组织机构和用户。"
COORDINATOR_ONLY = "该操作需由调度员（重点项目办）完成。"


def add_as_argument(parser: CommandParser) -> None:
    parser.add_argument("--as", dest="acting", metavar="USERNAME",
                        help="操作人的用户名（必填）：按该用户的角色检查权限，并记为审计日志的操作人")


def acting_user(username: str | None) -> User:
    """The active user named `username`; a Chinese CommandError when none is given, none exists or it is
    deactivated."""
    username = (username or "").strip()
    if not username:
        raise CommandError("请用 --as 用户名 指定操作人（按该用户的角色检查权限，并记入审计日志）。")
    # Login names are matched without case, as at login.
    user = (User.objects.select_related("unit", "unit__region").filter(username__iexact=username)
            .order_by("username").first())
    if user is None:
        raise CommandError(f"找不到用户：{username}")
    if not user.is_active:
        raise CommandError(f"用户 {username} 已停用，不能操作。")
    return user


def require(user: User, allowed: bool, message: str) -> None:
    """Refuses the command, as the page refuses the user (403), with the page's words."""
    if not allowed:
        raise CommandError(f"用户 {user.username}（{user.role_labels or '无角色'}）无权执行：{message}")


def require_options(options: Mapping[str, Any], names: Mapping[str, str]) -> None:
    """Every option of `names` (dest → how to write it, e.g. {"code": "--code 区划代码"}) given and not blank."""
    missing = [text for dest, text in names.items() if options.get(dest) in (None, "", [])
               or (isinstance(options.get(dest), str) and not options[dest].strip())]
    if missing:
        raise CommandError("缺少参数：" + "、".join(missing) + "。")


def parse_date(value: str, *, option: str) -> datetime.date:
    """"2026-06-30" (or 2026年6月30日) → a date; a Chinese CommandError otherwise."""
    text = (value or "").strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.datetime.strptime(text, "%Y年%m月%d日").date()
    except ValueError as exc:
        raise CommandError(f"{option} 应为 YYYY-MM-DD 格式的日期（如 2026-06-30），而不是“{value}”。") from exc


def parse_month(value: str, *, option: str) -> datetime.date:
    """"2026-12" → 2026-12-01; a Chinese CommandError otherwise."""
    text = (value or "").strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        try:
            return datetime.date.fromisoformat(f"{text}-01")
        except ValueError:
            pass
    raise CommandError(f"{option} 应为 YYYY-MM 格式的年月（如 2026-12），而不是“{value}”。")
