"""`tadiao import_approvals FILE.xlsx --as USERNAME [--today YYYY-MM-DD]`: import the approval platform's export
(sheet 审批事项) into the projects' approvals checklist through the importer — the same job, service and audit as
the upload page and the API — as the acting user."""

from tadiao.imports.approval_sheet import APPROVAL_SHEET
from tadiao.imports.management.commands._base import ActingImportCommand
from tadiao.imports.models import ImportJob


class Command(ActingImportCommand):
    help = ("以 --as 指定的用户导入审批事项（工作表“审批事项”，在线审批监管平台的导出格式）；全部行通过校验才写入，"
            "否则列出每行的错误，并在文件旁生成 *.errors.xlsx 错误报告。")
    kind = ImportJob.Kind.APPROVALS
    sheet = APPROVAL_SHEET
    today_help = "以该日期为“今天”（受理、办结日期不能晚于它）；不填为当天"
