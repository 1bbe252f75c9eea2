"""Shared by the import commands (import_ledger, import_plans, import_progress, import_units; and, acting as a
named user, import_leads and import_approvals): parse the arguments, run the same service synchronously."""

import datetime
import shutil
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tadiao.imports import queries
from tadiao.imports.models import ImportJob
from tadiao.imports.services import jobs
from tadiao.imports.sheets import ERROR_COLUMN
from tadiao.lib import xlsx
from tadiao.org.acting import acting_user, add_as_argument
from tadiao.org.models import User


class ImportCommand(BaseCommand):
    kind: str = ImportJob.Kind.LEDGER

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        parser.add_argument("--user", help="以该用户的身份和权限导入（不填则以系统身份导入全部单位）")
        parser.add_argument("--today", metavar="YYYY-MM-DD",
                            help="以该日期为“今天”（月度进展不接受其后的月份）；不填为当天")

    def handle(self, *args, file: str, user: str | None = None, today: str | None = None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today 应为 YYYY-MM-DD 格式的日期：{today}") from exc
        by = None
        if user:
            by = User.objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(f"找不到启用的用户：{user}")
            if self.kind not in queries.allowed_kinds(by):
                raise CommandError(f"用户 {user} 无权导入{ImportJob.Kind(self.kind).label}数据。")
        with path.open("rb") as handle:
            try:
                xlsx.check_upload(handle, name=path.name)
            except xlsx.XlsxError as exc:
                raise CommandError(str(exc)) from exc
            job = jobs.create_job(kind=self.kind, by=by, content=File(handle), original_name=path.name)
        job = jobs.run_import(job_id=job.pk, today=day)
        if job.status != ImportJob.Status.SUCCEEDED:
            message = job.summary
            if job.error_file:
                target = path.with_name(f"{path.stem}.errors.xlsx")
                with job.error_file.open("rb") as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
                message += f"\n错误报告：{target}"
            raise CommandError(message)
        self.stdout.write(self.style.SUCCESS(job.summary))


def error_lines(path: Path, *, sheet: str) -> list[str]:
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


class ActingImportCommand(ImportCommand):
    """An import run as the user named by --as (the setup commands' way), printing each refused row of `sheet`."""

    sheet: str = ""
    today_help: str = "以该日期为“今天”；不填为当天"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        add_as_argument(parser)
        parser.add_argument("--today", metavar="YYYY-MM-DD", help=self.today_help)

    def handle(self, *args, file: str, acting: str | None = None, today: str | None = None, **options) -> None:
        by = acting_user(acting)
        try:
            super().handle(file=file, user=by.username, today=today)
        except CommandError as exc:
            path = Path(file)
            # Only when this run wrote an error report (a refusal of the whole file has none).
            report = path.with_name(f"{path.stem}.errors.xlsx")
            lines = error_lines(report, sheet=self.sheet) if f"错误报告：{report}" in str(exc) else []
            raise CommandError("\n".join([str(exc), *lines])) from exc
