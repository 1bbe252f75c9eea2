"""`tadiao create_batch --as USERNAME --number 8 --date 2026-06-30 [--note …]`: a new period (第N期) of the
"三个一批" campaign, through the same form checks, service and audit event as the 三个一批 page (coordinators only)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tadiao.lib.dates import cn_date
from tadiao.lib.forms import error_text
from tadiao.org import acting
from tadiao.projects import batch_services, forms, services


class Command(BaseCommand):
    help = "新建“三个一批”期次（同“三个一批”页的校验和审计；操作人须为调度员）。"

    def add_arguments(self, parser: CommandParser) -> None:
        acting.add_as_argument(parser)
        parser.add_argument("--number", help="期数，正整数，如 8 表示第8期")
        parser.add_argument("--date", help="日期 YYYY-MM-DD（也可写 2026年6月30日）")
        parser.add_argument("--note", default="", help="说明（最多 200 字）")

    def handle(self, *args: Any, **options: Any) -> None:
        by = acting.acting_user(options["acting"])
        acting.require(by, by.is_coordinator, "“三个一批”由调度员（重点项目办）维护。")
        acting.require_options(options, {"number": "--number 期数", "date": "--date 日期"})
        form = forms.BatchForm(data={"number": options["number"], "date": options["date"], "note": options["note"]})
        if not form.is_valid():
            raise CommandError(error_text(form))
        try:
            batch = batch_services.create_batch(**form.cleaned_data, by=by)
        except services.ProjectError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已创建{batch}（{cn_date(batch.date)}）。")
