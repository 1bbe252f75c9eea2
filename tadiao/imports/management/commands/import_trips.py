"""`tadiao import_trips FILE.xlsx [--user USERNAME]`: import investment-attraction trips (sheet 外出招商)."""

from tadiao.imports.management.commands._base import ImportCommand
from tadiao.imports.models import ImportJob


class Command(ImportCommand):
    help = "导入外出招商（工作表“外出招商”）；全部行通过校验才写入，否则在文件旁生成 *.errors.xlsx 错误报告。"
    kind = ImportJob.Kind.TRIPS
