"""`tadiao first_run`: on a fresh installation, demo data, the system administrator and demo passwords.

`make run` calls it after every migrate; once anybody can log in it only says so.
"""

from django.core.management.base import BaseCommand, CommandError

from tadiao.demo import services
from tadiao.demo.data import ADMIN_USERNAME
from tadiao.demo.management.commands._options import add_today_argument, parse_today
from tadiao.demo.management.commands.load_demo import describe

SKIPPED = "数据库已初始化，跳过演示数据。"


class Command(BaseCommand):
    help = "首次启动：空库时加载演示数据，创建系统管理员 admin 和各角色演示账号，并显示一次初始密码。"

    def add_arguments(self, parser):
        add_today_argument(parser)

    def handle(self, *args, **options):
        try:
            result = services.first_run(today=parse_today(options["today"]))
        except services.DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if result.skipped:
            self.stdout.write(SKIPPED)
            return
        if result.demo is None:
            self.stdout.write("数据库中已有业务数据，未加载演示数据。")
        elif result.demo.created:
            self.stdout.write(f"已加载演示数据：{result.demo.county}。")
            for line in describe(result.demo):
                self.stdout.write("  " + line)
        for credential in result.credentials:
            if credential.username == ADMIN_USERNAME:
                self.stdout.write(f"已创建系统管理员账号 {credential.username}，初始密码：{credential.password}"
                                  "（只显示这一次，请登录后修改）")
        others = [c for c in result.credentials if c.username != ADMIN_USERNAME]
        if others:
            self.stdout.write("演示账号（初始密码只显示这一次，请登录后修改）：")
            for c in others:
                # Username and password first: ASCII, so they line up whatever the width of the Chinese after them.
                self.stdout.write(f"  {c.username:<10} 初始密码：{c.password}  {c.roles} · {c.full_name} · {c.unit}")
