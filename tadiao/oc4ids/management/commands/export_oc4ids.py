"""`tadiao export_oc4ids [--as-of YYYY-MM-DD] [--out FILE] [--no-validate]`: every project as an OC4IDS package."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tadiao.lib.dates import parse_date
from tadiao.oc4ids import queries
from tadiao.oc4ids.package import EmptyPackage
from tadiao.oc4ids.validation import validation_errors


class Command(BaseCommand):
    help = "把全部项目导出为 OC4IDS 项目数据包（JSON），并按随附的 OC4IDS 0.9 模式校验。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="截至日期（默认今天）：完成投资、里程碑状态按此日计算"
        )
        parser.add_argument("--out", metavar="FILE", help="写入该文件（默认输出到标准输出）")
        parser.add_argument("--no-validate", action="store_true", help="不按 OC4IDS 模式校验（大数据量时更快）")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["as_of"]
        try:
            as_of = parse_date(text) if text else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期，而不是“{text}”。") from exc
        try:
            package = queries.package_for_deployment(
                as_of=as_of, published=timezone.now(), uri=queries.command_uri(as_of=as_of)
            )
        except EmptyPackage as exc:
            raise CommandError(str(exc)) from exc
        if not options["no_validate"]:
            errors = validation_errors(package)
            if errors:
                raise CommandError("导出的数据包不符合 OC4IDS 模式，未写出：\n" + "\n".join(errors))
        if options["out"]:
            try:
                with open(options["out"], "w", encoding="utf-8") as out:
                    json.dump(package, out, ensure_ascii=False, indent=1)
                    out.write("\n")
            except OSError as exc:
                raise CommandError(f"无法写入文件 {options['out']}：{exc.strerror}") from exc
            count = len(package["projects"])
            self.stderr.write(f"已导出 {count} 个项目（截至 {as_of:%Y-%m-%d}）到 {options['out']}。")
        else:
            self.stdout.write(json.dumps(package, ensure_ascii=False, indent=1))
