"""`tadiao create_region --as USERNAME --code 330182 --name 安澜市 --level COUNTY [--parent CODE]`: a new region
through the same form checks, service and audit event as the 行政区划 page (system administrator only)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tadiao.lib.forms import error_text
from tadiao.org import acting, forms, services
from tadiao.org.models import Region

LEVEL_HELP = "、".join(f"{code}（{label}）" for code, label in Region.Level.choices)


def parse_level(text: str) -> str:
    """A level by its code (COUNTY, county) or its label (县（市、区）)."""
    text = text.strip()
    for code, label in Region.Level.choices:
        if text.upper() == code or text == label:
            return code
    raise CommandError(f"未知层级：“{text}”，应为 {LEVEL_HELP}之一。")


class Command(BaseCommand):
    help = "新建行政区划（同“组织机构 → 行政区划”页的校验和审计；操作人须为系统管理员）。"

    def add_arguments(self, parser: CommandParser) -> None:
        acting.add_as_argument(parser)
        parser.add_argument("--code", help="区划代码：县级及以上 6 位 GB/T 2260 代码，乡镇（街道）12 位统计用区划代码")
        parser.add_argument("--name", help="名称，如 安澜市")
        parser.add_argument("--level", help=f"层级：{LEVEL_HELP}")
        parser.add_argument("--parent", metavar="CODE", help="上级区划代码；不填为顶级区划（一个系统只有一个）")

    def handle(self, *args: Any, **options: Any) -> None:
        by = acting.acting_user(options["acting"])
        acting.require(by, by.is_sysadmin, acting.SYSADMIN_ONLY)
        acting.require_options(options, {"code": "--code 区划代码", "name": "--name 名称", "level": "--level 层级"})
        level = parse_level(options["level"])
        parent = None
        if parent_code := (options["parent"] or "").strip():
            parent = Region.objects.filter(code=parent_code).first()
            if parent is None:
                raise CommandError(f"找不到上级区划：区划代码 {parent_code} 不存在。")
        form = forms.RegionForm(data={"code": options["code"], "name": options["name"], "level": level,
                                      "parent": parent.pk if parent else ""})
        if not form.is_valid():
            raise CommandError(error_text(form))
        try:
            region = services.create_region(by=by, **form.cleaned_data)
        except services.OrgError as exc:
            raise CommandError(exc.message) from exc
        under = f"，上级区划 {parent.name}（{parent.code}）" if parent else "，顶级区划"
        self.stdout.write(f"已新增区划：{region.name}（{region.code}，{region.get_level_display()}{under}）。")
