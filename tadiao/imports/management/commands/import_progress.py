"""`tadiao import_progress FILE.xlsx [--user USERNAME] [--today YYYY-MM-DD]`: import monthly progress
(sheet 月度进展)."""

from tadiao.imports.management.commands._base import ImportCommand
from tadiao.imports.models import ImportJob


class Command(ImportCommand):
    help = "导入月度进展（工作表“月度进展”）；全部行通过校验才写入，否则在文件旁生成 *.errors.xlsx 错误报告。"
    kind = ImportJob.Kind.PROGRESS
