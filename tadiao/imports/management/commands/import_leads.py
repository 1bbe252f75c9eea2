"""`tadiao import_leads FILE.xlsx --as USERNAME [--today YYYY-MM-DD]`: import investment-attraction leads (sheet
招商线索) through the importer — the same job, service and audit as the upload page — as the acting user."""

from tadiao.imports.management.commands._base import ActingImportCommand
from tadiao.imports.models import ImportJob


class Command(ActingImportCommand):
    help = ("以 --as 指定的用户导入招商线索（工作表“招商线索”）；全部行通过校验才写入，否则列出每行的错误，"
            "并在文件旁生成 *.errors.xlsx 错误报告。")
    kind = ImportJob.Kind.LEADS
    sheet = "招商线索"
    today_help = "以该日期为“今天”（开始接洽日期不能晚于它）；不填为当天"
