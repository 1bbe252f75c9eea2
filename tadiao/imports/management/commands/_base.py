"""Shared by the import commands (import_ledger, import_plans, import_progress, import_units): parse the
arguments, run the same service synchronously."""

import datetime
import shutil
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tadiao.imports import queries
from tadiao.imports.models import ImportJob
from tadiao.imports.services import jobs
from tadiao.lib import xlsx
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
