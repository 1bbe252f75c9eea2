"""`tadiao import_economy FILE.xlsx [--user USERNAME]`: import regional economic indicators (sheet 经济指标)."""

from tadiao.imports.management.commands._base import ImportCommand
from tadiao.imports.models import ImportJob


class Command(ImportCommand):
    help = "导入经济指标（工作表“经济指标”）；全部行通过校验才写入，否则在文件旁生成 *.errors.xlsx 错误报告。"
    kind = ImportJob.Kind.ECONOMY
