"""`tadiao import_leads FILE.xlsx --as USERNAME [--today YYYY-MM-DD]`: import investment-attraction leads (sheet
招商线索) through the importer — the same job, service and audit as the upload page — as the acting user."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tadiao.imports.management.commands._base import ImportCommand
from tadiao.imports.models import ImportJob
from tadiao.imports.sheets import ERROR_COLUMN
from tadiao.lib import xlsx
from tadiao.org.acting import acting_user, add_as_argument

SHEET = "招商线索"


def error_lines(path: Path, *, sheet: str = SHEET) -> list[str]:
    """"第 N 行：…" for every row of an error workbook with an error (the Excel line of the uploaded sheet)."""
    if not path.is_file():
        return []
    rows = xlsx.read_sheet(str(path), sheet=sheet)
    header = next((i for i, row in enumerate(rows) if ERROR_COLUMN in [str(c) for c in row]), None)
    if header is None:
        return []
    column = [str(c) for c in rows[header]].index(ERROR_COLUMN)
    lines = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        message = str(row[column]).strip() if column < len(row) else ""
        if message:
            lines.append(f"第 {index + 1} 行：" + "；".join(message.splitlines()))
    return lines


class Command(ImportCommand):
    help = ("以 --as 指定的用户导入招商线索（工作表“招商线索”）；全部行通过校验才写入，否则列出每行的错误，"
            "并在文件旁生成 *.errors.xlsx 错误报告。")
    kind = ImportJob.Kind.LEADS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        add_as_argument(parser)
        parser.add_argument("--today", metavar="YYYY-MM-DD",
                            help="以该日期为“今天”（开始接洽日期不能晚于它）；不填为当天")

    def handle(self, *args: Any, file: str, acting: str | None = None, today: str | None = None,
               **options: Any) -> None:
        by = acting_user(acting)
        try:
            super().handle(file=file, user=by.username, today=today)
        except CommandError as exc:
            path = Path(file)
            # Only when this run wrote an error report (a refusal of the whole file has none).
            report = path.with_name(f"{path.stem}.errors.xlsx")
            lines = error_lines(report) if f"错误报告：{report}" in str(exc) else []
            raise CommandError("\n".join([str(exc), *lines])) from exc
