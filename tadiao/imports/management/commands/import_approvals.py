"""`tadiao import_approvals FILE.xlsx --as USERNAME [--today YYYY-MM-DD]`: import the approval platform's export
(sheet 审批事项) into the projects' approvals checklist through the importer — the same job, service and audit as
the upload page and the API — as the acting user."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tadiao.imports.approval_sheet import APPROVAL_SHEET
from tadiao.imports.management.commands._base import ImportCommand
from tadiao.imports.management.commands.import_leads import error_lines
from tadiao.imports.models import ImportJob
from tadiao.org.acting import acting_user, add_as_argument


class Command(ImportCommand):
    help = ("以 --as 指定的用户导入审批事项（工作表“审批事项”，在线审批监管平台的导出格式）；全部行通过校验才写入，"
            "否则列出每行的错误，并在文件旁生成 *.errors.xlsx 错误报告。")
    kind = ImportJob.Kind.APPROVALS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        add_as_argument(parser)
        parser.add_argument("--today", metavar="YYYY-MM-DD",
                            help="以该日期为“今天”（受理、办结日期不能晚于它）；不填为当天")

    def handle(self, *args: Any, file: str, acting: str | None = None, today: str | None = None,
               **options: Any) -> None:
        by = acting_user(acting)
        try:
            super().handle(file=file, user=by.username, today=today)
        except CommandError as exc:
            path = Path(file)
            report = path.with_name(f"{path.stem}.errors.xlsx")
            lines = error_lines(report, sheet=APPROVAL_SHEET) if f"错误报告：{report}" in str(exc) else []
            raise CommandError("\n".join([str(exc), *lines])) from exc
