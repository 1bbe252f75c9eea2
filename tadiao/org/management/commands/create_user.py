"""`tadiao create_user USERNAME --as USERNAME --full-name 姓名 --unit 单位名称 --role REPORTER [--role …] [--phone …]`:
a new account through the same form checks, service and audit event as the 用户 page (system administrator only);
the generated password is printed this once, as the page shows it once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tadiao.lib.forms import error_text
from tadiao.org import acting, forms, services
from tadiao.org.models import Role, Unit

ROLE_HELP = "、".join(f"{code.upper()}（{label}）" for code, label in Role.choices)


def parse_role(text: str) -> str:
    """A role by its code in any case (REPORTER, reporter) or its label (填报员)."""
    text = text.strip()
    for code, label in Role.choices:
        if text.lower() == code or text == label:
            return code
    raise CommandError(f"未知角色：“{text}”，应为 {ROLE_HELP}之一。")


class Command(BaseCommand):
    help = "新建用户并生成初始密码（同“组织机构 → 用户”页的校验和审计；操作人须为系统管理员）。密码只显示这一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="登录用户名，创建后不能修改")
        acting.add_as_argument(parser)
        parser.add_argument("--full-name", dest="full_name", help="姓名")
        parser.add_argument("--unit", help="所属单位名称（填报员必填）")
        parser.add_argument("--role", dest="roles", action="append", default=[],
                            help=f"角色，可重复：{ROLE_HELP}；系统管理员和审计管理员只能单独担任")
        parser.add_argument("--phone", default="", help="联系电话")

    def handle(self, *args: Any, **options: Any) -> None:
        by = acting.acting_user(options["acting"])
        acting.require(by, by.is_sysadmin, acting.SYSADMIN_ONLY)
        acting.require_options(options, {"username": "用户名", "full_name": "--full-name 姓名",
                                         "roles": "--role 角色"})
        roles = [parse_role(role) for role in options["roles"]]
        unit = None
        if unit_name := (options["unit"] or "").strip():
            unit = Unit.objects.filter(name=unit_name).first()
            if unit is None:
                raise CommandError(f"找不到单位：{unit_name}")
            if not unit.is_active:
                raise CommandError(f"单位“{unit_name}”已停用，不能添加用户。")
        form = forms.UserForm(data={"username": options["username"], "full_name": options["full_name"],
                                    "phone": options["phone"], "unit": unit.pk if unit else "", "leader": "",
                                    "roles": roles})
        if not form.is_valid():
            raise CommandError(error_text(form))
        try:
            user, password = services.create_user(by=by, **form.cleaned_data)
        except services.OrgError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已创建用户 {user.username}（{user}，{user.role_labels}"
                          f"{'，' + unit.name if unit else ''}）。")
        self.stdout.write(f"初始密码：{password}")
        self.stdout.write("此密码只显示这一次，请当面或通过安全渠道转交本人，并提醒其登录后妥善保管。")
        # The accounts work (issue 10) makes every generated password one to change at the first login.
        if getattr(user, "must_change_password", False):
            self.stdout.write("该账号首次登录时须修改密码。")
