"""`tadiao import_plans FILE.xlsx [--user USERNAME]`: import annual plans (sheet 年度计划)."""

from tadiao.imports.management.commands._base import ImportCommand
from tadiao.imports.models import ImportJob


class Command(ImportCommand):
    help = "导入年度计划（工作表“年度计划”）；全部行通过校验才写入，否则在文件旁生成 *.errors.xlsx 错误报告。"
    kind = ImportJob.Kind.PLANS
