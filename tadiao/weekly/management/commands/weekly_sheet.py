"""`tadiao weekly_sheet --week 2026-W49 [--today YYYY-MM-DD] [--xlsx out.xlsx] [--docx out.docx]`: the 周调度 sheet
of a week (all projects), printed as text and written as .xlsx and/or .docx — the same query as the web page."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tadiao.lib.dates import cn_date
from tadiao.lib.xlsx import write_xlsx
from tadiao.weekly import exports, queries
from tadiao.weekly.weeks import Week, WeekError


class Command(BaseCommand):
    help = "生成某一周的周调度表（本周进展、未报送项目、新增和超期问题、未按时报送单位），可另存为 Excel 和 Word。"

    def add_arguments(self, parser):
        parser.add_argument("--week", help="周次，如 2026-W49；默认本周")
        parser.add_argument("--today", help="以该日期为“今天”（YYYY-MM-DD），默认当天")
        parser.add_argument("--xlsx", help="另存为 Excel 文件（.xlsx）")
        parser.add_argument("--docx", help="另存为 Word 文件（.docx，公文版式）")

    def handle(self, *args, week=None, today=None, xlsx=None, docx=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{today}") from exc
        try:
            chosen = Week.parse(week) if week else Week.of(day)
        except WeekError as exc:
            raise CommandError(str(exc)) from exc
        for path, suffix in ((xlsx, ".xlsx"), (docx, ".docx")):
            if path and Path(path).suffix.lower() != suffix:
                raise CommandError(f"文件名应以 {suffix} 结尾：{path}")
        sheet = queries.weekly_sheet(week=chosen, today=day)
        self.stdout.write(exports.title(sheet))
        self.stdout.write(f"{sheet.week.span}；报送截止 {cn_date(sheet.deadline)}；统计至 {cn_date(sheet.as_of)}")
        self.stdout.write(
            f"列入周调度 {sheet.scheduled_count} 个，已报送 {len(sheet.reported)} 个，未报送 {len(sheet.missing)} 个；"
            f"新增问题 {len(sheet.new_problems)} 个，超期问题 {len(sheet.overdue_problems)} 个。"
        )
        if sheet.deadline_passed:
            names = "、".join(f"{u['unit__name']}（{u['late']}）" for u in sheet.missed_units) or "无"
            self.stdout.write(f"未按时报送单位：{names}")
        else:
            self.stdout.write("报送截止日期未到。")
        try:
            if xlsx:
                write_xlsx(xlsx, exports.sheets(sheet))
                self.stdout.write(f"已写入 {xlsx}")
            if docx:
                Path(docx).write_bytes(exports.docx_bytes(sheet))
                self.stdout.write(f"已写入 {docx}")
        except OSError as exc:
            raise CommandError(f"无法写入文件：{exc}") from exc
