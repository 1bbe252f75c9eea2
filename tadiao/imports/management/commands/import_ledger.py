"""`tadiao import_ledger FILE.xlsx [--user USERNAME]`: import the project ledger (sheet 项目)."""

from tadiao.imports.management.commands._base import ImportCommand
from tadiao.imports.models import ImportJob


class Command(ImportCommand):
    help = "导入项目台账（工作表“项目”）；全部行通过校验才写入，否则在文件旁生成 *.errors.xlsx 错误报告。"
    kind = ImportJob.Kind.LEDGER
