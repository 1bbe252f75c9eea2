"""`tadiao import_units FILE.xlsx [--user USERNAME]`: import units (sheet 单位)."""

from tadiao.imports.management.commands._base import ImportCommand
from tadiao.imports.models import ImportJob


class Command(ImportCommand):
    help = "导入单位（工作表“单位”）；全部行通过校验才写入，否则在文件旁生成 *.errors.xlsx 错误报告。"
    kind = ImportJob.Kind.UNITS
